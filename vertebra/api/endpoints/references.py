"""An assessment seen through the crosswalks of its model version (such as the UNDRR Ten
Essentials): for each item of the other reference, its linked objectives and how many are
achieved. The same figures as the assessment's reference page and the PDF report."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from vertebra.api.links import assessment_url
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import reading
from vertebra.api.scope import assessment_in, membership
from vertebra.assessments.models import Assessment
from vertebra.frameworks.crosswalk import Crosswalk
from vertebra.reports.references import ReferenceReport, crosswalks_of, reference_reports

router = ApiRouter(tags=["references"])

REFERENCES = "/cities/{city}/assessments/{assessment_id}/references"


class ReferenceOut(Schema):
    id: str
    name: str
    url: str | None


class CrosswalkOut(Schema):
    id: str
    version: int
    name: str
    description: str
    url: str
    reference: ReferenceOut


class CrosswalkList(Schema):
    items: list[CrosswalkOut]


class LinkedObjectiveOut(Schema):
    code: str
    text: str
    status: str
    note: str | None


class ItemOut(Schema):
    code: str
    name: str
    linked: int
    achieved: int
    not_applicable: int
    achieved_percent: int | None
    objectives: list[LinkedObjectiveOut]


class ReferenceReportOut(CrosswalkOut):
    assessment: str
    items: list[ItemOut]


def _crosswalk_json(request: HttpRequest, assessment: Assessment, c: Crosswalk) -> dict[str, Any]:
    return {
        "id": c.id,
        "version": c.version,
        "name": c.name,
        "description": c.description,
        "url": assessment_url(request, assessment.city.slug, assessment.uuid, "references", c.id),
        "reference": {"id": c.reference.id, "name": c.reference.name, "url": c.reference.url},
    }


@router.get(REFERENCES, response=reading({200: CrosswalkList}), summary="List crosswalks")
def list_references(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """The crosswalks of the assessment's model version: other references (such as the UNDRR
    Ten Essentials) its objectives are linked to."""
    assessment = assessment_in(membership(request, city), assessment_id)
    return {"items": [_crosswalk_json(request, assessment, c) for c in crosswalks_of(assessment)]}


@router.get(
    REFERENCES + "/{crosswalk_id}",
    response=reading({200: ReferenceReportOut}),
    summary="Read the assessment through a crosswalk",
)
def get_reference(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, crosswalk_id: str
) -> Any:
    """For each item of the other reference: its linked objectives with their status, how many
    are achieved, not applicable, and the achieved share of the applicable ones (whole percent,
    null when none applies)."""
    assessment = assessment_in(membership(request, city), assessment_id)
    reports = reference_reports(assessment, only=crosswalk_id)
    if not reports:
        raise Http404(_("No such crosswalk for this assessment's model."))
    report: ReferenceReport = reports[0]
    return {
        **_crosswalk_json(request, assessment, report.crosswalk),
        "assessment": assessment_url(request, assessment.city.slug, assessment.uuid),
        "items": [
            {
                "code": item.code,
                "name": item.name,
                "linked": item.linked,
                "achieved": item.achieved,
                "not_applicable": item.not_applicable,
                "achieved_percent": item.percent,
                "objectives": [
                    {"code": o.code, "text": o.text, "status": o.status, "note": o.note}
                    for o in item.objectives
                ],
            }
            for item in report.items
        ],
    }
