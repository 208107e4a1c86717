"""An assessment seen through a crosswalk: the "Essentials" view of another reference."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vertebra.assessments.models import AnswerStatus
from vertebra.reports.references import reference_reports
from vertebra.web.cards import ObjectiveLinks
from vertebra.web.scope import load_scope


@login_required
@require_GET
def reference_page(
    request: HttpRequest, city_slug: str, assessment_uuid: uuid.UUID, crosswalk_id: str
) -> HttpResponse:
    scope = load_scope(request, city_slug, assessment_uuid)
    reports = reference_reports(scope.assessment, only=crosswalk_id)
    if not reports:
        raise Http404
    links = ObjectiveLinks(scope.city.slug, scope.assessment)
    report = reports[0]
    return render(
        request,
        "web/reference.html",
        {
            "scope": scope,
            "city": scope.city,
            "assessment": scope.assessment,
            "crosswalk": report.crosswalk,
            "reference": report.crosswalk.reference,
            "items": [
                {
                    "item": item,
                    "objectives": [
                        (o, links.objective(o.code), AnswerStatus(o.status).label)
                        for o in item.objectives
                    ],
                }
                for item in report.items
            ],
        },
    )
