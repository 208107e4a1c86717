"""Business rules of planning: targets, the gaps toward them, and actions with their history.

Views, the API and commands call these functions; none of them writes targets or actions any
other way, so that validation, history and conflict checks are never skipped. Every writing
function validates all of its input first and then writes in one transaction: bad input
raises :class:`PlanningValidationError` (field name to message) and nothing is saved.

The read-only analyses of a plan (sequencing warnings, the projected stages, the council
totals) live in :mod:`vertebra.planning.roadmap` and are re-exported here; the checks of an
action's fields live in :mod:`vertebra.planning.validation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.assessments.domain import (
    AssessmentLockedError,
    SaveResult,
    count_change,
    create_assessment,
    profile_of,
    save_answer,
    statuses_of,
)
from vertebra.assessments.models import Answer, AnswerStatus, Assessment, AssessmentStatus
from vertebra.cities.models import City
from vertebra.frameworks.domain import objective_titles, shape_of
from vertebra.frameworks.models import FrameworkVersion, Objective
from vertebra.l10n import day
from vertebra.maturity import PolicyResult, Profile, Shape, profile
from vertebra.planning.models import Action, ActionEvent, ActionNote, ActionStatus, Target
from vertebra.planning.roadmap import (
    PolicyProjection,
    Projection,
    SequencingWarning,
    Totals,
    TotalsRow,
    project,
    sequencing_warnings,
    totals,
)
from vertebra.planning.validation import (
    ACTION_FIELDS,
    MAX_TEXT,
    PlanningValidationError,
    clean_action,
    clean_date,
    clean_text,
)

if TYPE_CHECKING:
    from vertebra.accounts.models import User

__all__ = [
    "ACTION_FIELDS",
    "CARRYING_OUT",
    "OPEN_STATUSES",
    "ActionConflictError",
    "FinishResult",
    "GapObjective",
    "Gaps",
    "Plan",
    "PlanLockedError",
    "PlanningValidationError",
    "PolicyGaps",
    "PolicyProjection",
    "Projection",
    "SequencingWarning",
    "Totals",
    "TotalsRow",
    "actions_of",
    "add_note",
    "carried_over",
    "clean_note_text",
    "clean_stakeholder_types",
    "confirm_objectives",
    "create_action",
    "create_proposed_actions",
    "delete_action",
    "display_input",
    "display_value",
    "finish_action",
    "gaps_to_target",
    "merge_actions",
    "objectives_to_confirm",
    "plan_of",
    "project",
    "require_open_plan",
    "sequencing_warnings",
    "set_stakeholder_types",
    "set_targets",
    "target_problems",
    "targets_of",
    "totals",
    "update_action",
]

# Actions that still count as "someone is on it" for an objective.
OPEN_STATUSES = frozenset({ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.IN_PROGRESS})
DONE_ANSWERS = frozenset({AnswerStatus.ACHIEVED, AnswerStatus.NOT_APPLICABLE})


class ActionConflictError(Exception):
    """Someone else saved the action since the caller loaded it; ``current`` shows their values."""

    def __init__(self, action: Action) -> None:
        self.action = action
        self.current = {name: display_value(action, name) for name in ACTION_FIELDS}
        super().__init__(
            _("“%(title)s” was changed by someone else while you were editing it.")
            % {"title": action.title}
        )


class PlanLockedError(AssessmentLockedError):
    """A change the plan of a final assessment does not take (see ``require_open_plan``)."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


# What carrying out a final cycle's actions may still change: their status (and progress notes).
CARRYING_OUT = frozenset({"status"})


def _plan_final() -> PlanLockedError:
    return PlanLockedError(
        _(
            "This assessment is final: its targets and planned actions stay as they were "
            "finalized. Plan new work in the next cycle; only the status and progress "
            "notes of its actions can still be recorded."
        )
    )


def carried_over(assessment: Assessment) -> bool:
    """Whether a next cycle has carried this assessment's open actions over (one query)."""
    return Assessment.objects.filter(previous=assessment).exists()


def require_open_plan(assessment: Assessment, *, carrying_out: bool = False) -> None:
    """Refuse a change of a final assessment's plan, unless it only records the carrying out.

    Finalizing freezes the answers and the targets as they stood, and the actions as planned:
    new actions, merges, deletions and changes of an action's plan belong in the next cycle.
    The actions go on being carried out, so their status and progress notes still change,
    until a next cycle carries the open ones over; from then on the old cycle is a record.
    """
    if assessment.status != AssessmentStatus.FINAL:
        return
    if not carrying_out:
        raise _plan_final()
    if carried_over(assessment):
        raise PlanLockedError(
            _(
                "The next cycle has carried this plan's open actions over: record their "
                "progress there. This final assessment is now a record."
            )
        )


# ---------------------------------------------------------------------------------------------
# Targets and gaps


def targets_of(assessment: Assessment) -> dict[str, str]:
    """Policy code to target stage code (one query)."""
    return dict(assessment.targets.order_by().values_list("policy_code", "stage_code"))


def target_errors(
    *,
    assessment: Assessment,
    targets: Mapping[str, str | None] | None = None,
    dimensions: Mapping[str, str | None] | None = None,
    all_policies: str | None = None,
    target_date: dt.date | None = None,
    target_dates: Mapping[str, dt.date | None] | None = None,
) -> dict[str, str]:
    """What :func:`set_targets` would refuse in these arguments, field by field (no write)."""
    return _wanted_targets(
        assessment,
        targets=targets,
        dimensions=dimensions,
        all_policies=all_policies,
        target_date=target_date,
        target_dates=target_dates,
    )[2]


def _wanted_targets(
    assessment: Assessment,
    *,
    targets: Mapping[str, str | None] | None,
    dimensions: Mapping[str, str | None] | None,
    all_policies: str | None,
    target_date: dt.date | None,
    target_dates: Mapping[str, dt.date | None] | None,
) -> tuple[dict[str, str | None], dict[str, dt.date | None], dict[str, str]]:
    """The stage each policy would get, the dates given per policy, and the problems."""
    shape = shape_of(assessment.framework_version)
    errors: dict[str, str] = {}
    wanted: dict[str, str | None] = {}

    def stage_ok(key: str, stage: str | None) -> bool:
        if stage in (None, ""):
            return True
        problem = target_problems(shape, stage=stage).get("stage_code")
        if problem:
            errors[key] = problem
        return problem is None

    if all_policies not in (None, "") and stage_ok("all_policies", all_policies):
        wanted.update(dict.fromkeys(shape.policy_codes, all_policies))
    for dimension, stage in (dimensions or {}).items():
        if dimension not in shape.dimension_name:
            errors[f"dimension_{dimension}"] = _("Unknown dimension %(code)s.") % {
                "code": dimension
            }
        elif stage_ok(f"dimension_{dimension}", stage) and stage not in (None, ""):
            wanted.update(dict.fromkeys(shape.dimension_policies[dimension], stage))
    for policy, stage in (targets or {}).items():
        problem = target_problems(shape, policy=policy).get("policy_code")
        if problem:
            errors[f"target_{policy}"] = problem
        elif stage_ok(f"target_{policy}", stage):
            wanted[policy] = stage or None
    dates = dict(target_dates or {})
    too_early = _("The target date must be after the assessment date (%(date)s).") % {
        "date": day(assessment.date)
    }
    if target_date is not None and target_date <= assessment.date:
        errors["target_date"] = too_early
    for policy, date in dates.items():
        if policy not in shape.policy_name:
            errors[f"date_{policy}"] = _("Unknown policy %(code)s.") % {"code": policy}
        elif date is not None and date <= assessment.date:
            errors[f"date_{policy}"] = too_early
    return wanted, dates, errors


def set_targets(
    *,
    assessment: Assessment,
    user: User | None,
    targets: Mapping[str, str | None] | None = None,
    dimensions: Mapping[str, str | None] | None = None,
    all_policies: str | None = None,
    target_date: dt.date | None = None,
    target_dates: Mapping[str, dt.date | None] | None = None,
) -> dict[str, str]:
    """Set target stages; an empty stage ("" or None) clears a policy's target.

    ``all_policies`` applies one stage to every policy, ``dimensions`` one stage to each policy
    of a dimension, ``targets`` one stage to one policy; the more specific one wins. Dates
    likewise: ``target_dates`` sets (or with None clears) one policy's date, ``target_date``
    the date of every other target this call touches; without either a target keeps its date.
    Returns all targets after the change.
    """
    wanted, dates, errors = _wanted_targets(
        assessment,
        targets=targets,
        dimensions=dimensions,
        all_policies=all_policies,
        target_date=target_date,
        target_dates=target_dates,
    )
    if errors:
        raise PlanningValidationError(errors)
    require_open_plan(assessment)
    with transaction.atomic():
        if wanted or dates:
            # Targets show in the API's read of the assessment (its profile); actions show
            # in no kept part, so they leave the revision alone. The UPDATE holds the
            # assessment's row: a finalization cannot slip in before the targets are written.
            try:
                count_change(assessment_id=assessment.pk)
            except AssessmentLockedError:  # finalized since the caller read it
                raise _plan_final() from None
        for policy, stage in wanted.items():
            if stage is None:
                Target.objects.filter(assessment=assessment, policy_code=policy).delete()
                continue
            defaults: dict[str, Any] = {"stage_code": stage, "updated_by": user}
            if policy in dates:
                defaults["target_date"] = dates[policy]
            elif target_date is not None:
                defaults["target_date"] = target_date
            Target.objects.update_or_create(
                assessment=assessment, policy_code=policy, defaults=defaults
            )
        for policy in set(dates) - set(wanted):  # a date alone changes an existing target
            Target.objects.filter(assessment=assessment, policy_code=policy).update(
                target_date=dates[policy], updated_by=user
            )
    return targets_of(assessment)


def target_problems(
    shape: Shape, *, policy: str | None = None, stage: str | None = None
) -> dict[str, str]:
    """What is wrong with a target's policy and stage in a model, by the target's field."""
    problems: dict[str, str] = {}
    if policy is not None and policy not in shape.policy_name:
        problems["policy_code"] = _("Unknown policy %(code)s.") % {"code": policy}
    if stage is not None and stage not in shape.stage_index:
        problems["stage_code"] = _("Unknown stage %(stage)s; use one of %(stages)s.") % {
            "stage": stage,
            "stages": ", ".join(shape.stage_codes),
        }
    return problems


def gaps_to_target(
    *, assessment: Assessment, statuses: Mapping[str, str] | None = None
) -> dict[str, tuple[str, ...]]:
    """For each policy with a target: the objectives not done at the target stage or below.

    Ordered by stage (lowest first), then model order, as the engine gives them.
    """
    targets = targets_of(assessment)
    result = profile_of(assessment, statuses=statuses, targets=targets)
    return {code: p.to_target for code, p in result.policies.items() if p.target is not None}


# ---------------------------------------------------------------------------------------------
# Reading actions and the plan as a whole


def actions_of(assessment: Assessment) -> QuerySet[Action]:
    """The assessment's actions with everything lists and analyses need (3 queries)."""
    return (
        Action.objects.filter(assessment=assessment)
        .select_related("owner_user")
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.order_by("position").only(
                    "id", "code", "policy_code", "stage_code", "position", "framework_version_id"
                ),
            )
        )
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


@dataclass(frozen=True)
class GapObjective:
    """An objective still to achieve toward a policy's target, and the open actions for it."""

    code: str
    stage: str
    text: str
    actions: list[Action]


@dataclass(frozen=True)
class PolicyGaps:
    code: str
    result: PolicyResult
    target_date: dt.date | None
    objectives: list[GapObjective]


@dataclass(frozen=True)
class Gaps:
    """Per policy, the objectives toward its target; ``uncovered``: those with no open action."""

    policies: list[PolicyGaps]
    uncovered: int


@dataclass(frozen=True)
class Plan:
    """Everything the roadmap pages compute from, loaded in a fixed number of queries."""

    assessment: Assessment
    shape: Shape
    statuses: dict[str, str]
    targets: dict[str, str]
    target_dates: dict[str, dt.date | None]
    actions: list[Action]

    def profile(self) -> Profile:
        return profile(self.shape, self.statuses, targets=self.targets)

    def projection(self) -> Projection:
        return project(
            shape=self.shape,
            statuses=self.statuses,
            actions=self.actions,
            targets=self.targets,
            target_dates=self.target_dates,
        )

    def warnings(self) -> list[SequencingWarning]:
        return sequencing_warnings(shape=self.shape, statuses=self.statuses, actions=self.actions)

    def totals(self) -> Totals:
        return totals(shape=self.shape, actions=self.actions)

    def gaps(self) -> Gaps:
        """The plan page's table (and the API's read of it): no query beyond the plan's."""
        titles = objective_titles(self.assessment.framework_version)
        covering: dict[str, list[Action]] = {}
        for action in self.actions:
            if action.status in OPEN_STATUSES:
                for objective in action.objectives.all():
                    covering.setdefault(objective.code, []).append(action)
        policies = [
            PolicyGaps(
                code,
                result,
                self.target_dates.get(code),
                [
                    GapObjective(
                        c, self.shape.objective_stage[c], titles.get(c, ""), covering.get(c, [])
                    )
                    for c in result.to_target
                ],
            )
            for code, result in self.profile().policies.items()
        ]
        uncovered = sum(1 for p in policies for o in p.objectives if not o.actions)
        return Gaps(policies, uncovered)


def plan_of(assessment: Assessment, *, actions: Iterable[Action] | None = None) -> Plan:
    rows = list(
        assessment.targets.order_by().values_list("policy_code", "stage_code", "target_date")
    )
    return Plan(
        assessment=assessment,
        shape=shape_of(assessment.framework_version),
        statuses=statuses_of(assessment),
        targets={policy: stage for policy, stage, _ in rows},
        target_dates={policy: date for policy, _, date in rows},
        actions=list(actions_of(assessment) if actions is None else actions),
    )


def display_value(action: Action, name: str) -> str:
    """A field's value as history and conflict messages show it."""
    if name == "objectives":
        return ", ".join(o.code for o in action.objectives.all())
    value = getattr(action, name)
    return _text(value)


def display_input(name: str, value: Any) -> str:
    """A submitted value as history and conflict messages show it."""
    if name == "objectives":
        return ", ".join(o.code if isinstance(o, Objective) else str(o) for o in value or [])
    if name == "cost" and value not in (None, ""):
        try:
            return str(Decimal(str(value)).quantize(Decimal("0.01")))
        except InvalidOperation:
            return str(value)
    return _text(value)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if hasattr(value, "email"):
        return str(value.email)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Objective):
        return value.code
    return str(value)


# ---------------------------------------------------------------------------------------------
# Writing actions


def _event(
    action: Action, user: User | None, source: str, field: str, old: str, new: str
) -> ActionEvent:
    return ActionEvent(**_event_kwargs(action, user, source, field, old, new))


def create_action(
    *,
    assessment: Assessment,
    user: User | None,
    data: Mapping[str, Any],
    source: str = "web",
) -> Action:
    """A new action; title is required, everything else optional (status defaults to proposed)."""
    full = {"title": "", **data}
    cleaned = clean_action(assessment=assessment, data=full)
    require_open_plan(assessment)
    objectives = cleaned.pop("objectives", None) or []
    cleaned.setdefault("currency", assessment.city.currency)
    with transaction.atomic():
        action = Action.objects.create(
            city=assessment.city, assessment=assessment, created_by=user, **cleaned
        )
        action.objectives.set(objectives)
        events = [_event(action, user, source, "created", "", action.title)]
        events += [
            _event(action, user, source, name, "", display_value(action, name))
            for name in ACTION_FIELDS
            if name != "title" and display_value(action, name)
        ]
        ActionEvent.objects.bulk_create(events)
    return action


def update_action(
    *,
    action: Action,
    user: User | None,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    source: str = "web",
) -> list[str]:
    """Apply changes, record each changed field; a stale ``expected_version`` is a conflict.

    Returns the names of the fields that changed (empty when nothing did).
    """
    cleaned = clean_action(assessment=action.assessment, data=changes, current=action)
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if expected_version is not None and current.version != expected_version:
            raise ActionConflictError(current)
        before = {name: display_value(current, name) for name in cleaned}
        objectives = cleaned.pop("objectives", None)
        for name, value in cleaned.items():
            setattr(current, name, value)
        after = {name: _text(getattr(current, name)) for name in cleaned}
        if objectives is not None:
            after["objectives"] = ", ".join(o.code for o in objectives)
        changed = [name for name in ACTION_FIELDS if name in after and after[name] != before[name]]
        if not changed:
            return []
        require_open_plan(current.assessment, carrying_out=set(changed) <= CARRYING_OUT)
        current.version += 1
        current.save(
            update_fields=[n for n in changed if n != "objectives"] + ["version", "updated_at"]
        )
        if "objectives" in changed:
            assert objectives is not None
            current.objectives.set(objectives)
        ActionEvent.objects.bulk_create(
            [_event(current, user, source, name, before[name], after[name]) for name in changed]
        )
    action.refresh_from_db()
    return changed


def delete_action(
    *, action: Action, user: User | None, expected_version: int | None = None, source: str = "web"
) -> None:
    """Delete an action; its history stays (with the action link emptied)."""
    require_open_plan(action.assessment)
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if expected_version is not None and current.version != expected_version:
            raise ActionConflictError(current)
        _event(current, user, source, "deleted", current.title, "").save()
        current.delete()


def _event_kwargs(
    action: Action, user: User | None, source: str, field: str, old: str, new: str
) -> dict[str, Any]:
    return {
        "city_id": action.city_id,
        "action": action,
        "action_uuid": action.uuid,
        "action_title": action.title,
        "field": field,
        "old_value": old,
        "new_value": new,
        "user": user,
        "source": source,
    }


def merge_actions(
    *,
    into: Action,
    others: Sequence[Action],
    user: User | None,
    expected_version: int | None = None,
    source: str = "web",
) -> Action:
    """Fold other actions of the same assessment into one, which keeps its title and owner.

    The merged action serves all of their objectives and stakeholder types, runs from the
    earliest start to the latest due date and costs the sum; their notes move over; the others
    are deleted, with a "merged into" entry in their history. A stale ``expected_version`` of
    ``into`` is a conflict, and nothing is merged.
    """
    errors: dict[str, str] = {}
    others = [o for o in others if o.pk != into.pk]
    if not others:
        errors["others"] = _("Choose at least one other action to merge into this one.")
    if any(o.assessment_id != into.assessment_id for o in others):
        errors["others"] = _("Only actions of the same assessment can be merged.")
    group = [into, *others]
    currencies = {a.currency for a in group if a.cost is not None}
    if len(currencies) > 1:
        errors["others"] = _(
            "These actions have costs in different currencies (%(currencies)s); "
            "change them to one currency before merging."
        ) % {"currencies": ", ".join(sorted(currencies))}
    if errors:
        raise PlanningValidationError(errors)
    require_open_plan(into.assessment)
    starts = [a.start_date for a in group if a.start_date]
    dues = [a.due_date for a in group if a.due_date]
    costs = [a.cost for a in group if a.cost is not None]
    objectives: dict[int, Objective] = {}
    types: list[str] = []
    for a in group:
        objectives.update({o.pk: o for o in a.objectives.all()})
        types.extend(a.stakeholder_types)
    descriptions = [into.description] + [
        f"{o.title}: {o.description}" if o.description else o.title for o in others
    ]
    changes: dict[str, Any] = {
        "objectives": list(objectives.values()),
        "stakeholder_types": list(dict.fromkeys(types)),
        "start_date": min(starts) if starts else None,
        "due_date": max(dues) if dues else None,
        "cost": sum(costs, Decimal(0)) if costs else None,
        "description": "\n\n".join(d for d in descriptions if d),
    }
    if currencies:
        changes["currency"] = currencies.pop()
    with transaction.atomic():
        update_action(
            action=into,
            user=user,
            changes=changes,
            expected_version=expected_version,
            source=source,
        )
        titles = "; ".join(o.title for o in others)
        _event(into, user, source, "merged", "", titles).save()
        for other in others:
            ActionNote.objects.filter(action=other).update(action=into)
            _event(other, user, source, "merged_into", other.title, into.title).save()
            other.delete()
    into.refresh_from_db()
    return into


def clean_note_text(text: Any, errors: dict[str, str]) -> str:
    """A progress note's text as it is stored; a problem goes to ``errors["text"]``."""
    cleaned = clean_text("text", text, MAX_TEXT, errors)
    if "text" not in errors and not cleaned:
        errors["text"] = _("Write what has happened.")
    return cleaned


def check_note(*, text: Any, date: Any) -> tuple[str, dt.date, dict[str, str]]:
    """A progress note's text and date as they are stored, and what is wrong with them."""
    errors: dict[str, str] = {}
    text = clean_note_text(text, errors)
    today = timezone.localdate()
    note_date = clean_date("date", date, errors) or today
    if "date" not in errors and note_date > today:
        errors["date"] = _("A progress note cannot be dated in the future.")
    return text, note_date, errors


def add_note(
    *, action: Action, user: User | None, text: str, date: dt.date | None = None
) -> ActionNote:
    """A dated progress note; the date defaults to today and cannot be in the future."""
    text, note_date, errors = check_note(text=text, date=date)
    if errors:
        raise PlanningValidationError(errors)
    require_open_plan(action.assessment, carrying_out=True)
    return ActionNote.objects.create(action=action, date=note_date, text=text, author=user)


# ---------------------------------------------------------------------------------------------
# Finishing an action and confirming its objectives


@dataclass(frozen=True)
class FinishResult:
    action: Action
    # Answers of the action's objectives that are not yet achieved or not applicable: the
    # assessment does not change until an editor confirms them with evidence.
    to_confirm: list[Answer]


def objectives_to_confirm(action: Action) -> list[Answer]:
    """The answers of the action's objectives that are not yet achieved or not applicable."""
    return list(
        Answer.objects.filter(
            assessment_id=action.assessment_id,
            objective__in=action.objectives.all(),
        )
        .exclude(status__in=DONE_ANSWERS)
        .select_related("objective")
        .order_by("objective__position")
    )


def finish_action(
    *, action: Action, user: User | None, expected_version: int | None = None, source: str = "web"
) -> FinishResult:
    """Mark the action done. The assessment is not touched: the result lists what to confirm."""
    update_action(
        action=action,
        user=user,
        changes={"status": ActionStatus.DONE},
        expected_version=expected_version,
        source=source,
    )
    return FinishResult(action, objectives_to_confirm(action))


def confirm_objectives(
    *,
    action: Action,
    user: User | None,
    codes: Iterable[str],
    evidence: str,
) -> list[SaveResult]:
    """Mark objectives of a finished action achieved in its assessment, with the evidence.

    The evidence is added to the answer's existing evidence; the answers' history records the
    change like any other (source "action").
    """
    errors: dict[str, str] = {}
    codes = list(dict.fromkeys(codes))
    evidence = clean_text("evidence", evidence, MAX_TEXT, errors)
    if "evidence" not in errors and not evidence:
        errors["evidence"] = _("Say what shows that the objective is achieved.")
    if action.status != ActionStatus.DONE:
        errors["status"] = _("Finish the action before confirming its objectives.")
    if action.assessment.status == AssessmentStatus.FINAL:
        errors["assessment"] = _(
            "The assessment is final; record the achievement in the next cycle."
        )
    pending = {a.objective.code: a for a in objectives_to_confirm(action)}
    if not codes:
        errors["codes"] = _("Choose the objectives to mark achieved.")
    unknown = [code for code in codes if code not in pending]
    if unknown:
        errors["codes"] = _(
            "%(codes)s: not an objective of this action that is still to be confirmed."
        ) % {"codes": ", ".join(unknown)}
    if errors:
        raise PlanningValidationError(errors)
    results = []
    with transaction.atomic():
        for code in codes:
            answer = pending[code]
            combined = f"{answer.evidence}\n\n{evidence}" if answer.evidence else evidence
            results.append(
                save_answer(
                    answer=answer,
                    user=user,
                    changes={"status": AnswerStatus.ACHIEVED, "evidence": combined},
                    expected_version=answer.version,
                    source="action",
                )
            )
    return results


# ---------------------------------------------------------------------------------------------
# Proposed actions and city settings


def create_proposed_actions(*, assessment: Assessment, user: User | None) -> list[Action]:
    """One proposed action per gap objective toward the targets, grouped by policy.

    Objectives that already have an open action (proposed, planned or in progress) are
    skipped, so running this again only adds what is missing.
    """
    require_open_plan(assessment)
    gaps = gaps_to_target(assessment=assessment)
    wanted = [code for policy_codes in gaps.values() for code in policy_codes]
    covered = set(
        Action.objects.filter(assessment=assessment, status__in=OPEN_STATUSES).values_list(
            "objectives__code", flat=True
        )
    )
    todo = [code for code in wanted if code not in covered]
    objectives = {
        o.code: o
        for o in Objective.objects.filter(
            framework_version=assessment.framework_version, code__in=todo
        )
    }
    created = []
    with transaction.atomic():
        for code in todo:
            objective = objectives[code]
            title = f"{code}: {objective.shown_text}"
            if len(title) > 200:
                title = title[:199].rstrip() + "…"
            action = Action.objects.create(
                city=assessment.city,
                assessment=assessment,
                title=title,
                description=objective.shown_text,
                currency=assessment.city.currency,
                status=ActionStatus.PROPOSED,
                created_by=user,
            )
            action.objectives.set([objective])
            created.append(action)
        ActionEvent.objects.bulk_create(
            [
                event
                for code, action in zip(todo, created, strict=True)
                for event in (
                    _event(action, user, "proposal", "created", "", action.title),
                    _event(action, user, "proposal", "objectives", "", code),
                )
            ]
        )
    return created


def clean_stakeholder_types(types: Any) -> list[str]:
    """A city's list of stakeholder types as it is stored (order kept, blanks and repeats
    dropped), or PlanningValidationError."""
    errors: dict[str, str] = {}
    if not isinstance(types, list | tuple) or not all(isinstance(t, str) for t in types):
        raise PlanningValidationError({"stakeholder_types": _("Give a list of texts.")})
    cleaned = list(dict.fromkeys(t.strip() for t in types if t.strip()))
    if not cleaned:
        errors["stakeholder_types"] = _("Keep at least one stakeholder type.")
    long = [t for t in cleaned if len(t) > 100]
    if long:
        errors["stakeholder_types"] = _("Each type has at most 100 characters: %(type)s") % {
            "type": long[0][:40] + "…"
        }
    if errors:
        raise PlanningValidationError(errors)
    return cleaned


def set_stakeholder_types(*, city: City, types: Iterable[str]) -> list[str]:
    """Replace the city's list of stakeholder types (order kept, blanks and repeats dropped)."""
    cleaned = clean_stakeholder_types(types)
    in_use = sorted(
        {
            t
            for types_ in Action.objects.filter(city=city).values_list(
                "stakeholder_types", flat=True
            )
            for t in types_
        }
        - set(cleaned)
    )
    if in_use:
        raise PlanningValidationError(
            {
                "stakeholder_types": _(
                    "Still used by actions, so they cannot be removed: %(types)s."
                )
                % {"types": ", ".join(in_use)}
            }
        )
    city.stakeholder_types = cleaned
    city.save(update_fields=["stakeholder_types"])
    return cleaned


def start_assessment(
    *,
    city: City,
    user: User | None,
    title: str,
    date: dt.date,
    copy_from: Assessment | None = None,
    framework_version: FrameworkVersion | None = None,
) -> Assessment:
    """A new draft on ``framework_version`` (see ``create_assessment`` for the default); as a
    new cycle (``copy_from``) it continues the previous cycle's answers and its plan (targets
    and open actions), all in one transaction."""
    with transaction.atomic():
        assessment = create_assessment(
            city=city,
            user=user,
            title=title,
            date=date,
            copy_from=copy_from,
            framework_version=framework_version,
        )
        if copy_from is not None:
            carry_over(previous=copy_from, assessment=assessment, user=user)
    return assessment


def carry_over(*, previous: Assessment, assessment: Assessment, user: User | None) -> list[Action]:
    """Continue the plan in a new cycle: the previous cycle's targets and its open actions.

    The previous cycle keeps its own plan untouched (a final assessment is a record). Each
    open action is copied with its owner, dates, cost and status, pointing at the objectives
    of the new cycle's model version with the same codes, and its history starts with a note
    of where it came from.
    """
    if previous.city_id != assessment.city_id:
        raise ValueError("A plan can only be carried over within one city.")
    objectives = {
        o.code: o for o in Objective.objects.filter(framework_version=assessment.framework_version)
    }
    shape = shape_of(assessment.framework_version)
    carried: list[Action] = []
    with transaction.atomic():
        if not assessment.targets.exists():
            copied = Target.objects.bulk_create(
                Target(
                    assessment=assessment,
                    policy_code=t.policy_code,
                    stage_code=t.stage_code,
                    target_date=t.target_date,
                    updated_by=user,
                )
                for t in previous.targets.order_by("policy_code")
                if t.policy_code in shape.policy_codes and t.stage_code in shape.stage_codes
            )
            if copied:
                # Targets show in the API's read of the assessment (its profile).
                count_change(assessment_id=assessment.pk, draft=False)
        source_actions = (
            previous.actions.filter(status__in=OPEN_STATUSES)
            .prefetch_related("objectives")
            .order_by("id")
        )
        events: list[ActionEvent] = []
        for old in source_actions:
            action = Action.objects.create(
                city=assessment.city,
                assessment=assessment,
                title=old.title,
                description=old.description,
                owner_user=old.owner_user,
                owner_department=old.owner_department,
                stakeholder_types=list(old.stakeholder_types),
                start_date=old.start_date,
                due_date=old.due_date,
                cost=old.cost,
                currency=old.currency,
                status=old.status,
                created_by=user,
            )
            action.objectives.set(
                [objectives[o.code] for o in old.objectives.all() if o.code in objectives]
            )
            events.append(
                _event(action, user, "carry-over", "created", "", f"{old.title} ({previous.title})")
            )
            carried.append(action)
        ActionEvent.objects.bulk_create(events)
    return carried
