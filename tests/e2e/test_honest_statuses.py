"""In Chromium: a conflict (409) and an ended session (401) show their message in place, and
what the person typed survives both."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import PASSWORD, log_in, make_city_with_admin
from vertebra.assessments.domain import save_answer
from vertebra.assessments.models import Answer

pytestmark = pytest.mark.django_db(transaction=True)


def test_conflict_and_ended_session_keep_what_was_typed(page, live_server):
    _city, assessment = make_city_with_admin()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/policies/L3/")
    card = page.locator("#objective-L3S1")
    notes = card.get_by_label("Notes")

    # Someone else saves first: the 409 answer is shown, with their value and my input.
    save_answer(
        answer=Answer.objects.get(assessment=assessment, objective__code="L3S1"),
        user=None,
        changes={"notes": "Theirs"},
        expected_version=1,
    )
    with page.expect_response(re.compile(r"/save/$")) as conflict:
        notes.fill("Mine")
        card.get_by_role("button", name="Save L3S1").click()
    assert conflict.value.status == 409
    expect(card).to_contain_text("saved this objective while you were editing it.")
    expect(card.get_by_label("Notes")).to_have_value("Mine")

    # The session ends: the 401 message appears at the top of the card, the input stays.
    Session.objects.all().delete()
    with page.expect_response(re.compile(r"/save/$")) as ended:
        card.get_by_role("button", name="Save L3S1").click()
    assert ended.value.status == 401
    alert = card.locator("[data-transient]")
    expect(alert).to_contain_text("Your session has ended, so this change was NOT saved.")
    expect(card.get_by_label("Notes")).to_have_value("Mine")

    # Log in again in another tab, come back, save again: it is saved.
    other = page.context.new_page()
    other.goto(live_server.url + (alert.get_by_role("link").get_attribute("href") or "/"))
    other.get_by_label("Email address").fill("lead@kristiansand.example")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    expect(other).to_have_url(re.compile(r"/policies/L3/$"))
    other.close()
    with page.expect_response(re.compile(r"/save/$")) as saved:
        card.get_by_role("button", name="Save L3S1").click()
    assert saved.value.status == 200
    expect(page.locator("#objective-L3S1")).to_contain_text("Saved.")
    expect(page.locator("#objective-L3S1 [data-transient]")).to_have_count(0)
    answer = Answer.objects.get(assessment=assessment, objective__code="L3S1")
    assert (answer.notes, answer.version) == ("Mine", 3)


def test_a_file_too_large_to_send_is_refused_in_place(page, live_server, settings):
    settings.MAX_ATTACHMENT_BYTES = 1024
    _city, assessment = make_city_with_admin()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/policies/L3/")
    card = page.locator("#objective-L3S1")
    card.get_by_label("Attach a file").set_input_files(
        files=[{"name": "minutes.txt", "mimeType": "text/plain", "buffer": b"m" * 200_000}]
    )
    with page.expect_response(re.compile(r"/attachments/$")) as refused:
        card.get_by_role("button", name="Upload").click()
    assert refused.value.status == 413
    expect(card.locator("[data-transient]")).to_have_text(
        "The request is too large: this address takes at most 65.0\xa0KB, the file included. "
        "Nothing was saved."
    )
    expect(page.locator("#messages")).to_have_text("")
    assert not Answer.objects.get(
        assessment=assessment, objective__code="L3S1"
    ).attachments.exists()
