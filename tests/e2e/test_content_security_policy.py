"""In Chromium, the main pages work under their Content-Security-Policy: not one violation.

The browser reports every blocked script, style, image or frame as a
``securitypolicyviolation`` event and a console message; both are recorded on every page,
including an htmx save, and the recorder is shown to catch a violation at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_workshop_flow import log_in, make_city_with_admin
from vertebra.assessments.domain import create_assessment, finalize
from vertebra.assessments.models import Answer
from vertebra.planning.domain import create_action

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolation(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Violations:
    def __init__(self, page: Any) -> None:
        self.events: list[str] = []
        self.console: list[str] = []
        page.expose_function("cspViolation", self._event)
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _event(self, text: str) -> None:
        self.events.append(text)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)


def test_main_pages_run_with_no_policy_violation(page, live_server):
    city, assessment = make_city_with_admin()
    earlier = create_assessment(
        city=city, user=None, title="Baseline 2025", date=dt.date(2025, 3, 1)
    )
    finalize(assessment=earlier, user=None)
    create_action(assessment=assessment, user=None, data={"title": "Flood plan"})
    violations = Violations(page)
    base = f"{live_server.url}/cities/kristiansand/assessments/{assessment.uuid}/"
    log_in(page, live_server.url)

    page.goto(base)
    expect(page.locator("table.matrix")).to_be_visible()

    page.goto(base + "policies/L3/")
    card = page.locator("#objective-L3S1")
    with page.expect_response(re.compile(r"/save/$")) as saved:
        card.get_by_label("Achieved", exact=True).check()
        card.get_by_role("button", name="Save L3S1").click()
    assert saved.value.status == 200
    expect(card.locator(".status")).to_have_text("Achieved")

    page.goto(base + "plan/")
    expect(page.locator("#policy-L3")).to_be_visible()
    page.goto(base + "plan/roadmap/")
    expect(page.locator("svg").first).to_be_visible()
    page.goto(base + "plan/actions/new/")
    page.get_by_label("Find objectives").fill("L3S1")
    expect(page.locator("[data-picker-found]")).to_have_text("One objective matches.")
    page.goto(base + "import/")
    expect(page.locator("input[type=file]")).to_be_visible()
    page.goto(f"{live_server.url}/cities/kristiansand/compare/")
    expect(page.locator("#trend-heading")).to_be_visible()

    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Vertebra API")
    expect(page.locator(".opblock").first).to_be_visible()

    assert violations.events == []
    assert violations.console == []
    answer = Answer.objects.get(assessment=assessment, objective__code="L3S1")
    assert (answer.status, answer.version) == ("achieved", 2)

    # The recorder works: an inline script added to the page is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    for _ in range(40):  # the report reaches Python asynchronously
        if violations.events:
            break
        page.wait_for_timeout(50)
    assert violations.events == ["script-src-elem inline"]
    assert page.evaluate("window.ran === undefined") is True
