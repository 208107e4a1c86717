"""The main flows on maturity models quite unlike the SMR model: three stages with other
names and letters and two dimensions (``flood-ready``), and six stages (``six-steps``).

Create in the page and the API, answer, the dashboard and a policy page with the matrix and
chart, targets and the proposed plan, the roadmap, the reports (PDF, XLSX, CSV, JSON), the
export and import round trip, and backup and restore."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.fixtures.any_model import FLOOD_V1, SIX_STEPS, load_model
from tests.reports.factories import make_city, make_person
from vertebra.api.tokens import create_token
from vertebra.assessments.models import Answer, Assessment
from vertebra.planning.models import Action, Target
from vertebra.reports.backup import restore_backup, write_backup
from vertebra.reports.exports import export_json
from vertebra.reports.imports import import_into_new_assessment
from vertebra.reports.pdf import render_html, render_pdf

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Model:
    path: Path
    reference: str
    codes: list[str]
    stages: list[str]  # names, lowest first
    achieved: list[str]  # the objectives the flow answers "achieved"
    policy_stages: dict[str, str | None]  # what those answers reach
    overall: str | None
    policy: str  # a policy whose page the flow opens


FLOOD = Model(
    path=FLOOD_V1,
    reference="flood-ready@1",
    codes=[f"{policy}{stage}1" for policy in ("G1", "G2", "O1", "O2") for stage in "BEX"],
    stages=["Basic", "Established", "Exemplary"],
    achieved=["G1B1", "G1E1", "G2B1", "O1B1"],
    policy_stages={"G1": "E", "G2": "B", "O1": "B", "O2": None},
    overall=None,
    policy="G1",
)
SIX = Model(
    path=SIX_STEPS,
    reference="six-steps@1",
    codes=[f"{policy}{stage}1" for policy in ("H1", "H2") for stage in "PQUVWZ"],
    stages=["Prepare", "Qualify", "Unite", "Verify", "Widen", "Zenith"],
    achieved=["H1P1", "H1Q1", "H1U1", "H1V1", "H1W1", "H2P1"],
    policy_stages={"H1": "W", "H2": "P"},
    overall="P",
    policy="H1",
)
MODELS = pytest.mark.parametrize("model", [FLOOD, SIX], ids=["three-stages", "six-stages"])


def _admin(city_slug: str = "rivertown") -> tuple[Client, Client]:
    city = make_city(city_slug)
    admin = make_person(f"admin@{city_slug}.example", city, "admin")
    web = Client()
    web.force_login(admin)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user=admin, name='t')[1]}")
    return web, api


def _statuses(assessment: Assessment) -> dict[str, str]:
    return dict(
        Answer.objects.filter(assessment=assessment)
        .exclude(status="not_started")
        .values_list("objective__code", "status")
    )


def _create_and_answer(model: Model, web: Client, api: Client) -> Assessment:
    """Created on the page, answered through the API."""
    response = web.post(
        "/cities/rivertown/assessments/new/",
        {"title": "Review", "date": "2026-04-01", "copy_from": "", "framework": model.reference},
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(title="Review")
    base = f"/api/v1/cities/rivertown/assessments/{assessment.uuid}"
    response = api.patch(
        f"{base}/answers",
        json.dumps(
            {"answers": [{"code": c, "version": 1, "status": "achieved"} for c in model.achieved]}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return assessment


@MODELS
def test_assessment_on_the_model_is_answered_and_profiled_in_the_api(model):
    load_model(model.path)
    web, api = _admin()
    assessment = _create_and_answer(model, web, api)
    base = f"/api/v1/cities/rivertown/assessments/{assessment.uuid}"
    body = api.get(f"{base}?include=answers,profile").json()
    assert [a["code"] for a in body["answers"]] == model.codes
    assert _statuses(assessment) == dict.fromkeys(model.achieved, "achieved")
    policies = body["profile"]["policies"]
    assert {code: p["stage"] for code, p in policies.items()} == model.policy_stages
    assert body["overall_stage"] == model.overall
    framework = api.get(body["framework"]["url"]).json()
    assert [s["name"] for s in framework["model"]["stages"]] == model.stages


@MODELS
def test_dashboard_policy_page_targets_plan_and_roadmap_work_on_the_model(model):
    load_model(model.path)
    web, api = _admin()
    assessment = _create_and_answer(model, web, api)
    page = f"/cities/rivertown/assessments/{assessment.uuid}/"
    dashboard = web.get(page).content.decode()
    for name in model.stages:
        assert name in dashboard
    policy = web.get(f"{page}policies/{model.policy}/").content.decode()
    for code in model.codes:
        if code.startswith(model.policy):
            assert code in policy

    top = model.stages[-1]
    top_code = [c for c in model.codes if c.startswith(model.policy)][-1][len(model.policy)]
    response = web.post(f"{page}plan/targets/", {"apply": "all", "all_policies": top_code})
    assert response.status_code == 302
    assert dict(Target.objects.values_list("policy_code", "stage_code")) == dict.fromkeys(
        model.policy_stages, top_code
    )
    assert web.post(f"{page}plan/propose/").status_code == 302
    todo = {c for c in model.codes if c not in model.achieved}
    proposed = set(
        Action.objects.filter(assessment=assessment).values_list("objectives__code", flat=True)
    )
    assert proposed == todo
    for part in ("", "roadmap/", "totals/", "actions/"):
        response = web.get(f"{page}plan/{part}")
        assert response.status_code == 200, part
    assert top in web.get(f"{page}plan/roadmap/").content.decode()


@MODELS
def test_reports_on_the_model_have_its_objectives_and_stages(model):
    load_model(model.path)
    web, api = _admin()
    assessment = _create_and_answer(model, web, api)
    page = f"/cities/rivertown/assessments/{assessment.uuid}/"

    rows = list(csv.reader(io.StringIO(web.get(f"{page}report.csv").content.decode("utf-8-sig"))))
    assert [(r[0], r[5]) for r in rows[1:]] == [
        (c, "achieved" if c in model.achieved else "not_started") for c in model.codes
    ]
    sheet = load_workbook(io.BytesIO(web.get(f"{page}report.xlsx").content))["Answers"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == model.codes
    exported = json.loads(web.get(f"{page}report.json").content)
    assert exported["framework"]["id"] == model.reference.split("@")[0]
    assert [a["objective"] for a in exported["answers"]] == model.codes

    pdf = web.get(f"{page}report.pdf").content
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    html = render_html(assessment)
    for name in model.stages:
        assert name in html
    assert render_pdf(assessment).startswith(b"%PDF-")


@MODELS
def test_export_then_import_keeps_every_answer_on_the_model(model):
    fv = load_model(model.path)
    web, api = _admin()
    assessment = _create_and_answer(model, web, api)
    data = json.dumps(export_json(assessment)).encode()
    summary = import_into_new_assessment(
        city=assessment.city, user=None, data=data, filename="answers.json", framework=fv
    )
    assert summary.assessment.framework_version == fv
    assert _statuses(summary.assessment) == _statuses(assessment)
    assert sorted(summary.new) == sorted(model.achieved)


@MODELS
def test_backup_and_restore_keep_the_model_and_its_answers(model, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_model(model.path)
    web, api = _admin()
    assessment = _create_and_answer(model, web, api)
    before = _statuses(assessment)
    path = tmp_path / "instance.zip"
    write_backup(path)
    restore_backup(path, force=True)
    restored = Assessment.objects.get(uuid=assessment.uuid)
    fv = restored.framework_version
    assert f"{fv.framework_id}@{fv.version}" == model.reference
    assert _statuses(restored) == before
    assert (
        list(
            restored.answers.order_by("objective__position").values_list(
                "objective__code", flat=True
            )
        )
        == model.codes
    )
