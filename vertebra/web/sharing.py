"""The city's Sharing page (admins: benchmarking consent, publishing) and its benchmark page."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vertebra import access
from vertebra.access import Load, Verb
from vertebra.cities.models import Membership
from vertebra.frameworks.domain import shape_of
from vertebra.frameworks.models import FrameworkVersion
from vertebra.sharing import benchmark, public
from vertebra.sharing.models import Licence
from vertebra.web.scope import user_of


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=gettext_lazy("We agree to share exactly this, until we opt out."),
        error_messages={"required": gettext_lazy("Tick the box to agree to what is shared.")},
    )


class PublishForm(forms.Form):
    licence = forms.ChoiceField(label=gettext_lazy("Licence"), choices=Licence.choices)
    include_costs = forms.BooleanField(
        label=gettext_lazy("Show the action plan's estimated costs"), required=False
    )


def _sharing_page(
    request: HttpRequest,
    membership: Membership,
    *,
    consent_form: ConsentForm | None = None,
    publish_form: PublishForm | None = None,
    status: int = 200,
) -> HttpResponse:
    city = membership.city
    choices, history = access.sharing_of(membership)
    initial = (
        {"licence": choices.licence, "include_costs": choices.include_costs} if choices else {}
    )
    rows = []
    for assessment in access.final_assessments_of(membership):
        published = getattr(assessment, "publication", None)  # None when not published
        rows.append({"assessment": assessment, "publication": published})
    return render(
        request,
        "web/sharing.html",
        {
            "membership": membership,
            "city": city,
            "consent_text": benchmark.consent_text(),
            "consent_form": consent_form or ConsentForm(),
            "publish_form": publish_form or PublishForm(initial=initial),
            "rows": rows,
            "published_any": any(r["publication"] for r in rows),
            "history": history,
        },
        status=status,
    )


@login_required
@require_GET
def sharing(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_CITY)
    return _sharing_page(request, membership)


@login_required
@require_POST
def opt_in(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_CITY)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _sharing_page(request, membership, consent_form=form, status=400)
    benchmark.opt_in(city=membership.city, by=user_of(request))
    messages.success(request, _("Your city takes part in benchmarking from now on."))
    return redirect("web:sharing", city_slug)


@login_required
@require_POST
def opt_out(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_CITY)
    benchmark.opt_out(city=membership.city, by=user_of(request))
    messages.success(request, _("Your city no longer takes part in benchmarking."))
    return redirect("web:sharing", city_slug)


@login_required
@require_POST
def publish(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_CITY)
    assessment = access.assessment_in(membership, assessment_uuid)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            public.publish(
                assessment=assessment,
                by=user_of(request),
                licence=form.cleaned_data["licence"],
                include_costs=form.cleaned_data["include_costs"],
            )
        except public.PublishError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The assessment is on the city's public page."))
            return redirect("web:sharing", city_slug)
    return _sharing_page(request, membership, publish_form=form, status=400)


@login_required
@require_POST
def unpublish(request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.MANAGE_CITY)
    assessment = access.assessment_in(membership, assessment_uuid)
    public.unpublish(assessment=assessment, by=user_of(request))
    messages.success(request, _("The assessment is no longer public."))
    return redirect("web:sharing", city_slug)


# --- the benchmark page --------------------------------------------------------------------


def _version_asked(request: HttpRequest, membership: Membership) -> FrameworkVersion | None:
    """The model version in the address, else that of the city's latest assessment."""
    framework = request.GET.get("framework", "")
    version = request.GET.get("version", "")
    if framework or version:
        if not version.isdigit() or len(version) > 9:
            return None
        return FrameworkVersion.objects.filter(framework_id=framework, version=int(version)).first()
    latest = access.assessments(membership.city, load=Load.PAGE).first()
    return latest.framework_version if latest is not None else FrameworkVersion.objects.first()


@login_required
@require_GET
def benchmark_page(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug)
    version = _version_asked(request, membership)
    figures = refusal = None
    if version is None:
        refusal = _("No such model version: choose one from the list.")
    else:
        try:
            figures = benchmark.benchmark_for(city=membership.city, framework_version=version)
        except benchmark.BenchmarkError as error:
            refusal = str(error)
    shape = shape_of(version) if version is not None else None
    return render(
        request,
        "web/benchmark.html",
        {
            "membership": membership,
            "city": membership.city,
            "may": access.may(membership),
            "versions": FrameworkVersion.objects.order_by("framework_id", "-version").defer(
                "definition"
            ),
            "version": version,
            "figures": figures,
            "refusal": refusal,
            "stage_names": dict(shape.stage_names) if shape else {},
            "minimum": benchmark.MIN_OTHER_CITIES,
        },
    )
