"""In Chromium, two people in two browsers edit the same objective: changes to different
fields merge, and a field both changed is settled by the second person's choice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import PASSWORD, make_city_with_admin
from vertebra.accounts.models import User
from vertebra.assessments.models import Answer, AnswerEvent
from vertebra.cities.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def _save(card, code: str) -> int:
    with card.page.expect_response(re.compile(r"/save/$")) as response:
        card.get_by_role("button", name=f"Save {code}").click()
    return int(response.value.status)


def test_two_people_editing_one_objective_lose_nothing(page, live_server):
    city, assessment = make_city_with_admin()
    second = User.objects.create_user("planner@kristiansand.example", PASSWORD)
    Membership.objects.create(city=city, user=second, role="editor")
    other = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    theirs = other.new_page()
    try:
        url = f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/policies/L3/"
        _sign_in(page, live_server.url, "lead@kristiansand.example")
        _sign_in(theirs, live_server.url, "planner@kristiansand.example")
        page.goto(url)
        theirs.goto(url)
        mine, their_card = page.locator("#objective-L3S1"), theirs.locator("#objective-L3S1")

        # Different fields: the planner adds evidence and an owner, then I add notes.
        their_card.get_by_label("Evidence").fill("Flood plan adopted 2026")
        their_card.get_by_label("Responsible department or stakeholder").fill("Water Utility")
        assert _save(their_card, "L3S1") == 200
        mine.get_by_label("Notes").fill("Check with the harbour")
        assert _save(mine, "L3S1") == 200
        expect(mine).to_contain_text("Saved.")
        # My card now shows the planner's evidence and owner beside my notes.
        expect(mine.get_by_label("Evidence")).to_have_value("Flood plan adopted 2026")
        expect(mine.get_by_label("Responsible department or stakeholder")).to_have_value(
            "Water Utility"
        )
        stored = Answer.objects.get(assessment=assessment, objective__code="L3S1")
        assert (stored.evidence, stored.owner, stored.notes) == (
            "Flood plan adopted 2026",
            "Water Utility",
            "Check with the harbour",
        )

        # The same field: the planner's card is now stale; both change the notes.
        mine.get_by_label("Notes").fill("Harbour agreed")
        assert _save(mine, "L3S1") == 200
        their_card.get_by_label("Notes").fill("Harbour declined")
        assert _save(their_card, "L3S1") == 409
        expect(their_card).to_contain_text("saved this objective while you were editing it.")
        expect(their_card.locator("tbody th")).to_have_text(["Notes"])
        their_card.get_by_label("Keep theirs").check()
        assert _save(their_card, "L3S1") == 200
        stored.refresh_from_db()
        assert (stored.evidence, stored.owner, stored.notes) == (
            "Flood plan adopted 2026",
            "Water Utility",
            "Harbour agreed",
        )
        assert list(
            AnswerEvent.objects.filter(answer=stored)
            .order_by("id")
            .values_list("user__email", "field")
        ) == [
            ("planner@kristiansand.example", "evidence"),
            ("planner@kristiansand.example", "owner"),
            ("lead@kristiansand.example", "notes"),
            ("lead@kristiansand.example", "notes"),
        ]
    finally:
        other.close()
