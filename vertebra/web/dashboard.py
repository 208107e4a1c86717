"""The assessment page (maturity dashboard) and the assessment's history."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from vertebra.assessments.models import AnswerEvent
from vertebra.frameworks.models import FrameworkVersion
from vertebra.maturity import Profile, Shape
from vertebra.reports.charts import policy_stages_svg
from vertebra.web.cards import ObjectiveLinks, history_rows, translated_labels
from vertebra.web.forms import FIELD_LABELS
from vertebra.web.presenters import coverage_percent, dimension_rows, overall_view, stages
from vertebra.web.scope import load_scope, profiles_for

HISTORY_PAGE_SIZE = 50
_POLICY = "__policy__"  # policy codes are URL-safe (letters, digits, "_", "." and "-")


_CHARTS: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_CHARTS_KEPT = 256
_CHARTS_LOCK = threading.Lock()


def _chart(framework_version: FrameworkVersion, prof: Profile, shape: Shape) -> str:
    """The policies' stage chart, drawn once per distinct set of stages and progress.

    The chart shows each policy's stage and progress toward the next stage, with the model's
    names in the active language: those and the model version are the key, so equal
    figures give the same drawing and any saved change gives a new one.
    """
    shown = tuple(
        (code, r.stage, r.next_stage, r.next_stage_progress) for code, r in prof.policies.items()
    )
    key = (framework_version.pk, framework_version.digest, get_language(), shown)
    with _CHARTS_LOCK:
        svg = _CHARTS.get(key)
        if svg is not None:
            _CHARTS.move_to_end(key)
            return svg
    svg = policy_stages_svg(prof, shape)
    with _CHARTS_LOCK:
        _CHARTS[key] = svg
        while len(_CHARTS) > _CHARTS_KEPT:
            _CHARTS.popitem(last=False)
    return svg


@login_required
@require_GET
def assessment_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    assessment = scope.assessment
    prof = profiles_for([assessment])[assessment.pk]
    return render(
        request,
        "web/assessment.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": assessment,
            "profile": prof,
            # Built from escaped text only, by templates and vertebra.reports.charts.
            "body": mark_safe(_dashboard_body(scope.city.slug, assessment, prof, scope.shape)),  # noqa: S308
        },
    )


_BODIES: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_BODIES_KEPT = 256
_BODIES_LOCK = threading.Lock()


def _dashboard_body(city_slug: str, assessment: Any, prof: Profile, shape: Shape) -> str:
    """Figures, explanations, matrix, policy table and chart: rendered once per distinct profile.

    Everything in it is drawn from the profile, the model version and the active language,
    the same for every member who may see the page; those are the key, so any saved change
    that moves a figure gives a new rendering on the next load.
    """
    fv = assessment.framework_version
    shown = tuple(
        (
            code,
            r.stage,
            r.next_stage,
            r.next_stage_progress,
            r.gaps,
            r.ahead_of_order,
            r.cells,
        )
        for code, r in prof.policies.items()
    )
    key = (fv.pk, fv.digest, get_language(), city_slug, assessment.uuid, prof.answered, shown)
    with _BODIES_LOCK:
        body = _BODIES.get(key)
        if body is not None:
            _BODIES.move_to_end(key)
            return body
    policy_page = reverse("web:policy", args=[city_slug, assessment.uuid, _POLICY])
    body = render_to_string(
        "web/_dashboard_body.html",
        {
            "profile": prof,
            "overall": overall_view(shape, prof),
            "dimensions": dimension_rows(
                shape, prof, policy_url=lambda code: policy_page.replace(_POLICY, code)
            ),
            "stages": stages(shape),
            "coverage": coverage_percent(prof),
            "chart": mark_safe(_chart(fv, prof, shape)),  # noqa: S308
        },
    )
    with _BODIES_LOCK:
        _BODIES[key] = body
        while len(_BODIES) > _BODIES_KEPT:
            _BODIES.popitem(last=False)
    return body


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
            "rows": history_rows(page.object_list, translated_labels(FIELD_LABELS), links),
        },
    )
