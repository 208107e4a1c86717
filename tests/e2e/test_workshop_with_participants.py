"""A small workshop end to end, in Chromium against a served instance (`vertebra serve`): the
facilitator opens it, three participants join at once in their own browsers (one by the QR
code's address, one by typing the code, one a city member with their account), rate, and the
facilitator watches the live view, reveals, records the agreed answers and closes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_single_sign_on import BIN, Instance, _wait_for, database_for_the_served_instance
from tests.test_serve import free_port
from vertebra.web.workshops import qr_svg

FACILITATOR = ("lead@kristiansand.example", "x-lead-password-1")
MEMBER = ("mira@kristiansand.example", "x-mira-password-1")
TITLE = "Emergency planning day"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """A served instance (PostgreSQL when ``DATABASE_URL`` is set) with a city, its
    facilitator, a member who will join with their account, and a draft assessment."""
    with database_for_the_served_instance() as database_url:
        yield from _served(tmp_path_factory.mktemp("workshop"), database_url)


def _served(data_dir: Path, database_url: str) -> Iterator[Instance]:
    import os

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"VERTEBRA_DATA_DIR": str(data_dir), "VERTEBRA_DEBUG": ""}
    if database_url:
        env["DATABASE_URL"] = database_url
    server = subprocess.Popen(
        [str(BIN / "vertebra"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"{url}/login/", server, "vertebra serve")
        running = Instance(url=url, env=env)
        running.python(
            "import datetime\n"
            "from vertebra.accounts.models import User\n"
            "from vertebra.assessments.domain import create_assessment\n"
            "from vertebra.cities.models import City, Membership\n"
            "city = City.objects.create(slug='kristiansand', name='Kristiansand')\n"
            f"lead = User.objects.create_user({FACILITATOR[0]!r}, {FACILITATOR[1]!r})\n"
            "Membership.objects.create(city=city, user=lead, role='admin')\n"
            f"mira = User.objects.create_user({MEMBER[0]!r}, {MEMBER[1]!r}, name='Mira Holm')\n"
            "Membership.objects.create(city=city, user=mira, role='contributor')\n"
            "create_assessment(city=city, user=lead, title='Baseline 2026',\n"
            "                  date=datetime.date(2026, 3, 1))\n"
            "print('null')"
        )
        yield running
    finally:
        server.terminate()
        server.wait(timeout=10)


def _log_in(page: Any, url: str, who: tuple[str, str]) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Email address").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/work/")


def _context(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _rate(page: Any, code: str, label: str, progress: str = "") -> None:
    card = page.locator(f"#objective-{code}")
    card.get_by_label(label, exact=True).check()
    if progress:
        card.get_by_label("Progress (%) if in progress").fill(progress)
    card.get_by_role("button", name=f"Save {code}").click()
    expect(page.locator(f"#objective-{code}")).to_contain_text("Saved")


def test_a_small_workshop_from_opening_to_the_agreed_answers(
    page: Any, browser: Any, instance: Instance
) -> None:
    url = instance.url
    # The facilitator opens the workshop from the assessment.
    _log_in(page, url, FACILITATOR)
    page.get_by_role("link", name="Kristiansand").first.click()
    page.get_by_role("link", name="Baseline 2026").first.click()
    page.get_by_role("link", name="Workshops").click()
    page.get_by_role("link", name="Open a workshop").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Date").fill("2026-05-04")
    page.locator("input[name=policies][value=L1]").check()
    for kind in ("Emergency services", "Critical infrastructure providers", "Media"):
        page.locator(f"input[name=stakeholder_types][value='{kind}']").check()
    page.get_by_role("button", name="Open the workshop").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    code = page.locator("#join-code").inner_text().strip()
    join_url = f"{url}/join/{code}/"
    expect(page.locator(".workshop-join")).to_contain_text(join_url)
    # The QR code on the projector is the join address.
    drawn = page.locator("#join-qr path.qrline").get_attribute("d")
    expected = re.search(r'class="qrline"[^>]* d="([^"]+)"', qr_svg(join_url))
    assert expected is not None and drawn == expected.group(1)
    live = page.locator("#live")
    expect(live.locator("#live-L1S1 td").first).to_have_text("0")
    page.evaluate("window.__still_here = true")

    contexts = [_context(browser) for _ in range(3)]
    (_a, ana), (_b, ben), (_c, mira) = contexts
    try:
        # Three people join at once: Ana by the QR code's address, Ben by typing the code,
        # Mira with her account.
        ana.goto(join_url)
        ana.get_by_label("Your name as others see it").fill("Ana")
        ana.get_by_label("Emergency services").check()
        ben.goto(f"{url}/join/")
        ben.get_by_label("Join code").fill(code.lower())
        ben.get_by_role("button", name="Continue").click()
        ben.get_by_label("Your name as others see it").fill("Ben")
        ben.get_by_label("Media").check()
        _log_in(mira, url, MEMBER)
        mira.goto(join_url)
        expect(mira.locator("#join-as-member")).to_have_text(
            "You join with your account, as Mira Holm."
        )
        mira.get_by_label("Critical infrastructure providers").check()
        for person in (ana, ben, mira):
            person.get_by_role("button", name="Join").click(no_wait_after=True)
        for person in (ana, ben, mira):
            expect(person).to_have_url(f"{url}/join/{code}/policies/L1/")
            expect(person.locator("#results-hidden")).to_be_visible()
        expect(mira.locator(".rate-page > p.muted").first).to_contain_text(
            "Mira Holm (Critical infrastructure providers)"
        )

        _rate(ana, "L1S1", "Achieved")
        _rate(ben, "L1S1", "Achieved")
        _rate(mira, "L1S1", "Not started")
        _rate(ana, "L1S2", "In progress", progress="50")
        _rate(ben, "L1S2", "In progress", progress="60")
        _rate(mira, "L1S2", "Don't know")

        # The live view follows without a reload: L1S1 is disputed, so it comes first.
        expect(live.locator("#live-L1S1 td").first).to_have_text("3", timeout=20_000)
        expect(live).to_contain_text("3 participants")
        expect(live.locator("tbody tr[id^='live-']").first).to_have_id("live-L1S1")
        expect(live.locator("#live-L1S1")).to_contain_text("Discuss")
        expect(live.locator("#live-L1S2 td").last).to_have_text("100 %")
        assert page.evaluate("window.__still_here") is True

        # Nobody sees the others' ratings before the reveal.
        ana.reload()
        expect(ana.locator(".rate-results")).to_have_count(0)
        page.get_by_role("button", name="Reveal the results to the participants").click()
        expect(page.locator("#workshop-status")).to_have_text("Revealed")
        for person in (ana, ben, mira):
            person.reload()
            results = person.locator("#results-L1S1")
            expect(results).to_contain_text("Achieved: 2")
            expect(results).to_contain_text("Not started: 1")
            expect(results).to_contain_text("Agreement: 67 %")
            expect(results).to_contain_text("To discuss")
            expect(person.locator("#results-L1S2")).to_contain_text("Agreement: 100 %")
            for name in ("Ana", "Ben", "Mira Holm"):
                others = person.locator(".rate-results", has_text=name)
                expect(others).to_have_count(0)

        # The facilitator records the agreed answers, then closes the workshop.
        # A note, then one click on the agreed status.
        page.locator("#agree-note-L1S1").fill("The emergency plan was adopted in March.")
        page.locator("#agree-L1S1").get_by_role("button", name="Achieved", exact=True).click()
        expect(page.locator("#messages")).to_contain_text("The agreed answer of L1S1 is saved.")
        page.locator("#agree-progress-L1S2").fill("55")
        page.locator("#agree-L1S2").get_by_role("button", name="In progress", exact=True).click()
        expect(page.locator("#messages")).to_contain_text("The agreed answer of L1S2 is saved.")
        page.get_by_role("button", name="Close the workshop").click()
        expect(page.locator("#workshop-status")).to_have_text("Closed")

        # A participant's next rating is refused with a clear page, and nothing is written.
        card = ana.locator("#objective-L1S1")
        card.get_by_label("Not started", exact=True).check()
        card.get_by_role("button", name="Save L1S1").click()
        expect(ana.locator("#join-refused")).to_have_text(
            "This workshop is closed: its ratings can no longer be changed."
        )
    finally:
        for context, _page in contexts:
            context.close()

    # The assessment has the agreed answers, and their history names the workshop.
    page.get_by_role("link", name="Kristiansand").first.click()
    page.get_by_role("link", name="Baseline 2026").first.click()
    page.get_by_role("link", name=re.compile(r"^L1 ")).click()
    expect(page.locator("#objective-L1S1 .status")).to_have_text("Achieved")
    expect(page.locator("#objective-L1S2 .status")).to_contain_text("In progress")
    page.goto(page.url.split("policies/")[0] + "history/")
    history = page.locator("main")
    expect(history).to_contain_text(
        f"Agreed in workshop {TITLE} on 2026-05-04: 3 ratings, agreement 67 %"
    )
    expect(history).to_contain_text(
        f"Agreed in workshop {TITLE} on 2026-05-04: 3 ratings, agreement 100 %"
    )
    assert instance.python(
        "from vertebra.workshops.models import Participant, Rating\n"
        "from vertebra.assessments.models import Answer\n"
        "print(json.dumps({\n"
        " 'participants': sorted([p.name, p.stakeholder_type, p.member and p.member.email]\n"
        "                        for p in Participant.objects.all()),\n"
        " 'ratings': Rating.objects.count(),\n"
        " 'L1S1': list(Rating.objects.filter(objective_code='L1S1')\n"
        "              .order_by('participant__name').values_list('status', flat=True)),\n"
        " 'answers': sorted(Answer.objects.filter(objective__code__in=['L1S1', 'L1S2'])\n"
        "                   .values_list('objective__code', 'status', 'progress')),\n"
        "}))"
    ) == {
        "participants": [
            ["Ana", "Emergency services", None],
            ["Ben", "Media", None],
            ["Mira Holm", "Critical infrastructure providers", MEMBER[0]],
        ],
        "ratings": 6,
        "L1S1": ["achieved", "achieved", "not_started"],
        "answers": [["L1S1", "achieved", None], ["L1S2", "in_progress", 55]],
    }
