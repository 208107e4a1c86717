"""An assessment's report in one of its formats, as bytes: one door for pages and commands."""

from __future__ import annotations

import json

from vertebra.assessments.models import Assessment
from vertebra.reports import exports


def render_report(assessment: Assessment, fmt: str) -> bytes:
    """``fmt`` is one of pdf, xlsx, csv and json."""
    if fmt == "pdf":
        from vertebra.reports.pdf import render_pdf  # WeasyPrint loads only for a PDF

        return render_pdf(assessment)
    if fmt == "xlsx":
        return exports.export_xlsx(assessment)
    if fmt == "csv":
        return exports.export_csv(assessment)
    return (
        json.dumps(exports.export_json(assessment), indent=2, ensure_ascii=False) + "\n"
    ).encode()
