"""Mentioning a colleague with the keyboard, in Chromium: the suggestions list the city's
members only, and the saved comment mentions the chosen person, who then sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.notify.factories import make_cities
from vertebra.assessments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/work/$"))


def test_a_colleague_is_mentioned_with_the_keyboard_and_sees_it_on_their_work_page(
    page, live_server
):
    c = make_cities()
    log_in(page, live_server.url, "ana@porto.example")
    page.goto(f"{live_server.url}/cities/porto/assessments/{c.porto_draft.uuid}/policies/L1/")
    card = page.locator("#objective-L1S1")
    card.get_by_text("Comments (0)").click()
    box = card.get_by_label("Add a comment")
    box.click()
    box.press_sequentially("Dmitri is not here: @d")
    options = card.get_by_role("option")
    expect(card.get_by_role("listbox")).to_be_hidden()

    box.press_sequentially("  Ask @c")
    expect(options).to_have_text(["Carla Dias <carla@both.example>"])
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Escape")
    expect(card.get_by_role("listbox")).to_be_hidden()
    box.press("Backspace")
    box.press("Backspace")
    box.press_sequentially("@")
    expect(options).to_have_text(
        [
            "Ana Lopes <ana@porto.example>",
            "Bruno <bruno@porto.example>",
            "Carla Dias <carla@both.example>",
        ]
    )
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("Dmitri is not here: @d  Ask @Carla Dias ")
    box.press_sequentially("about the survey.")
    card.get_by_role("button", name="Add comment").click()
    expect(page.locator("#objective-L1S1 .comment__text")).to_have_text(
        "Dmitri is not here: @d  Ask @Carla Dias about the survey."
    )

    comment = Comment.objects.get()
    assert [u.email for u in comment.mentioned.all()] == ["carla@both.example"]

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server.url, "carla@both.example")
    expect(page.get_by_role("heading", name="Mentions of you")).to_be_visible()
    mention = page.get_by_role("link", name=re.compile(r"^L1S1"))
    expect(mention).to_have_count(1)
    mention.click()
    expect(page).to_have_url(re.compile(r"/policies/L1/#objective-L1S1$"))
