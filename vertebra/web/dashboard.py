"""The assessment page (maturity dashboard) and the assessment's history."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from vertebra import paging
from vertebra.assessments.models import AnswerEvent
from vertebra.fragments import assessment_state, kept
from vertebra.frameworks.domain import objective_titles
from vertebra.frameworks.models import FrameworkVersion
from vertebra.maturity import Profile, Shape
from vertebra.reports.charts import policy_stages_svg
from vertebra.reports.references import crosswalks_of
from vertebra.web.cards import ObjectiveLinks, history_rows, translated_labels
from vertebra.web.forms import FIELD_LABELS
from vertebra.web.presenters import (
    Objectives,
    coverage_percent,
    dimension_rows,
    overall_view,
    stages,
)
from vertebra.web.scope import AssessmentScope, load_scope, profiles_for
from vertebra.workshops.records import participation_in

HISTORY_PAGE_SIZE = 50
_POLICY = "__policy__"  # policy codes are URL-safe (letters, digits, "_", "." and "-")


def _chart(framework_version: FrameworkVersion, prof: Profile, shape: Shape) -> str:
    """The policies' stage chart, drawn once per distinct set of stages and progress.

    The chart shows each policy's stage and progress toward the next stage, with the model's
    names: those and the model version are the key, so equal figures give the same drawing.
    """
    shown = tuple(
        (code, r.stage, r.next_stage, r.next_stage_progress) for code, r in prof.policies.items()
    )
    return kept(
        "chart",
        (framework_version.pk, framework_version.digest, shown),
        lambda: policy_stages_svg(prof, shape),
    )


@login_required
@require_GET
def assessment_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    assessment = scope.assessment
    return render(
        request,
        "web/assessment.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": assessment,
            # Built from escaped text only, by templates and vertebra.reports.charts.
            "body": mark_safe(_assessment_body(scope)),  # noqa: S308
        },
    )


def _assessment_body(scope: AssessmentScope) -> str:
    """Figures, explanations, matrix, policy table and chart, with the page's head and actions.

    Kept per revision of the assessment and what the person may do (see
    vertebra.fragments): a page seen again costs one lookup.
    """
    assessment = scope.assessment
    fv = assessment.framework_version
    # The city's stakeholder types show in the workshops' participation.
    key = (
        assessment_state(assessment),
        tuple(scope.may.values()),
        tuple(scope.city.stakeholder_types),
    )

    def build() -> str:
        shape = scope.shape
        prof = profiles_for([assessment])[assessment.pk]
        # Who took part in the workshops; joining and opening one count as changes.
        participation = participation_in(
            assessment=assessment, city_types=list(scope.city.stakeholder_types)
        )
        policy_page = reverse("web:policy", args=[scope.city.slug, assessment.uuid, _POLICY])
        objective_page = reverse("web:objective", args=[scope.city.slug, assessment.uuid, _POLICY])
        objectives = Objectives(
            objective_titles(fv), lambda code: objective_page.replace(_POLICY, code)
        )
        return render_to_string(
            "web/_assessment_body.html",
            {
                "scope": scope,
                "city": scope.city,
                "assessment": assessment,
                "profile": prof,
                "overall": overall_view(shape, prof, objectives=objectives),
                "dimensions": dimension_rows(
                    shape,
                    prof,
                    policy_url=lambda code: policy_page.replace(_POLICY, code),
                    objectives=objectives,
                ),
                "stages": stages(shape),
                "coverage": coverage_percent(prof),
                "chart": mark_safe(_chart(fv, prof, shape)),  # noqa: S308
                "crosswalks": crosswalks_of(assessment),
                "participation": participation if participation.workshops else None,
            },
        )

    return kept("dashboard", key, build)


@login_required
@require_GET
def assessment_history(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    events = AnswerEvent.objects.filter(assessment=scope.assessment).select_related("user")
    # ?objective=CODE: one objective's changes (an objective card links here for them all).
    code = request.GET.get("objective", "")
    if code:
        events = events.filter(objective_code=code)
    page = paging.page_of(events, request.GET.get("page"), HISTORY_PAGE_SIZE)
    links = ObjectiveLinks(scope.city.slug, scope.assessment)
    return render(
        request,
        "web/history.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "objective": code,
            "objective_url": links.objective(code) if code else "",
            "page": page,
            "rows": history_rows(page.object_list, translated_labels(FIELD_LABELS), links),
        },
    )
