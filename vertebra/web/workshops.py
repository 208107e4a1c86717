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
from django.views.decorators.http import require_http_methods

from vertebra import access
from vertebra.access import Verb
from vertebra.assessments.domain import AssessmentLockedError
from vertebra.web.scope import AssessmentScope, load_scope, user_of
from vertebra.workshops import domain
from vertebra.workshops.models import Workshop


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


@login_required
def workshop_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, workshop_uuid: uuid.UUID
) -> HttpResponse:
    scope = _facilitator(request, city_slug, assessment_uuid)
    workshop = access.workshop_in(scope, workshop_uuid)
    address = join_url(request, workshop)
    shape = scope.shape
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
            "participants": workshop.participants.count(),
        },
    )
