"""On a phone, a policy page shows its first objective on the first screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import log_in, make_city_with_admin

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_first_objective_is_on_the_first_screen(browser, live_server, tmp_path):
    _city, assessment = make_city_with_admin()
    context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=1)
    page = context.new_page()
    try:
        log_in(page, live_server.url)
        page.goto(
            f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/policies/L1/"
        )
        first = page.locator("article.objective").first
        expect(first).to_have_id("objective-L1S1")
        # Every figure is still there, in words.
        figures = page.locator("#assessment-figures")
        expect(figures).to_contain_text("City's overall stage")
        expect(figures).to_contain_text("Objectives answered")
        expect(page.locator("#policy-summary")).to_contain_text("Stage of this policy")

        shot = Path(os.environ.get("VERTEBRA_SCREENSHOTS", tmp_path)) / "policy-phone.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 0
        card = first.bounding_box()
        title = first.locator(".objective__text").bounding_box()
        assert card is not None and title is not None
        # The card starts on the first screen, with its code and objective text whole.
        assert card["y"] >= 0 and title["y"] + title["height"] <= PHONE["height"], (card, title)
        # And the page is not wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


@pytest.mark.parametrize("where", ["/cities/kristiansand/", "/cities/kristiansand/people/"])
def test_on_a_phone_the_city_and_people_pages_do_not_scroll_sideways(browser, live_server, where):
    """Wide tables scroll inside their own box, and the people's tables read as one block per
    person: the page itself is never wider than the phone."""
    make_city_with_admin()
    context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=1)
    page = context.new_page()
    try:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{where}")
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    finally:
        context.close()
