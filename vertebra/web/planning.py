"""The planning pages: targets and gaps, actions (list, board, forms), roadmap and totals.

Every view reaches city data through ``vertebra.access`` (outsiders get 404); admins set
targets and the city's stakeholder types, admins and editors manage actions, every member reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vertebra import access
from vertebra.access import Verb
from vertebra.accounts.models import User
from vertebra.assessments.domain import AssessmentLockedError
from vertebra.cities.models import Membership
from vertebra.forms import CheckedForm
from vertebra.frameworks.domain import shape_of
from vertebra.planning import domain
from vertebra.planning.forms import (
    ActionForm,
    ConfirmForm,
    MergeForm,
    NoteForm,
    StakeholderTypesForm,
    TargetsForm,
    VersionForm,
)
from vertebra.planning.models import Action, ActionEvent, ActionStatus
from vertebra.planning.roadmap import PolicyProjection
from vertebra.web.timeline import render_timeline

BOARD_COLUMNS = [s.value for s in ActionStatus]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class Scope(access.Scoped):
    """The member's assessment as the planning pages show it."""

    @property
    def can_manage(self) -> bool:
        return self.can(Verb.PLAN)

    @property
    def can_plan(self) -> bool:
        """New actions, merges, deletions and changes of an action's plan: drafts only."""
        return self.can_manage and not self.assessment.is_final

    @cached_property
    def can_carry_out(self) -> bool:
        """An action's status and progress notes (see planning.domain.require_open_plan)."""
        if not self.can_manage:
            return False
        return not self.assessment.is_final or not domain.carried_over(self.assessment)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "membership": self.membership,
            "city": self.membership.city,
            "assessment": self.assessment,
            "can_manage": self.can_manage,
            "can_plan": self.can_plan,
            "can_carry_out": self.can_carry_out,
            "may": self.may,
            **extra,
        }


def _scope(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, *, verb: Verb = Verb.VIEW
) -> Scope:
    found = access.assessment_for(_user(request), city_slug, assessment_uuid, verb=verb)
    return Scope(found.membership, found.assessment)


def _action_scope(
    request: HttpRequest, city_slug: str, action_uuid: uuid.UUID, *, verb: Verb = Verb.VIEW
) -> tuple[Scope, Action]:
    found, action = access.action_for(_user(request), city_slug, action_uuid, verb=verb)
    return Scope(found.membership, found.assessment), action


def _overdue(action: Action) -> bool:
    return (
        action.due_date is not None
        and action.due_date < timezone.localdate()
        and action.status in domain.OPEN_STATUSES
    )


def _members(scope: Scope) -> list[Membership]:
    return access.members_of(scope.membership)


def _field_errors(form: CheckedForm, error: domain.PlanningValidationError) -> None:
    form.add_errors(error.errors)


def _plan_url(name: str, scope: Scope) -> str:
    return reverse(
        f"planning:{name}",
        kwargs={"city_slug": scope.membership.city.slug, "assessment_uuid": scope.assessment.uuid},
    )


def _action_url(name: str, action: Action) -> str:
    return reverse(
        f"planning:{name}", kwargs={"city_slug": action.city.slug, "action_uuid": action.uuid}
    )


# ---------------------------------------------------------------------------------------------
# Targets and gaps


@login_required
def plan(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid)
    the_plan = domain.plan_of(scope.assessment)
    gaps = the_plan.gaps()
    shape = the_plan.shape
    rows = [
        {
            "policy": p.result,
            "stage_name": shape.stage_names[p.result.stage] if p.result.stage else None,
            "target_name": shape.stage_names[p.result.target] if p.result.target else None,
            "target_date": p.target_date,
            "gaps": p.objectives,
        }
        for p in gaps.policies
    ]
    uncovered = gaps.uncovered
    return render(
        request,
        "planning/plan.html",
        scope.context(
            rows=rows,
            shape=shape,
            has_targets=bool(the_plan.targets),
            uncovered=uncovered,
            warnings=the_plan.warnings(),
            section="plan",
        ),
    )


@login_required
def targets(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid, verb=Verb.SET_TARGETS)
    shape = shape_of(scope.assessment.framework_version)
    current = scope.assessment.targets.order_by()
    initial: dict[str, Any] = {}
    for t in current:
        initial[f"target_{t.policy_code}"] = t.stage_code
        initial[f"date_{t.policy_code}"] = t.target_date
    form = TargetsForm(
        request.POST or None,
        shape=shape,
        assessment=scope.assessment,
        apply=request.POST.get("apply", "policies"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            domain.set_targets(assessment=scope.assessment, user=_user(request), **form.changes())
        except domain.PlanningValidationError as error:
            form.add_errors(error.errors)
        else:
            messages.success(request, _("Targets saved."))
            return redirect(_plan_url("plan", scope))
    return render(
        request, "planning/targets.html", scope.context(form=form, shape=shape, section="plan")
    )


@login_required
@require_POST
def propose(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid, verb=Verb.PLAN)
    created = domain.create_proposed_actions(assessment=scope.assessment, user=_user(request))
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d proposed action created: edit, merge or delete it below.",
                "%(count)d proposed actions created: edit, merge or delete them below.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.info(request, _("Every objective toward the targets already has an action."))
    return redirect(_plan_url("actions", scope) + "?status=proposed")


# ---------------------------------------------------------------------------------------------
# Action list and board


@dataclass(frozen=True)
class Filters:
    status: str
    policy: str
    owner: str
    stakeholder: str
    view: str

    def matches(self, action: Action, user: User) -> bool:
        if self.status and action.status != self.status:
            return False
        if self.policy and self.policy not in {o.policy_code for o in action.objectives.all()}:
            return False
        if self.stakeholder and self.stakeholder not in action.stakeholder_types:
            return False
        if self.owner == "me":
            return action.owner_user_id == user.pk
        if self.owner == "unowned":
            return action.owner_user_id is None and not action.owner_department
        if self.owner.startswith("u:"):
            return str(action.owner_user_id) == self.owner[2:]
        if self.owner.startswith("d:"):
            return action.owner_department == self.owner[2:]
        return True


@dataclass(frozen=True)
class Row:
    action: Action
    overdue: bool
    unowned: bool
    warned: bool


@login_required
def actions(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid)
    user = _user(request)
    params = request.GET
    filters = Filters(
        status=params.get("status", "") if params.get("status") in ActionStatus.values else "",
        policy=params.get("policy", ""),
        owner=params.get("owner", ""),
        stakeholder=params.get("stakeholder", ""),
        view="board" if params.get("view") == "board" else "list",
    )
    all_actions = list(domain.actions_of(scope.assessment))
    shown = [a for a in all_actions if filters.matches(a, user)]
    the_plan = domain.plan_of(scope.assessment, actions=all_actions)
    warned = {id(w.action) for w in the_plan.warnings()}
    rows = [
        Row(
            action=a,
            overdue=_overdue(a),
            unowned=a.owner_user_id is None and not a.owner_department,
            warned=id(a) in warned,
        )
        for a in shown
    ]
    people = sorted({a.owner_user for a in all_actions if a.owner_user}, key=lambda u: u.email)
    owners = [(f"u:{p.pk}", p.email) for p in people] + [
        (f"d:{d}", d)
        for d in sorted({a.owner_department for a in all_actions if a.owner_department})
    ]
    shape = the_plan.shape
    columns = [
        (status, label, [r for r in rows if r.action.status == status])
        for status, label in ActionStatus.choices
    ]
    return render(
        request,
        "planning/actions.html",
        scope.context(
            rows=rows,
            columns=columns,
            filters=filters,
            total=len(all_actions),
            owners=owners,
            policies=[(p, shape.policy_name[p]) for p in shape.policy_codes],
            statuses=ActionStatus.choices,
            stakeholder_types=scope.membership.city.stakeholder_types,
            overdue=sum(1 for r in rows if r.overdue),
            unowned=sum(1 for r in rows if r.unowned),
            section="actions",
        ),
    )


# ---------------------------------------------------------------------------------------------
# One action


@login_required
def action_new(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid, verb=Verb.PLAN)
    initial = {
        "status": ActionStatus.PLANNED,
        "currency": scope.membership.city.currency,
        "objectives": request.GET.getlist("objective"),
    }
    form = ActionForm(
        request.POST or None,
        assessment=scope.assessment,
        city=scope.membership.city,
        members=_members(scope),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = domain.create_action(
                assessment=scope.assessment, user=_user(request), data=form.domain_data()
            )
        except domain.PlanningValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("Action created."))
            action.city = scope.membership.city
            return redirect(_action_url("action", action))
    return render(
        request,
        "planning/action_form.html",
        scope.context(form=form, action=None, section="actions"),
    )


@login_required
def action_detail(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid)
    return _detail_page(request, scope, action)


def _detail_page(
    request: HttpRequest,
    scope: Scope,
    action: Action,
    *,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    to_confirm = domain.objectives_to_confirm(action) if action.status == ActionStatus.DONE else []
    events = list(
        ActionEvent.objects.filter(action=action)
        .select_related("user")
        .order_by("-at", "-id")[:100]
    )
    for event in events:  # as people read them: labels, not names or codes
        event.label = ActionForm.history_label(event.field)  # type: ignore[attr-defined]
        event.old_text = ActionForm.history_value(event.field, event.old_value)  # type: ignore[attr-defined]
        event.new_text = ActionForm.history_value(event.field, event.new_value)  # type: ignore[attr-defined]
    return render(
        request,
        "planning/action_detail.html",
        scope.context(
            action=action,
            objectives=list(action.objectives.order_by("position")),
            notes=list(action.notes.select_related("author")),
            events=events,
            to_confirm=to_confirm,
            note_form=note_form or NoteForm(),
            overdue=_overdue(action),
            section="actions",
        ),
        status=status,
    )


@login_required
def action_edit(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid, verb=Verb.PLAN)
    form = ActionForm(
        request.POST or None,
        assessment=scope.assessment,
        city=scope.membership.city,
        members=_members(scope),
        initial=ActionForm.initial_for(action),
    )
    conflict: list[tuple[str, str, str]] = []
    conflicted = False
    if scope.assessment.is_final:
        form.only(domain.CARRYING_OUT)
    if request.method == "POST" and form.is_valid():
        changes = form.domain_data()
        if scope.assessment.is_final:  # the rest of the plan stays as finalized
            changes = {name: changes[name] for name in domain.CARRYING_OUT}
        try:
            domain.update_action(
                action=action,
                user=_user(request),
                changes=changes,
                expected_version=form.cleaned_data["version"],
            )
        except domain.PlanningValidationError as error:
            _field_errors(form, error)
        except domain.ActionConflictError as error:
            theirs = error.current
            submitted = form.domain_data()
            conflict = [
                (str(form.fields[name].label), theirs[name], domain.display_input(name, value))
                for name, value in submitted.items()
                if theirs[name] != domain.display_input(name, value)
            ]
            conflicted = True
            data = request.POST.copy()
            data["version"] = str(error.action.version)
            form = ActionForm(
                data,
                assessment=scope.assessment,
                city=scope.membership.city,
                members=_members(scope),
            )
            form.is_valid()
        else:
            messages.success(request, _("Action saved."))
            return redirect(_action_url("action", action))
    return render(
        request,
        "planning/action_form.html",
        scope.context(
            form=form,
            action=action,
            conflict=conflict,
            conflicted=conflicted,
            section="actions",
        ),
        status=409 if conflicted else 200,
    )


@login_required
def action_delete(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid, verb=Verb.PLAN)
    if request.method == "POST":
        domain.delete_action(action=action, user=_user(request))
        messages.success(request, _("Action “%(title)s” deleted.") % {"title": action.title})
        return redirect(_plan_url("actions", scope))
    return render(
        request,
        "planning/action_delete.html",
        scope.context(action=action, section="actions"),
    )


@login_required
def action_merge(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid, verb=Verb.PLAN)
    candidates = list(
        scope.assessment.actions.exclude(pk=action.pk).prefetch_related("objectives").order_by("id")
    )
    choices = [
        (str(a.uuid), f"{a.title} ({', '.join(o.code for o in a.objectives.all()) or '—'})")
        for a in candidates
    ]
    form = MergeForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["others"])
        try:
            domain.merge_actions(
                into=action,
                others=[a for a in candidates if str(a.uuid) in chosen],
                user=_user(request),
            )
        except domain.PlanningValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d action merged into this one.",
                    "%(count)d actions merged into this one.",
                    len(chosen),
                )
                % {"count": len(chosen)},
            )
            return redirect(_action_url("action", action))
    return render(
        request,
        "planning/action_merge.html",
        scope.context(action=action, form=form, section="actions"),
    )


@login_required
@require_POST
def action_note(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid, verb=Verb.PLAN)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            domain.add_note(
                action=action,
                user=_user(request),
                text=form.cleaned_data["text"],
                date=form.cleaned_data["date"],
            )
        except domain.PlanningValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("Progress note added."))
            return redirect(_action_url("action", action) + "#notes")
    return _detail_page(request, scope, action, note_form=form, status=400)


@login_required
@require_POST
def action_finish(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid, verb=Verb.PLAN)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        result = domain.finish_action(action=action, user=_user(request), expected_version=version)
    except domain.ActionConflictError as error:
        messages.error(
            request,
            _("Someone changed this action while you were looking at it; check it and try again."),
        )
        current = error.action
        current.city, current.assessment = scope.membership.city, scope.assessment
        return _detail_page(request, scope, current, status=409)
    if result.to_confirm and not scope.assessment.is_final:
        messages.success(
            request,
            _(
                "Action done. The assessment has not changed: confirm below which objectives "
                "are now achieved, with evidence."
            ),
        )
        return redirect(_action_url("action_confirm", action))
    messages.success(request, _("Action done."))
    return redirect(_action_url("action", action))


@login_required
def action_confirm(request: HttpRequest, city_slug: str, action_uuid: uuid.UUID) -> HttpResponse:
    scope, action = _action_scope(request, city_slug, action_uuid, verb=Verb.PLAN)
    pending = domain.objectives_to_confirm(action)
    form = ConfirmForm(
        request.POST or None,
        choices=[
            (a.objective.code, f"{a.objective.code} {a.objective.shown_text}") for a in pending
        ],
    )
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            domain.confirm_objectives(
                action=action,
                user=_user(request),
                codes=form.cleaned_data["codes"],
                evidence=form.cleaned_data["evidence"],
            )
        except domain.PlanningValidationError as error:
            _field_errors(form, error)
        except AssessmentLockedError as error:
            form.add_error(None, str(error))
            locked = True
        else:
            messages.success(
                request,
                _("Marked achieved in “%(assessment)s”: %(codes)s.")
                % {
                    "assessment": scope.assessment.title,
                    "codes": ", ".join(form.cleaned_data["codes"]),
                },
            )
            return redirect(_plan_url("plan", scope))
    return render(
        request,
        "planning/action_confirm.html",
        scope.context(action=action, form=form, pending=pending, section="actions"),
        # A final assessment takes no change: a conflict with its state, as in the API.
        status=409 if locked or (request.method == "POST" and scope.assessment.is_final) else 200,
    )


# ---------------------------------------------------------------------------------------------
# Roadmap, totals, city settings


@dataclass(frozen=True)
class PolicyRow:
    code: str
    name: str
    projection: PolicyProjection
    actions: list[Action]


@login_required
def roadmap(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid)
    the_plan = domain.plan_of(scope.assessment)
    projection = the_plan.projection()
    today = timezone.localdate()
    shape = the_plan.shape
    by_policy: dict[str, list[Action]] = {code: [] for code in shape.policy_codes}
    unlinked: list[Action] = []
    for action in the_plan.actions:
        policies = sorted({o.policy_code for o in action.objectives.all()})
        for code in policies:
            by_policy[code].append(action)
        if not policies:
            unlinked.append(action)
    rows = [
        PolicyRow(code, shape.policy_name[code], projection.policies[code], by_policy[code])
        for code in shape.policy_codes
    ]
    svg = render_timeline(
        shape=shape,
        rows=[(r.code, r.projection, r.actions) for r in rows],
        today=today,
        start=min(scope.assessment.date, today),
    )
    return render(
        request,
        "planning/roadmap.html",
        scope.context(
            rows=rows,
            unlinked=unlinked,
            svg=svg,
            shape=shape,
            today=today,
            section="roadmap",
        ),
    )


@login_required
def totals(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _scope(request, city_slug, assessment_uuid)
    the_plan = domain.plan_of(scope.assessment)
    return render(
        request,
        "planning/totals.html",
        scope.context(
            totals=the_plan.totals(),
            shape=the_plan.shape,
            status_labels=dict(ActionStatus.choices),
            section="totals",
        ),
    )


@login_required
def stakeholder_types(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(_user(request), city_slug, verb=Verb.MANAGE_CITY)
    city = membership.city
    form = StakeholderTypesForm(
        request.POST or None, initial={"types": "\n".join(city.stakeholder_types)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            domain.set_stakeholder_types(city=city, types=form.cleaned_data["types"].splitlines())
        except domain.PlanningValidationError as error:
            form.add_error("types", error.errors["stakeholder_types"])
        else:
            messages.success(request, _("Stakeholder types saved."))
            return redirect("planning:stakeholder_types", city_slug=city.slug)
    return render(
        request,
        "planning/stakeholder_types.html",
        {"membership": membership, "city": city, "form": form},
    )
