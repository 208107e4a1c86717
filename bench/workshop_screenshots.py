"""The user guide's pictures of a workshop (docs/USER-GUIDE.md, "Running a workshop").

Builds a fresh instance in a temporary folder (SQLite) with the Demo City, a facilitator and a
city member, starts `vertebra serve`, and walks through a workshop in Chromium: the facilitator
opens it, four people join on their phones and rate, the facilitator watches the results,
reveals them, records an agreed answer and closes. Each step's picture is written to
docs/images/workshop-*.png, so the guide can be brought up to date after a change of the pages
by running this again.

Run: .venv/bin/python bench/workshop_screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_soak import instance_env
from playwright.sync_api import expect, sync_playwright
from serving import BIN, server_process

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "guide-password-1"  # noqa: S105 - throwaway accounts in a temporary instance
FACILITATOR = "resilience.lead@demo.example"
MEMBER = "mira.holm@demo.example"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 740}

SETUP = """
import json, sys
import django
django.setup()
from vertebra.accounts.models import User
from vertebra.cities.models import City, Membership
from vertebra.demo import SAMPLES
password = sys.argv[1]
city = City.objects.get(slug="demo")
lead = User.objects.create_user(sys.argv[2], password, name="Rosa Lund")
Membership.objects.create(city=city, user=lead, role="admin")
mira = User.objects.create_user(sys.argv[3], password, name="Mira Holm")
Membership.objects.create(city=city, user=mira, role="contributor")
draft = [s for s in SAMPLES if not s.final][0]
print(json.dumps({"assessment": str(draft.uuid)}))
"""

# Who joins, as which stakeholder type, and how they rate the first objectives of L1.
PEOPLE = [
    ("Ana Ferreira", "Emergency services", ["achieved", "in_progress", "achieved", "unknown"]),
    (
        "Ben Okafor",
        "Critical infrastructure providers",
        ["achieved", "in_progress", "not_started", "in_progress"],
    ),
    (
        "Cy Lindqvist",
        "Citizens and volunteers",
        ["not_started", "in_progress", "achieved", "in_progress"],
    ),
]
LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "achieved": "Achieved",
    "unknown": "Don't know",
}


def log_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/work/")


def rate(page: Any, codes: list[str], statuses: list[str]) -> None:
    for code, status in zip(codes, statuses, strict=True):
        card = page.locator(f"#objective-{code}")
        card.get_by_label(LABELS[status], exact=True).check()
        if status == "in_progress":
            card.get_by_label("Progress (%) if in progress").fill("40")
        card.get_by_role("button", name=f"Save {code}").click()
        expect(page.locator(f"#objective-{code}")).to_contain_text("Saved")


def walk(url: str, assessment: str, out: Path) -> list[Path]:
    shots: list[Path] = []

    def shot(target: Any, name: str, **options: Any) -> None:
        path = out / f"workshop-{name}.png"
        target.screenshot(path=str(path), **options)
        shots.append(path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        desk = browser.new_context(viewport=DESKTOP, locale="en-GB", device_scale_factor=1)
        lead = desk.new_page()
        log_in(lead, url, FACILITATOR)
        base = f"{url}/cities/demo/assessments/{assessment}/"
        lead.goto(base)
        lead.get_by_role("link", name="Workshops").click()
        lead.get_by_role("link", name="Open a workshop").click()
        lead.get_by_label("Title").fill("Leadership with our partners")
        lead.get_by_label("Date").fill("2026-12-03")
        lead.locator("input[name=policies][value=L1]").check()
        for kind, _name in {(k, n) for n, k, _s in PEOPLE}:
            lead.locator(f"input[name=stakeholder_types][value='{kind}']").check()
        lead.locator("input[name=stakeholder_types][value='Local government departments']").check()
        shot(lead, "open", full_page=True)
        lead.get_by_role("button", name="Open the workshop").click()
        code = lead.locator("#join-code").inner_text().strip()
        shot(lead, "join-code")

        phones = []
        for name, kind, _statuses in PEOPLE:
            context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=2)
            phone = context.new_page()
            phone.goto(f"{url}/join/")
            phone.get_by_label("Join code").fill(code)
            phone.get_by_role("button", name="Continue").click()
            phone.get_by_label("Your name as others see it").fill(name)
            phone.get_by_label(kind, exact=True).check()
            if not phones:
                shot(phone, "join-phone")
            phone.get_by_role("button", name="Join").click()
            phones.append(phone)
        member_context = browser.new_context(viewport=PHONE, locale="en-GB", device_scale_factor=2)
        mira = member_context.new_page()
        log_in(mira, url, MEMBER)
        mira.goto(f"{url}/join/{code}/")
        mira.get_by_label("Local government departments", exact=True).check()
        shot(mira, "join-member-phone")
        mira.get_by_role("button", name="Join").click()

        codes = ["L1S1", "L1S2", "L1M1", "L1M2"]
        for phone, (_name, _kind, statuses) in zip(phones, PEOPLE, strict=True):
            rate(phone, codes, statuses)
        rate(mira, codes, ["achieved", "achieved", "achieved", "in_progress"])
        phones[0].locator("#objective-L1S2").scroll_into_view_if_needed()
        shot(phones[0], "rate-phone")

        lead.wait_for_timeout(3500)  # one refresh of the live results
        live = lead.locator("#live")
        expect(live.locator("#live-L1S1 td").first).to_have_text("4")
        # The live results are replaced every few seconds: picture the screen they are on.
        lead.evaluate("document.querySelector('#live').scrollIntoView()")
        shot(lead, "live")
        lead.get_by_role("button", name="Reveal the results to the participants").click()
        phones[0].reload()
        phones[0].locator("#results-L1S1").scroll_into_view_if_needed()
        shot(phones[0], "results-phone")

        agree = lead.locator("#agree-L1S1")
        agree.get_by_label("Agreed status").select_option("in_progress")
        agree.get_by_label("Progress (%)").fill("60")
        agree.get_by_label("Note").fill("Plan adopted; training of the partners still to come.")
        agree.get_by_role("button", name="Record").click()
        expect(lead.locator("#messages")).to_contain_text("The agreed answer of L1S1 is saved.")
        lead.evaluate("document.querySelector('#agree-heading').scrollIntoView()")
        shot(lead, "agree")
        lead.get_by_role("button", name="Close the workshop").click()
        expect(lead.locator("#workshop-status")).to_have_text("Closed")
        card = phones[1].locator("#objective-L1S1")
        card.get_by_label("Achieved", exact=True).check()
        card.get_by_role("button", name="Save L1S1").click()
        expect(phones[1].locator("#join-refused")).to_be_visible()
        shot(phones[1], "closed-phone")
        browser.close()
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "images")
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        env = instance_env(data_dir, None)
        for command in (["init"], ["demo"]):
            subprocess.run([BIN / "vertebra", *command], check=True, env=env, capture_output=True)
        world = json.loads(
            subprocess.run(
                [sys.executable, "-c", SETUP, PASSWORD, FACILITATOR, MEMBER],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
        )
        with server_process(data_dir, ready_path="/login/", env=env) as (url, _server):
            shots = walk(url, world["assessment"], out)
    for path in shots:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
