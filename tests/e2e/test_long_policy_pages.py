"""In Chromium: on a long policy page answered objectives fold to one line, "Why it does not
apply" shows only for Not applicable, and the page can show only the open objectives."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import log_in, make_city_with_admin
from vertebra.assessments.domain import save_answer
from vertebra.assessments.models import Answer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_long_policy_page_shows_the_work_still_open(page, live_server):
    _city, assessment = make_city_with_admin()
    save_answer(
        answer=Answer.objects.select_related("assessment", "objective").get(
            assessment=assessment, objective__code="L3S1"
        ),
        user=None,
        changes={"status": "achieved", "evidence": "Culture plan adopted in May"},
    )
    log_in(page, live_server.url)
    url = f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/policies/L3/"
    page.goto(url)
    done, open_card = page.locator("#objective-L3S1"), page.locator("#objective-L3M1")

    # The answered objective is one line; unfolding it shows its form.
    expect(done.locator(".objective__summary")).to_have_text("Culture plan adopted in May")
    expect(done.get_by_label("Evidence")).to_be_hidden()
    done.locator(".objective__summary").click()
    expect(done.get_by_label("Evidence")).to_be_visible()

    # "Why it does not apply" appears with Not applicable only.
    justification = open_card.get_by_label("Why it does not apply")
    expect(justification).to_be_hidden()
    open_card.get_by_label("Not applicable", exact=True).check()
    expect(justification).to_be_visible()
    open_card.get_by_label("In progress", exact=True).check()
    expect(justification).to_be_hidden()
    if os.environ.get("VERTEBRA_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["VERTEBRA_SCREENSHOTS"], "policy.png"))

    # Only the open objectives.
    page.locator("#show-open").click()
    expect(page.locator("#objective-L3S1")).to_be_hidden()
    expect(page.locator("#objective-L3M1")).to_be_visible()
    page.locator("#show-all").click()
    expect(page.locator("#objective-L3S1")).to_be_visible()
