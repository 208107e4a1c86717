"""Home, city and assessment-lifecycle pages: create, finalize, start a new cycle."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vertebra import access, fragments, paging
from vertebra.access import Load, Verb
from vertebra.assessments.domain import AssessmentLockedError, finalize
from vertebra.assessments.models import Assessment
from vertebra.cities.models import Role
from vertebra.explanations import stage_label
from vertebra.frameworks.domain import loaded_versions, shape_of
from vertebra.planning.domain import start_assessment
from vertebra.web.forms import AssessmentCreateForm
from vertebra.web.presenters import coverage_percent
from vertebra.web.scope import load_scope, profiles_for, user_of


class LogoutPage(LogoutView):
    """Logging out is a POST (a link must not log anyone out); the address opened in the
    browser shows a page with the button instead of an empty 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "web/logout.html")


# The cities on one page of the home page; a search finds any other.
HOME_CITIES = 20
MAX_SEARCH = 100


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's cities, a page at a time with a search, each with its latest assessment
    and stage: a fixed number of queries and at most HOME_CITIES rows, however many cities."""
    search = " ".join(request.GET.get("q", "")[:MAX_SEARCH].split())
    user = user_of(request)
    # Plain values, not model instances: what the rows show and the keys of what they link.
    found = access.memberships_matching(user, search).values(*HOME_ROW_FIELDS)
    page = paging.page_of(found, request.GET.get("page"), HOME_CITIES)
    members: list[dict[str, Any]] = list(page.object_list)
    # The list (search, count, table and pages) is kept whole, keyed by what shows in it,
    # read without loading the assessments: a page of cities seen again costs three small
    # queries and one lookup, however many rows it has. The assessments are loaded only to
    # draw it anew.
    latest_ids = [m["latest_id"] for m in members if m["latest_id"]]
    states = access.assessment_states(user, latest_ids, HOME_STATE_FIELDS)
    rows_key = tuple(
        (m["city__slug"], m["city__name"], m["role"], states.get(m["latest_id"] or 0))
        for m in members
    )
    key = (search, page.number, page.paginator.count, rows_key)
    # Rendered by the template engine, so escaped already.
    listing = SafeString(
        fragments.kept("home-cities", key, lambda: _cities_listing(members, page, search))
    )
    return render(request, "web/home.html", {"listing": listing})


# What a row of the home page's table shows of a membership, as ``values`` names.
HOME_ROW_FIELDS = ("role", "city_id", "city__slug", "city__name", "latest_id")
# What it shows of the city's latest assessment, as ``values_list`` names: its link, title,
# date and status, and its overall stage (which its answers, counted by the revision, and its
# model version give). Fewer than fragments.STATE_FIELDS: no times to read for each row.
HOME_STATE_FIELDS = ("uuid", "revision", "title", "date", "status", "framework_version__digest")


def _cities_listing(members: list[dict[str, Any]], page: Page[Any], search: str) -> str:
    """The home page's list of these memberships' cities with their latest assessments: the
    search form and count, the table and the links to the other pages."""
    latest = {
        a.pk: a
        for a in access.assessments([m["city_id"] for m in members], load=Load.PAGE)
        .select_related("city")
        .filter(pk__in=[m["latest_id"] for m in members if m["latest_id"]])
    }
    rows: list[dict[str, Any]] = []
    for member in members:
        assessment = latest.get(member["latest_id"] or 0)
        rows.append(
            {
                "city": {"slug": member["city__slug"], "name": member["city__name"]},
                "role_label": Role(member["role"]).label,
                "assessment": assessment,
            }
        )
    stages = overall_stages([row["assessment"] for row in rows if row["assessment"]])
    for row in rows:
        row["stage"] = stages.get(row["assessment"].pk, "") if row["assessment"] else ""
    return render_to_string("web/_home_cities.html", {"rows": rows, "page": page, "search": search})


def overall_stages(assessments: list[Assessment]) -> dict[int, str]:
    """Each assessment's overall stage in words, kept per revision of the assessment (a page
    of cities seen again reads no answers)."""
    stages: dict[int, str] = {}
    missing = []
    for assessment in assessments:
        key = fragments.assessment_state(assessment)
        found = fragments.look_up("overall-stage", key)
        if found is None:
            missing.append(assessment)
        else:
            stages[assessment.pk] = found
    profiles = profiles_for(missing)
    for assessment in missing:
        stage = str(
            stage_label(
                shape_of(assessment.framework_version), profiles[assessment.pk].overall.stage
            )
        )
        fragments.keep("overall-stage", fragments.assessment_state(assessment), stage)
        stages[assessment.pk] = stage
    return stages


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
