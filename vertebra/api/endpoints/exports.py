"""An assessment's exports: JSON, CSV, XLSX and the PDF report, as the pages offer them."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.text import slugify

from vertebra.api.openapi import files
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import reading
from vertebra.api.scope import assessment_in, membership
from vertebra.assessments.models import Assessment
from vertebra.reports.exports import XLSX_CONTENT_TYPE, export_csv, export_json, export_xlsx
from vertebra.reports.pdf import render_pdf
from vertebra.reports.rendering import WORKSHOP_CSV

router = ApiRouter(tags=["exports"])

ExportFormat = Literal["json", "csv", "xlsx", "pdf", "ratings.csv", "decisions.csv"]
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": XLSX_CONTENT_TYPE,
    "pdf": "application/pdf",
}
FILES = files(
    CONTENT_TYPES.values(),
    "The file: JSON (complete enough to rebuild the assessment), CSV or XLSX (answers that "
    "can be edited and imported back; the XLSX file also has the workshops' ratings and "
    "agreed answers), the PDF report, or the workshops' ratings.csv and decisions.csv.",
)


def filename(assessment: Assessment, fmt: str) -> str:
    title = slugify(assessment.title) or "assessment"
    return f"{assessment.city.slug}-{assessment.date.isoformat()}-{title}.{fmt}"


@router.get(
    "/cities/{city}/assessments/{assessment_id}/exports/{fmt}",
    response=reading({200: dict[str, Any]}),
    summary="Download an export",
    openapi_extra=FILES,
)
def download_export(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, fmt: ExportFormat
) -> Any:
    """The same files as the download buttons of the assessment page."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    response: HttpResponse
    if fmt == "json":
        response = JsonResponse(export_json(assessment), json_dumps_params={"ensure_ascii": False})
    elif fmt == "csv":
        response = HttpResponse(export_csv(assessment), content_type="text/csv; charset=utf-8")
    elif fmt in WORKSHOP_CSV:
        response = HttpResponse(
            export_csv(assessment, table=WORKSHOP_CSV[fmt]), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(export_xlsx(assessment), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(render_pdf(assessment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(assessment, fmt)}"'
    return response
