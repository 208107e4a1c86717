"""The PDF report: all sections present, page numbers, no outside requests."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports.factories import answer, filled_assessment, make_assessment, make_city
from vertebra.assessments.domain import finalize
from vertebra.reports.data import report_data
from vertebra.reports.pdf import (
    ExternalResourceRefused,
    executive_summary,
    local_url_fetcher,
    render_html,
    render_pdf,
)

pytestmark = pytest.mark.django_db


def test_pdf_report_is_a_pdf_with_every_section():
    a = filled_assessment(make_city())
    html = render_html(a)
    for heading in (
        "Contents",
        "Executive summary",
        "Maturity matrix",
        "Stage of each policy",
        "Leadership &amp; Governance",
        "Preparedness",
        "Infrastructure &amp; Resources",
        "Cooperation",
        "Gaps to the targets",
        "Action plan",
        "Change since the previous cycle",
    ):
        assert f">{heading}<" in html, heading
    assert "target-counter" not in html  # the page numbers live in the stylesheet
    assert "<svg" in html
    assert "Council minutes for L1S1" in html
    assert "A small city: no European role for now." in html
    assert "Set up the resilience board" in html  # overdue action
    assert render_pdf(a).startswith(b"%PDF-")


def test_pdf_change_section_compares_with_previous_cycle():
    city = make_city()
    first = make_assessment(city, title="Baseline 2025", date=dt.date(2025, 3, 1))
    answer(first, "L1S1", status="achieved")
    finalize(assessment=first, user=None)
    second = make_assessment(city, title="Review 2026", copy_from=first)
    answer(second, "L1S2", status="achieved")
    html = render_html(second)
    assert "Compared with Baseline 2025 (1 March 2025)." in html
    assert "1 objective changed status" in html


def test_executive_summary_names_overall_stage_strongest_and_weakest():
    a = make_assessment(make_city())
    for code in ("L4S1", "L4M1"):
        answer(a, code, status="achieved")
    sentences = executive_summary(report_data(a))
    assert sentences[0] == "Rivertown has not yet reached the first stage, Starting, as a whole."
    assert sentences[1] == "Of 96 objectives, 2 are achieved and 0 in progress."
    assert sentences[2] == "Strongest: Resilience action plan development (L4), at Moderate."
    assert sentences[3].startswith("Weakest: ")


def test_pdf_url_fetcher_refuses_outside_addresses():
    fetcher = local_url_fetcher()
    with pytest.raises(ExternalResourceRefused):
        fetcher("https://fonts.example.com/font.woff2")
    with pytest.raises(ExternalResourceRefused):
        fetcher("http://169.254.169.254/")
    assert fetcher("data:text/plain,hello").read() == b"hello"


def test_a_final_cycles_report_says_when_answers_and_actions_stood(settings):
    from django.utils import timezone

    a = filled_assessment(make_city())
    draft = render_html(a)
    assert "answers may still change" in draft
    assert "as finalized on" not in draft
    finalize(assessment=a, user=None)
    a.refresh_from_db()
    html = render_html(a)
    finalized = a.finalized_at.astimezone(timezone.get_current_timezone())
    today = timezone.localdate()
    assert (
        f"answers and targets as finalized on {finalized.day} {finalized:%B %Y}; "
        f"actions as of {today.day} {today:%B %Y}"
    ) in html
    assert (
        f"The actions as they stand on {today.day} {today:%B %Y}: they go on being carried "
        "out after the assessment was finalized."
    ) in html
