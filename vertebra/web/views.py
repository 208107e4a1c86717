"""Home, city and assessment-lifecycle pages: create, finalize, start a new cycle."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vertebra import access
from vertebra.access import Load, Verb
from vertebra.assessments.domain import AssessmentLockedError, finalize
from vertebra.assessments.models import Assessment
from vertebra.cities.models import Role
from vertebra.frameworks.domain import loaded_versions, shape_of
from vertebra.planning.domain import start_assessment
from vertebra.web.forms import AssessmentCreateForm
from vertebra.web.presenters import coverage_percent, stage_label
from vertebra.web.scope import load_scope, profiles_for, user_of


class LogoutPage(LogoutView):
    """Logging out is a POST (a link must not log anyone out); the address opened in the
    browser shows a page with the button instead of an empty 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "web/logout.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cities = list(access.cities_of(user_of(request)).annotate(my_role=F("memberships__role")))
    latest: dict[int, Assessment] = {}
    for candidate in access.assessments(cities, load=Load.PAGE):
        latest.setdefault(candidate.city_id, candidate)
    profiles = profiles_for(latest.values())
    rows = []
    for city in cities:
        assessment = latest.get(city.pk)
        prof = profiles.get(assessment.pk) if assessment else None
        rows.append(
            {
                "city": city,
                "role_label": Role(city.my_role).label,
                "assessment": assessment,
                "stage": stage_label(shape_of(assessment.framework_version), prof.overall.stage)
                if assessment and prof
                else "",
            }
        )
    return render(request, "web/home.html", {"rows": rows})


@login_required
def city_home(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug)
    city = membership.city
    assessments = list(access.assessments(city, load=Load.PAGE))
    profiles = profiles_for(assessments)
    rows = []
    for assessment in assessments:
        prof = profiles[assessment.pk]
        rows.append(
            {
                "assessment": assessment,
                "stage": stage_label(shape_of(assessment.framework_version), prof.overall.stage),
                "answered": prof.answered,
                "total": prof.total,
                "coverage": coverage_percent(prof),
            }
        )
    return render(
        request,
        "web/city.html",
        {"membership": membership, "city": city, "rows": rows, "may": access.may(membership)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, city_slug: str) -> HttpResponse:
    membership = access.membership_in(user_of(request), city_slug, verb=Verb.START_ASSESSMENT)
    city = membership.city
    previous = list(access.assessments(city, load=Load.PAGE))
    versions = loaded_versions()
    if request.method == "POST":
        form = AssessmentCreateForm(request.POST, previous=previous, versions=versions)
        if form.is_valid():
            assessment = start_assessment(
                city=city,
                user=user_of(request),
                title=form.cleaned_data["title"],
                date=form.cleaned_data["date"],
                copy_from=form.cleaned_data["copy_from"],
                framework_version=form.chosen_version,
            )
            messages.success(
                request, _("The assessment “%(title)s” was created.") % {"title": assessment.title}
            )
            return redirect("web:assessment", city.slug, assessment.uuid)
        status = 400
    else:
        initial = {}
        source = request.GET.get("from", "")
        if any(str(a.uuid) == source for a in previous):
            initial["copy_from"] = source
        form = AssessmentCreateForm(initial=initial, previous=previous, versions=versions)
        status = 200
    return render(
        request,
        "web/assessment_new.html",
        {"membership": membership, "city": city, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_finalize(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid, verb=Verb.FINALIZE)
    assessment = scope.assessment
    if assessment.is_final:
        messages.info(request, _("This assessment is already final."))
        return redirect("web:assessment", scope.city.slug, assessment.uuid)
    if request.method == "POST":
        try:
            finalize(assessment=assessment, user=user_of(request))
        except AssessmentLockedError:
            messages.info(request, _("This assessment is already final."))
        else:
            messages.success(
                request,
                _("“%(title)s” is now final. Its answers can no longer be changed.")
                % {"title": assessment.title},
            )
        return redirect("web:assessment", scope.city.slug, assessment.uuid)
    prof = profiles_for([assessment])[assessment.pk]
    return render(
        request,
        "web/assessment_finalize.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": assessment,
            "answered": prof.answered,
            "total": prof.total,
            "unanswered": prof.total - prof.answered,
            "stage": stage_label(scope.shape, prof.overall.stage),
        },
    )
