"""From a gap to a higher stage through the action plan, in Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment, profile_of, save_answer
from vertebra.cities.models import City, Membership
from vertebra.planning.models import Action

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "planning-password-1"


def test_target_actions_finish_confirm_and_the_stage_rises(page, live_server):
    city = City.objects.create(slug="vejle", name="Vejle")
    admin = User.objects.create_user("plan@vejle.example", PASSWORD)
    Membership.objects.create(city=city, user=admin, role="admin")
    assessment = create_assessment(
        city=city, user=admin, title="Cycle 2026", date=dt.date(2026, 2, 1)
    )
    s1 = assessment.answers.get(objective__code="L3S1")
    save_answer(answer=s1, user=admin, changes={"status": "achieved"})
    assert profile_of(assessment).policies["L3"].stage == "S"

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill("plan@vejle.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/cities/vejle/assessments/{assessment.uuid}/")

    page.locator("#open-plan").click()
    page.locator("#set-targets").click()
    page.locator("#id_target_L3").select_option(label="Moderate (M)")
    page.locator("#id_date_L3").fill("2027-06-30")
    page.locator("#save-targets").click()
    expect(page.locator("#policy-L3 td.target")).to_contain_text("Moderate by Jun 2027")

    page.locator("#create-proposed-actions").click()
    rows = page.locator("tr[data-action]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("L3M1")
    action = Action.objects.get(assessment=assessment)
    assert list(action.objectives.values_list("code", flat=True)) == ["L3M1"]
    assert action.status == "proposed"

    rows.first.get_by_role("link", name=re.compile("L3M1")).click()
    page.locator("#finish-action").click()
    # Finishing alone does not change the assessment.
    assert profile_of(assessment).policies["L3"].stage == "S"
    expect(page.locator("#id_codes_0")).to_be_checked()
    page.locator("#id_evidence").fill("Culture programme approved by the council on 2026-05-12.")
    page.locator("#confirm-achieved").click()

    expect(page.locator("#policy-L3")).to_contain_text("Target met")
    assert profile_of(assessment).policies["L3"].stage == "M"
    answer = assessment.answers.get(objective__code="L3M1")
    assert (answer.status, answer.evidence) == (
        "achieved",
        "Culture programme approved by the council on 2026-05-12.",
    )
    action.refresh_from_db()
    assert action.status == "done"
