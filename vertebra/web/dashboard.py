"""The assessment page (maturity dashboard) and the assessment's history."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from vertebra.assessments.models import AnswerEvent
from vertebra.reports.charts import policy_stages_svg
from vertebra.web.cards import ObjectiveLinks, history_rows, labels_of
from vertebra.web.forms import FIELD_LABELS
from vertebra.web.presenters import coverage_percent, dimension_rows, overall_view, stages
from vertebra.web.scope import load_scope, profiles_for

HISTORY_PAGE_SIZE = 50


@login_required
@require_GET
def assessment_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    assessment = scope.assessment
    shape = scope.shape
    prof = profiles_for([assessment])[assessment.pk]
    chart = policy_stages_svg(prof, shape)
    return render(
        request,
        "web/assessment.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": assessment,
            "profile": prof,
            "overall": overall_view(shape, prof),
            "dimensions": dimension_rows(shape, prof),
            "stages": stages(shape),
            "coverage": coverage_percent(prof),
            # Built from escaped text only by vertebra.reports.charts.
            "chart": mark_safe(chart),  # noqa: S308
        },
    )


@login_required
@require_GET
def assessment_history(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    events = AnswerEvent.objects.filter(assessment=scope.assessment).select_related("user")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    links = ObjectiveLinks(scope.city.slug, scope.assessment)
    return render(
        request,
        "web/history.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "page": page,
            "rows": history_rows(page.object_list, labels_of(FIELD_LABELS), links),
        },
    )
