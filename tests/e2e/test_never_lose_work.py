"""In Chromium: Back shows the page as saved, leaving with unsaved typing asks first, Enter
keeps the focus on the saved objective, and a save into a cycle finalized meanwhile says so
in place and keeps the input."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import log_in, make_city_with_admin
from vertebra.assessments.domain import finalize
from vertebra.assessments.models import Answer

pytestmark = pytest.mark.django_db(transaction=True)


def _policy(live_server, assessment) -> str:
    return f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/policies/L3/"


def _save_with_enter(card, field: str, text: str) -> int:
    box = card.get_by_label(field)
    box.fill(text)
    with card.page.expect_response(re.compile(r"/save/$")) as response:
        box.press("Enter")
    return int(response.value.status)


def test_back_shows_the_saved_answer_and_enter_keeps_the_focus(page, live_server):
    _city, assessment = make_city_with_admin()
    log_in(page, live_server.url)
    page.goto(_policy(live_server, assessment))
    card = page.locator("#objective-L3S1")
    assert _save_with_enter(card, "Responsible department or stakeholder", "Harbour") == 200
    expect(page.locator("#objective-L3S1")).to_contain_text("Saved.")
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "id_L3S1_owner"

    page.goto(f"{live_server.url}/cities/kristiansand/")
    page.go_back()
    expect(
        page.locator("#objective-L3S1").get_by_label("Responsible department or stakeholder")
    ).to_have_value("Harbour")
    assert page.locator('#objective-L3S1 input[name="version"]').get_attribute("value") == "2"


def test_leaving_with_unsaved_typing_asks_first(page, live_server):
    _city, assessment = make_city_with_admin()
    log_in(page, live_server.url)
    page.goto(_policy(live_server, assessment))
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator("#objective-L3S1").get_by_label("Notes").press_sequentially("Half a thought")
    page.get_by_role("link", name="Kristiansand").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/policies/L3/$"))
    expect(page.locator("#objective-L3S1").get_by_label("Notes")).to_have_value("Half a thought")

    # Once saved, leaving asks nothing.
    with page.expect_response(re.compile(r"/save/$")):
        page.locator("#objective-L3S1").get_by_role("button", name="Save L3S1").click()
    page.get_by_role("link", name="Kristiansand").first.click()
    expect(page).to_have_url(re.compile(r"/cities/kristiansand/$"))
    assert asked == ["beforeunload"]


def test_a_save_into_a_cycle_finalized_meanwhile_says_so_and_keeps_the_input(page, live_server):
    _city, assessment = make_city_with_admin()
    log_in(page, live_server.url)
    page.goto(_policy(live_server, assessment))
    card = page.locator("#objective-L3S1")
    finalize(assessment=assessment, user=None)
    status = _save_with_enter(card, "Responsible department or stakeholder", "Fire service")
    assert status == 403
    expect(card.locator("[data-transient]")).to_contain_text(
        "This assessment is final and can no longer be changed. Nothing was saved."
    )
    expect(card.get_by_label("Responsible department or stakeholder")).to_have_value("Fire service")
    assert Answer.objects.get(assessment=assessment, objective__code="L3S1").owner == ""
