"""The facilitator's workshop pages: opening a workshop, the list, and the workshop's page
with its join code and QR code (admins and editors of the city: whoever may edit answers).

Every rule is in ``vertebra.workshops.domain``, the same functions the API calls; the city's
data is reached through ``vertebra.access`` (``load_scope``, ``workshop_in``).
"""

from __future__ import annotations

import uuid

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from vertebra import access
from vertebra.access import Verb
from vertebra.assessments.domain import AssessmentLockedError
from vertebra.assessments.models import AnswerStatus
from vertebra.frameworks.domain import objective_titles
from vertebra.web.scope import AssessmentScope, load_scope, user_of
from vertebra.workshops import domain
from vertebra.workshops.models import RatingStatus, Workshop

# How often the facilitator's live view asks for the results again.
POLL_SECONDS = 3


class WorkshopForm(forms.Form):
    """What the facilitator types; the rules (lengths, known policies and types) are
    ``domain.clean_workshop``'s, whose messages land on the fields here."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=domain.MAX_TITLE)
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    policies = forms.MultipleChoiceField(
        label=gettext_lazy("Policies to cover"), widget=forms.CheckboxSelectMultiple
    )
    stakeholder_types = forms.MultipleChoiceField(
        label=gettext_lazy("Stakeholder types expected"), widget=forms.CheckboxSelectMultiple
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("Anonymous ratings (the facilitator sees no names)"), required=False
    )

    def __init__(self, *args: object, scope: AssessmentScope, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        shape = scope.shape
        self.fields["policies"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} {shape.policy_name[code]}") for code in shape.policy_codes
        ]
        self.fields["stakeholder_types"].choices = [  # type: ignore[attr-defined]
            (kind, kind) for kind in scope.city.stakeholder_types
        ]


def _facilitator(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> AssessmentScope:
    """The assessment of a facilitator: 404 outside the city, 403 for roles that may not
    edit answers."""
    return load_scope(request, city_slug, assessment_uuid, verb=Verb.EDIT_ANSWERS)


def join_url(request: HttpRequest, workshop: Workshop) -> str:
    return request.build_absolute_uri(reverse("join_workshop", args=[workshop.join_code]))


def qr_svg(address: str) -> str:
    """The QR code of an address as inline SVG, drawn here (no outside request)."""
    code = segno.make(address, micro=False, error="m")
    return str(
        code.svg_inline(scale=8, border=2, dark="#000", light="#fff", omitsize=True, title=address)
    )


@login_required
def workshop_list(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _facilitator(request, city_slug, assessment_uuid)
    rows = access.workshops_of(scope).annotate(joined=Count("participants"))
    return render(
        request,
        "workshops/list.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "workshops": list(rows),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_new(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    scope = _facilitator(request, city_slug, assessment_uuid)
    assessment = scope.assessment
    status = 200
    if request.method == "POST":
        form = WorkshopForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                workshop = domain.create_workshop(
                    assessment=assessment, user=user_of(request), data=form.cleaned_data
                )
            except domain.WorkshopValidationError as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            except AssessmentLockedError as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(
                    request,
                    _("The workshop “%(title)s” is open: its join code is %(code)s.")
                    % {"title": workshop.title, "code": workshop.join_code},
                )
                return redirect("web:workshop", scope.city.slug, assessment.uuid, workshop.uuid)
        status = status if status != 200 else 400
    else:
        form = WorkshopForm(
            scope=scope,
            initial={
                "date": timezone.localdate(),
                "policies": list(scope.shape.policy_codes),
                "stakeholder_types": list(scope.city.stakeholder_types),
            },
        )
    return render(
        request,
        "workshops/new.html",
        {"scope": scope, "city": scope.city, "assessment": assessment, "form": form},
        status=status,
    )


def participation_rows(workshop: Workshop, joined: dict[str, int]) -> list[tuple[str, int]]:
    """Participants per stakeholder type: every type the workshop expects, in its order (0
    when nobody of it joined), then any other that joined."""
    expected = list(workshop.stakeholder_types)
    others = [kind for kind in joined if kind not in expected]
    return [(kind, joined.get(kind, 0)) for kind in expected + others]


def _summary(workshop: Workshop, live: dict[str, object], agreed: int) -> dict[str, object]:
    """What a closed workshop leaves: when it closed, who took part, what was agreed."""
    rows = live["rows"]
    assert isinstance(rows, list)
    participation = live["participation"]
    assert isinstance(participation, list)
    return {
        "closed_at": workshop.closed_at,
        "joined": live["joined"],
        "kinds": sum(1 for kind, count in participation if count),
        "expected": len(workshop.stakeholder_types),
        "agreed": agreed,
        "objectives": len(rows),
        "flagged": sum(1 for row in rows if row["result"].flagged),
    }


def _live(workshop: Workshop) -> dict[str, object]:
    """The results per objective, the most disputed first: flagged ones, then by agreement
    (lowest first), objectives nobody rated last; and the participants per type."""
    found = domain.results_of(workshop)
    titles = objective_titles(workshop.assessment.framework_version)
    order = {code: n for n, code in enumerate(domain.covered_codes(workshop))}
    rows = sorted(
        found.objectives,
        key=lambda r: (
            not r.flagged,
            2.0 if r.agreement is None else r.agreement,
            order[r.code],
        ),
    )
    return {
        "rows": [
            {
                "result": r,
                "text": titles.get(r.code, ""),
                "distribution": [
                    (label, r.distribution.get(value, 0)) for value, label in RatingStatus.choices
                ],
                "by_type": [
                    (
                        kind,
                        [
                            (label, counts[value])
                            for value, label in RatingStatus.choices
                            if counts.get(value)
                        ],
                    )
                    for kind, counts in sorted(r.by_stakeholder_type.items())
                ],
                "share": None if r.agreement is None else round(r.agreement * 100),
            }
            for r in rows
        ],
        "participants": sorted(found.participants.items()),
        "participation": participation_rows(workshop, found.participants),
        "joined": sum(found.participants.values()),
        "poll": POLL_SECONDS if not workshop.is_closed else None,
    }


def _agree_rows(
    workshop: Workshop, posted: dict[str, str] | None = None
) -> list[dict[str, object]]:
    """The city's current answer of each covered objective, with the version the agreement
    form sends back (a changed answer is then a conflict, not overwritten); the objective of
    a refused post keeps the note and progress typed (``posted``)."""
    codes = domain.covered_codes(workshop)
    answers = {
        a.objective.code: a
        for a in workshop.assessment.answers.filter(objective__code__in=codes)
        .select_related("objective")
        .order_by()
    }
    decided = {d.objective_code: d for d in workshop.decisions.all()}
    rows: list[dict[str, object]] = []
    for code in codes:
        answer = answers[code]
        typed = posted if posted is not None and posted.get("code") == code else None
        rows.append(
            {
                "code": code,
                "answer": answer,
                "decision": decided.get(code),
                "note": typed["note"] if typed else "",
                "progress": typed["progress"]
                if typed
                else ("" if answer.progress is None else answer.progress),
            }
        )
    return rows


def _workshop_page(
    request: HttpRequest,
    scope: AssessmentScope,
    workshop: Workshop,
    *,
    agree_errors: dict[str, str] | None = None,
    conflict: dict[str, object] | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    address = join_url(request, workshop)
    shape = scope.shape
    live = _live(workshop)
    agree = _agree_rows(workshop, posted)
    agreed = sum(1 for row in agree if row["decision"] is not None)
    return render(
        request,
        "workshops/workshop.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "workshop": workshop,
            "join_url": address,
            "qr": mark_safe(qr_svg(address)),  # noqa: S308 - segno's SVG of an escaped address
            "policies": [(code, shape.policy_name[code]) for code in workshop.policies],
            "live": live,
            "agree": agree,
            "summary": _summary(workshop, live, agreed) if workshop.is_closed else None,
            "answer_statuses": AnswerStatus.choices,
            "agree_errors": agree_errors or {},
            "conflict": conflict,
            "can_agree": not workshop.is_closed and not scope.assessment.is_final,
        },
        status=status,
    )


@login_required
def workshop_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, workshop_uuid: uuid.UUID
) -> HttpResponse:
    scope = _facilitator(request, city_slug, assessment_uuid)
    return _workshop_page(request, scope, access.workshop_in(scope, workshop_uuid))


@login_required
def workshop_live(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, workshop_uuid: uuid.UUID
) -> HttpResponse:
    """The live results alone: the fragment the workshop page asks for every few seconds."""
    scope = _facilitator(request, city_slug, assessment_uuid)
    workshop = access.workshop_in(scope, workshop_uuid)
    context = {"workshop": workshop, "city": scope.city, "assessment": scope.assessment}
    return render(request, "workshops/_live.html", {**context, "live": _live(workshop)})


def _step(
    request: HttpRequest,
    city_slug: str,
    assessment_uuid: uuid.UUID,
    workshop_uuid: uuid.UUID,
    *,
    reveal: bool,
) -> HttpResponse:
    scope = _facilitator(request, city_slug, assessment_uuid)
    workshop = access.workshop_in(scope, workshop_uuid)
    try:
        if reveal:
            domain.reveal(workshop=workshop)
            messages.success(request, _("The results are revealed to the participants."))
        else:
            domain.close(workshop=workshop)
            messages.success(request, _("The workshop is closed. Its ratings are kept."))
    except domain.WorkshopStateError as exc:
        messages.error(request, str(exc))
    return redirect("web:workshop", scope.city.slug, scope.assessment.uuid, workshop.uuid)


@login_required
@require_POST
def workshop_reveal(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, workshop_uuid: uuid.UUID
) -> HttpResponse:
    """The participants may see the results from now on."""
    return _step(request, city_slug, assessment_uuid, workshop_uuid, reveal=True)


@login_required
@require_POST
def workshop_close(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, workshop_uuid: uuid.UUID
) -> HttpResponse:
    """No more joining or rating; everything is kept."""
    return _step(request, city_slug, assessment_uuid, workshop_uuid, reveal=False)


def _number(text: str) -> object:
    """A whole number as typed, or the text itself for the domain to name as wrong."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 6 else text


@login_required
@require_POST
def workshop_agree(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, workshop_uuid: uuid.UUID
) -> HttpResponse:
    """Record the agreed answer of one objective through ``domain.record_consensus``, the
    API's path: validated first, the version read checked (a stale one shows the conflict)."""
    scope = _facilitator(request, city_slug, assessment_uuid)
    workshop = access.workshop_in(scope, workshop_uuid)
    code = request.POST.get("code", "")
    version = _number(request.POST.get("version", ""))
    status = request.POST.get("status", "")
    progress = _number(request.POST.get("progress", "")) if status == "in_progress" else None
    item = domain.AgreedAnswer(
        code,
        status,
        progress,
        request.POST.get("note", ""),
        version if isinstance(version, int) else None,
    )
    # What the facilitator typed comes back with a refusal, so a note is never lost.
    posted = {
        "code": code,
        "note": request.POST.get("note", ""),
        "progress": request.POST.get("progress", ""),
    }
    try:
        domain.record_consensus(workshop=workshop, user=user_of(request), answers=[item])
    except domain.WorkshopValidationError as exc:
        errors = {name.split(".")[-1]: message for name, message in exc.errors.items()}
        return _workshop_page(
            request, scope, workshop, agree_errors=errors, posted=posted, status=400
        )
    except domain.ConsensusConflictError as exc:
        current = exc.current.get(code)
        return _workshop_page(
            request,
            scope,
            workshop,
            conflict={"code": code, "message": str(exc), "answer": current},
            posted=posted,
            status=409,
        )
    except (domain.WorkshopClosedError, AssessmentLockedError) as exc:
        messages.error(request, str(exc))
        return redirect("web:workshop", scope.city.slug, scope.assessment.uuid, workshop.uuid)
    messages.success(request, _("The agreed answer of %(code)s is saved.") % {"code": code})
    url = reverse("web:workshop", args=[scope.city.slug, scope.assessment.uuid, workshop.uuid])
    return redirect(f"{url}#agree-{code}")
