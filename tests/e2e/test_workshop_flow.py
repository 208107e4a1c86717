"""A city official's whole path through the browser, in Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "workshop-password-1"


def make_city_with_admin() -> tuple[City, Assessment]:
    city = City.objects.create(slug="kristiansand", name="Kristiansand")
    admin = User.objects.create_user("lead@kristiansand.example", PASSWORD)
    Membership.objects.create(city=city, user=admin, role="admin")
    assessment = create_assessment(
        city=city, user=admin, title="Baseline 2026", date=dt.date(2026, 3, 1)
    )
    return city, assessment


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Email address").fill("lead@kristiansand.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def answer(page, code: str, status_label: str) -> None:
    objective = page.locator(f"#objective-{code}")
    objective.get_by_label(status_label, exact=True).check()
    objective.get_by_role("button", name=f"Save {code}").click()


def test_log_in_answer_objectives_watch_the_stage_change_and_finalize(page, live_server):
    _city, assessment = make_city_with_admin()
    log_in(page, live_server.url)
    page.get_by_role("link", name="Kristiansand").first.click()
    page.get_by_role("link", name="Baseline 2026").first.click()
    page.get_by_role("link", name=re.compile(r"^L3 ")).click()
    summary = page.locator("#policy-summary")
    expect(summary).to_contain_text("L3 has not reached")

    # Saving happens in place (htmx): the page is not reloaded, the summary updates.
    page.evaluate("window.__still_here = true")
    answer(page, "L3S1", "Achieved")
    expect(page.locator("#objective-L3S1 .status")).to_have_text("Achieved")
    expect(summary.locator(".figure__value").first).to_have_text("Starting")
    answer(page, "L3M1", "Achieved")
    expect(summary.locator(".figure__value").first).to_have_text("Moderate")
    assert page.evaluate("window.__still_here") is True

    # Not applicable needs a justification: refused with a message, nothing saved.
    answer(page, "L3A1", "Not applicable")
    expect(page.locator("#objective-L3A1")).to_contain_text(
        "Say why this objective does not apply to the city."
    )
    expect(summary.locator(".figure__value").first).to_have_text("Moderate")

    page.get_by_role("link", name="Baseline 2026").first.click()
    expect(page.locator("table.matrix")).to_contain_text("L3")
    page.get_by_role("link", name="Finalize…").click()
    page.get_by_role("button", name="Yes, finalize this assessment").click()
    expect(page.locator(".badge--final")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("This assessment is final")

    assessment.refresh_from_db()
    assert assessment.status == "final"
    assert assessment.snapshot["policies"]["L3"]["stage"] == "M"

    # The final record is read-only: the policy page has no forms any more.
    page.get_by_role("link", name=re.compile(r"^L3 ")).click()
    expect(page.locator("#objective-L3S1 form")).to_have_count(0)

    # ... and the next cycle starts from it.
    page.get_by_role("link", name="Baseline 2026").first.click()
    page.get_by_role("link", name="Start a new cycle").click()
    page.get_by_label("Title").fill("Review 2027")
    page.get_by_role("button", name="Create assessment").click()
    expect(page.locator("h1")).to_have_text("Review 2027")
    newer = Assessment.objects.get(title="Review 2027")
    assert newer.previous == assessment
    assert newer.answers.get(objective__code="L3M1").status == "achieved"
