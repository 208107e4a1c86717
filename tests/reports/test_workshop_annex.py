"""The PDF report's annex: one part per workshop of the assessment."""

from __future__ import annotations

import re

import pytest

from tests.reports.factories import make_assessment, make_city
from tests.workshops.factories import two_workshops
from vertebra.reports.data import report_data
from vertebra.reports.pdf import render_html, workshop_annex

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_annex_has_each_workshop_with_participation_and_per_objective_results() -> None:
    assessment = make_assessment(make_city())
    two_workshops(assessment, None)
    annex = workshop_annex(report_data(assessment))
    assert annex is not None
    assert (annex["engaged"], annex["city_types"]) == (["Emergency services", "Media"], 12)
    leadership, finance = annex["workshops"]
    assert (leadership["title"], leadership["status"], leadership["anonymous"]) == (
        "Leadership",
        "Closed",
        False,
    )
    assert leadership["policies"] == [
        "L1 Municipality, cross-sectiorial and multi-governance collaboration"
    ]
    assert leadership["participation"] == [("Emergency services", 1), ("Media", 1)]
    assert leadership["objectives"][:2] == [
        {
            "code": "L1S1",
            "text": leadership["objectives"][0]["text"],
            "ratings": 2,
            "distribution": "Achieved 2",
            "share": 100,
            "flagged": False,
            "agreed": "✔ Achieved",
            "note": "Plan adopted.",
        },
        {
            "code": "L1S2",
            "text": leadership["objectives"][1]["text"],
            "ratings": 2,
            "distribution": "Not started 1, In progress 1",
            "share": 50,
            "flagged": True,
            "agreed": "",
            "note": "",
        },
    ]
    assert len(leadership["objectives"]) == 11  # every objective of L1, rated or not
    assert finance["participation"] == [("Emergency services", 0), ("Media", 1)]
    assert finance["objectives"][0]["distribution"] == "Don't know 1"
    assert finance["objectives"][0]["share"] is None
    assert finance["objectives"][1]["agreed"] == "◐ In progress · 40 %"
    assert finance["objectives"][1]["note"] == "Budget pending."


def test_pdf_annex_reads_as_the_council_needs_it_and_names_no_participant() -> None:
    assessment = make_assessment(make_city())
    two_workshops(assessment, None)
    html = render_html(assessment)
    text = _text(html)
    assert '<a href="#workshops">Annex: the workshops</a>' in html
    assert '<a href="#workshop-1">Workshop Leadership</a>' in html
    assert (
        "2 of the city's 12 kinds of stakeholders took part in its workshops: Emergency "
        "services, Media. Not yet engaged: Local government departments," in text
    )
    assert "Workshop Leadership 4 May 2026 · Closed · 2 participants" in text
    assert "Workshop Finance 5 June 2026 · Open · anonymous ratings · 1 participant" in text
    assert "L1S1 2 Achieved 2 100% no ✔ Achieved Plan adopted." in text
    assert "L1S2 2 Not started 1, In progress 1 50% ⚑ yes —" in text
    assert "L1S2 0 — — no ◐ In progress · 40 % Budget pending." in text
    for name in ("Ana Quintela", "Rui Baptista", "Secret Person"):
        assert name not in text


def test_a_report_without_workshops_has_no_annex() -> None:
    assessment = make_assessment(make_city())
    html = render_html(assessment)
    assert workshop_annex(report_data(assessment)) is None
    assert 'id="workshops"' not in html and "Annex" not in html


def test_annex_queries_do_not_grow_with_workshops() -> None:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.workshops.factories import agree, open_workshop, rated

    assessment = make_assessment(make_city())
    two_workshops(assessment, None)

    def count() -> int:
        data = report_data(assessment)
        with CaptureQueriesContext(connection) as queries:
            workshop_annex(data)
        return len(queries)

    before = count()
    for n in range(3):
        more = open_workshop(
            assessment, f"More {n}", dt.date(2026, 7, 1 + n), policies=("L1", "L2")
        )
        rated(
            more, f"P{n}", "Media", {"L1S1": ("achieved", None, ""), "L2M1": ("unknown", None, "")}
        )
        agree(more, None, "L2M1", "achieved")
    assert count() == before
