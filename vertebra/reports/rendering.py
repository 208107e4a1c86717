"""An assessment's report in one of its formats, as bytes: one door for pages and commands."""

from __future__ import annotations

import json

from vertebra.assessments.models import Assessment
from vertebra.reports import exports

# The workshops' tables as CSV files of their own: ``ratings.csv``, ``decisions.csv``.
WORKSHOP_CSV = {"ratings.csv": "ratings", "decisions.csv": "decisions"}
FORMATS = ("pdf", "xlsx", "csv", "json", *WORKSHOP_CSV)


def render_report(assessment: Assessment, fmt: str) -> bytes:
    """``fmt`` is one of ``FORMATS``: pdf, xlsx, csv (the answers), json, and the workshops'
    ratings.csv and decisions.csv."""
    if fmt in WORKSHOP_CSV:
        return exports.export_csv(assessment, table=WORKSHOP_CSV[fmt])
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
