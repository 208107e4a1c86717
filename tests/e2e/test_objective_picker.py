"""In Chromium: the action form's objectives are found by typing and picked by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import log_in, make_city_with_admin
from vertebra.planning.models import Action

pytestmark = pytest.mark.django_db(transaction=True)


def test_objectives_are_found_by_typing_and_picked_by_keyboard(page, live_server):
    _city, assessment = make_city_with_admin()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url)
    page.goto(
        f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/plan/actions/new/"
    )
    page.get_by_label("Title").fill("Resilience team and drills")
    find = page.get_by_label("Find objectives")
    found = page.locator("[data-picker-found]")
    chosen = page.locator("[data-picker-chosen]")
    expect(chosen).to_have_text("None chosen yet.")

    # Words of an objective's text find it alone; Enter goes to it, Space ticks it.
    find.click()
    page.keyboard.type("working team")
    expect(found).to_have_text("One objective matches.")
    expect(page.get_by_label("L1S1 Establish a working team")).to_be_visible()
    expect(page.get_by_label("L1S2", exact=False)).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#id_objectives_L1S1")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#id_objectives_L1S1")).to_be_checked()
    expect(chosen).to_have_text("Chosen: L1S1")

    # Escape comes back to the box; a code finds a stage of a policy; arrows move between.
    page.keyboard.press("Escape")
    expect(find).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("p1m")
    expect(page.locator("details[data-picker-policy][open]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.value")
    assert focused.startswith("P1M") and focused != "P1M1", focused
    page.keyboard.press("Space")
    expect(chosen).to_have_text(f"Chosen: L1S1, {focused}")

    # Enter in the box finds; it does not send the form.
    find.fill("")
    find.press("Enter")
    expect(page).to_have_url(
        f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/plan/actions/new/"
    )
    page.locator("#save-action").click()
    expect(page.get_by_role("heading", name="Resilience team and drills")).to_be_visible()
    action = Action.objects.get(title="Resilience team and drills")
    assert list(action.objectives.order_by("position").values_list("code", flat=True)) == [
        "L1S1",
        focused,
    ]
    assert errors == []
