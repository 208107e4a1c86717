"""An admin carries out a whole assessment on a model quite unlike the SMR model, in Chromium:
choosing the model, answering, the matrix and chart, targets and plan, the reports, then a new
cycle on the model's newer version and the comparison of the two."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.any_model import FLOOD_V1, FLOOD_V2, load_model
from vertebra.accounts.models import User
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership
from vertebra.planning.models import Action

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "any-model-password-1"


def answer(page, code: str, status_label: str) -> None:
    objective = page.locator(f"#objective-{code}")
    objective.get_by_label(status_label, exact=True).check()
    objective.get_by_role("button", name=f"Save {code}").click()
    expect(objective.locator(".status")).to_have_text(status_label)


def test_whole_assessment_and_a_new_version_on_a_three_stage_model(page, live_server):
    load_model(FLOOD_V1)
    load_model(FLOOD_V2)
    city = City.objects.create(slug="riga", name="Riga")
    admin = User.objects.create_user("lead@riga.example", PASSWORD)
    Membership.objects.create(city=city, user=admin, role="admin")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill("lead@riga.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/cities/riga/")
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill("Floods 2026")
    page.get_by_label("Date").fill("2026-04-01")
    page.get_by_label("Maturity model").select_option(label="Flood Readiness Ladder, version 1")
    page.get_by_role("button", name="Create assessment").click()
    expect(page.locator("h1")).to_have_text("Floods 2026")
    expect(page.locator(".page-head__meta")).to_contain_text("Flood Readiness Ladder (v1)")
    first = Assessment.objects.get(title="Floods 2026")

    # The matrix has the model's three stages and four policies.
    headings = page.locator("table.matrix thead th")
    expect(headings).to_have_text(["Policy", "Basic", "Established", "Exemplary", "Stage reached"])
    expect(page.locator("table.matrix tbody tr:not(.dimension-row)")).to_have_count(4)
    expect(page.locator("#chart-heading")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^G1 Flood planning")).click()
    answer(page, "G1B1", "Achieved")
    answer(page, "G1E1", "Achieved")
    expect(page.locator("#policy-summary .figure__value").first).to_have_text("Established")

    page.goto(f"{live_server.url}/cities/riga/assessments/{first.uuid}/")
    page.locator("#open-plan").click()
    page.locator("#set-targets").click()
    page.locator("#id_target_G2").select_option(label="Established (E)")
    page.locator("#save-targets").click()
    page.locator("#create-proposed-actions").click()
    rows = page.locator("tr[data-action]")
    expect(rows).to_have_count(2)
    assert sorted(
        Action.objects.filter(assessment=first).values_list("objectives__code", flat=True)
    ) == ["G2B1", "G2E1"]

    base = f"{live_server.url}/cities/riga/assessments/{first.uuid}/"
    pdf = page.request.get(f"{base}report.pdf")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF-")
    csv_text = page.request.get(f"{base}report.csv").text()
    assert [line.split(",")[0] for line in csv_text.lstrip("\ufeff").splitlines()[1:]] == [
        f'"{policy}{stage}1"' for policy in ("G1", "G2", "O1", "O2") for stage in "BEX"
    ]

    # A new cycle on version 2: the answers of the objectives that still exist come along.
    page.goto(base)
    page.get_by_role("link", name="Start a new cycle").click()
    expect(page.get_by_label("Maturity model")).to_have_value("flood-ready@1")
    page.get_by_label("Title").fill("Floods 2027")
    page.get_by_label("Date").fill("2027-04-01")
    page.get_by_label("Maturity model").select_option(label="Flood Readiness Ladder, version 2")
    page.get_by_role("button", name="Create assessment").click()
    expect(page.locator(".page-head__meta")).to_contain_text("Flood Readiness Ladder (v2)")
    page.get_by_role("link", name=re.compile(r"^G1 Flood planning")).click()
    expect(page.locator("#objective-G1E1 .status")).to_have_text("Achieved")
    expect(page.locator("#objective-G1E1")).to_contain_text("and review it every year")

    second = Assessment.objects.get(title="Floods 2027")
    page.goto(f"{live_server.url}/cities/riga/compare/?older={first.uuid}&newer={second.uuid}")
    changes = page.locator(".model-changes")
    expect(changes).to_contain_text("What changed in the model from version 1 to version 2")
    expect(changes.locator("tbody tr")).to_have_count(3)
    expect(changes.locator(".model-change--added")).to_contain_text("O1E2")
    expect(changes.locator(".model-change--removed")).to_contain_text("G2X1")
    expect(changes.locator(".model-change--changed")).to_contain_text("G1E1")
