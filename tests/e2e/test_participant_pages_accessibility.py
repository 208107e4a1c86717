"""The participant's pages at 360 px wide, by keyboard, and against the accessibility rules of
tests/e2e/accessibility.py, in Chromium with the shipped CSS and no JavaScript needed to rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e import accessibility
from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment
from vertebra.cities.models import City, Membership
from vertebra.workshops import domain
from vertebra.workshops.models import Participant, Rating, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}


def _workshop() -> Workshop:
    city = City.objects.create(slug="kristiansand", name="Kristiansand")
    admin = User.objects.create_user("lead@kristiansand.example", "x-password-1")
    Membership.objects.create(city=city, user=admin, role="admin")
    assessment = create_assessment(
        city=city, user=admin, title="Baseline 2026", date=dt.date(2026, 3, 1)
    )
    return domain.create_workshop(
        assessment=assessment,
        user=admin,
        data={
            "title": "Emergency planning day",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1", "L2"],
            "stakeholder_types": ["Emergency services", "Critical infrastructure providers"],
        },
    )


def _phone(browser: Any, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        viewport=PHONE, locale="en-GB", device_scale_factor=1, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_the_participant_pages_pass_the_rules_at_360_px(browser: Any, live_server: Any) -> None:
    workshop = _workshop()
    context, page = _phone(browser)
    try:
        page.goto(f"{live_server.url}/join/")
        assert accessibility.problems(page) == []
        page.get_by_label("Join code").fill(workshop.join_code.lower())
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("h1")).to_have_text("Emergency planning day")
        assert accessibility.problems(page) == []

        # Errors shown on the form are within the rules too.
        page.get_by_role("button", name="Join").click()
        expect(page.locator("#id_name_error")).to_have_text("This field is required.")
        assert accessibility.problems(page) == []

        page.get_by_label("Your name as others see it").fill("Ana")
        page.get_by_label("Emergency services").check()
        page.get_by_role("button", name="Join").click()
        expect(page.locator("h1")).to_contain_text("L1 ")
        assert accessibility.problems(page) == []

        # Revealed, with everyone's results under each objective.
        card = page.locator("#objective-L1S1")
        card.get_by_label("Achieved").check()
        card.get_by_role("button", name="Save L1S1").click()
        domain.reveal(workshop=workshop)
        page.reload()
        expect(page.locator("#results-L1S1")).to_contain_text("Agreement: 100 %")
        assert accessibility.problems(page) == []

        domain.close(workshop=workshop)
        page.reload()
        expect(page.locator("#join-refused")).to_contain_text("This workshop is closed")
        assert accessibility.problems(page) == []
    finally:
        context.close()


def test_the_checks_catch_a_missing_label_a_skipped_heading_and_poor_contrast(
    browser: Any, live_server: Any
) -> None:
    """The rules are not vacuous: break the page and they say what broke."""
    workshop = _workshop()
    context, page = _phone(browser)
    try:
        page.goto(f"{live_server.url}/join/{workshop.join_code}/")
        page.get_by_label("Your name as others see it").fill("Ana")
        page.get_by_label("Emergency services").check()
        page.get_by_role("button", name="Join").click()
        expect(page.locator("h1")).to_contain_text("L1 ")
        assert accessibility.problems(page) == []
        page.evaluate("document.querySelector('label[for=\"comment-L1S1\"]').remove()")
        page.evaluate(
            "document.querySelector('#objective-L1S2 legend')"
            ".insertAdjacentHTML('afterend', '<h4>Too deep</h4>')"
        )
        page.evaluate("document.querySelector('.rate-page .muted').style.color = '#cccccc'")
        page.evaluate(
            "document.documentElement.removeAttribute('lang');"
            "document.querySelector('.rate-page .actions').style.minWidth = '900px'"
        )
        found = accessibility.problems(page)
        assert found == [
            "html has no lang",
            "textarea#comment-L1S1[name=comment] has no label",
            'h4 "Too deep" skips a level after h1',
            'p "Emergency planning day · Ana (Emergency " has contrast 1.48:1, below 4.5:1',
            "the page is 912 px wide on a 360 px screen",
        ]
    finally:
        context.close()


def test_tab_skips_no_control_and_a_hidden_focus_ring_is_caught(
    browser: Any, live_server: Any
) -> None:
    workshop = _workshop()
    context, page = _phone(browser)
    try:
        page.goto(f"{live_server.url}/join/{workshop.join_code}/")
        assert accessibility.focus_problems(page) == []
        page.evaluate(
            "document.styleSheets[0].insertRule("
            "'#id_name:focus { outline: none !important; box-shadow: none !important; }', 0)"
        )
        assert accessibility.focus_problems(page) == ["input#id_name shows no focus indicator"]
        page.evaluate("document.querySelector('#id_name').tabIndex = -1")
        assert accessibility.focus_problems(page) == ["Tab never reaches input#id_name"]
    finally:
        context.close()


def test_joining_and_rating_by_keyboard_alone_without_javascript(
    browser: Any, live_server: Any
) -> None:
    """On a slow or old phone the pages need no script: joining and rating are plain forms,
    and the keyboard reaches and works every control."""
    workshop = _workshop()
    context, page = _phone(browser, javascript=False)
    try:
        page.goto(f"{live_server.url}/join/{workshop.join_code}/")
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand link
        page.keyboard.press("Tab")
        page.keyboard.type("Ben")
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")  # the second stakeholder type
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("L1 ")
        [participant] = Participant.objects.all()
        assert (participant.name, participant.stakeholder_type) == (
            "Ben",
            "Critical infrastructure providers",
        )

        page.locator("#objective-L1S1 input[value=not_started]").focus()
        page.keyboard.press("ArrowDown")  # in progress
        page.keyboard.press("Tab")
        page.keyboard.type("30")
        page.keyboard.press("Tab")
        page.keyboard.type("Plans drafted")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#objective-L1S1")).to_contain_text("Saved")
        assert list(
            Rating.objects.values_list("objective_code", "status", "progress", "comment")
        ) == [("L1S1", "in_progress", 30, "Plans drafted")]
    finally:
        context.close()
