"""A city admin invites a colleague in the browser; the email arrives through a real SMTP
server; the colleague joins in another browser, signs out and signs in with their password,
changes it on their account page and sees their work."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.smtp import body_of
from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment, save_answer
from vertebra.cities.models import City, Membership, MembershipEvent

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "lead-password-2026"


def test_an_admin_invites_a_colleague_who_joins_and_signs_in_again(
    page: Any, browser: Any, live_server: Any, mail_server: Any, tmp_path: Path
) -> None:
    city = City.objects.create(slug="vejle", name="Vejle")
    lead = User.objects.create_user("lead@vejle.example", PASSWORD, name="Lea Lead")
    Membership.objects.create(city=city, user=lead, role="admin")
    review = create_assessment(city=city, user=lead, title="Review 2026", date=dt.date(2026, 11, 1))
    # The lead names the colleague, by their address, as responsible for one objective.
    save_answer(
        answer=review.answers.get(objective__code="L1S1"),
        user=lead,
        changes={"owner": "colleague@vejle.example"},
    )

    page.goto(f"{live_server.url}/")
    page.get_by_label("Email address").fill("lead@vejle.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Vejle").first.click()
    page.get_by_role("link", name="People and invitations").click()
    expect(page.locator("h1")).to_have_text("People")
    page.get_by_label("Email address").fill("colleague@vejle.example")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".message--success")).to_have_text(
        "The invitation was sent to colleague@vejle.example."
    )
    expect(page.locator("#invitations")).to_contain_text("colleague@vejle.example")
    page.screenshot(path=str(tmp_path / "people.png"), full_page=True)

    [message] = mail_server.wait_for(1)
    assert message["To"] == "colleague@vejle.example"
    found = re.search(r"(http://\S+/invitations/\S+/)", body_of(message))
    assert found is not None
    link = found.group(1)
    assert link.startswith(live_server.url)

    colleague = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        other = colleague.new_page()
        other.set_default_timeout(15_000)
        other.goto(link)
        expect(other.locator("h1")).to_have_text("Join Vejle")
        expect(other.locator(".lead")).to_have_text(
            "Lea Lead invites you to Vejle in Vertebra as Editor."
        )
        # A password like the person's own address is refused, with the reason by the field.
        other.get_by_label("Your name").fill("Cai Colleague")
        other.get_by_label("Password", exact=True).fill("colleague")
        other.get_by_label("Password again").fill("colleague")
        other.get_by_role("button", name="Join").click()
        expect(other.locator("#id_password_error").first).to_contain_text("too similar")
        other.screenshot(path=str(tmp_path / "invitation.png"), full_page=True)
        other.get_by_label("Password", exact=True).fill("harbour-bridge-42")
        other.get_by_label("Password again").fill("harbour-bridge-42")
        other.get_by_role("button", name="Join").click()
        expect(other).to_have_url(f"{live_server.url}/cities/vejle/")
        expect(other.locator("h1")).to_have_text("Vejle")
        expect(other.locator(".page-head__meta").first).to_have_text("Your role: Editor")

        other.get_by_role("button", name="Log out").click()
        other.goto(f"{live_server.url}/")
        other.get_by_label("Email address").fill("colleague@vejle.example")
        other.get_by_label("Password").fill("harbour-bridge-42")
        other.get_by_role("button", name="Log in").click()
        expect(other.get_by_role("link", name="Vejle").first).to_be_visible()
        other.get_by_role("link", name="Vejle").first.click()
        expect(other.locator("h1")).to_have_text("Vejle")

        # Their own page: a new password, then signing in with it lands on their work.
        other.get_by_role("link", name="Your account").click()
        other.get_by_label("Current password").fill("harbour-bridge-42")
        other.get_by_label("New password", exact=True).fill("lighthouse-quay-77")
        other.get_by_label("New password again").fill("lighthouse-quay-77")
        other.get_by_role("button", name="Save").click()
        expect(other.locator(".message--success")).to_have_text("Your password was changed.")
        other.get_by_role("button", name="Log out").click()
        other.goto(f"{live_server.url}/login/")
        other.get_by_label("Email address").fill("colleague@vejle.example")
        other.get_by_label("Password").fill("harbour-bridge-42")
        other.get_by_role("button", name="Log in").click()
        expect(other.get_by_role("link", name="Your work")).to_have_count(0)  # refused
        other.get_by_label("Password").fill("lighthouse-quay-77")
        other.get_by_role("button", name="Log in").click()
        expect(other).to_have_url(f"{live_server.url}/work/")
        expect(other.locator("#work-vejle")).to_have_text("Vejle")
        expect(other.get_by_role("link", name=re.compile(r"^L1S1 "))).to_be_visible()
        other.screenshot(path=str(tmp_path / "your-work.png"), full_page=True)
    finally:
        colleague.close()

    page.reload()
    expect(page.locator("#members")).to_contain_text("Cai Colleague")
    expect(page.locator("#team-history")).to_contain_text("Joined")
    page.screenshot(path=str(tmp_path / "people-after.png"), full_page=True)
    assert list(MembershipEvent.objects.order_by("id").values_list("kind", "email", "role")) == [
        ("invited", "colleague@vejle.example", "editor"),
        ("joined", "colleague@vejle.example", "editor"),
    ]
