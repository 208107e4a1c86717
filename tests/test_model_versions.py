"""A new version of a model is loaded beside the old one; assessments stay pinned to theirs; a
new cycle may move to the newer version, carrying over the answers of the objectives that still
exist; the comparison then lists the objectives added, removed and changed. Assessments of two
different models do not compare. ``vertebra assess`` reads any model file without a database."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from django.test import Client

from tests.fixtures.any_model import FLOOD_V1, FLOOD_V2, SIX_STEPS, load_model
from tests.reports.factories import answer, make_city, make_person
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Assessment
from vertebra.cli import main
from vertebra.frameworks.models import FrameworkVersion
from vertebra.planning.domain import set_targets
from vertebra.planning.models import Target

V2_CODES = [
    *(f"G1{stage}1" for stage in "BEX"),
    "G2B1",
    "G2E1",
    "O1B1",
    "O1E1",
    "O1E2",
    "O1X1",
    *(f"O2{stage}1" for stage in "BEX"),
]
OLD_G1E1 = "Adopt a flood plan in the council"
NEW_G1E1 = "Adopt a flood plan in the council and review it every year"


def _first_cycle() -> Assessment:
    """A flood-ready v1 assessment with three answers and a target, then v2 loaded beside v1."""
    v1 = load_model(FLOOD_V1)
    city = make_city()
    first = create_assessment(
        city=city, user=None, title="Floods 2026", date=dt.date(2026, 3, 1), framework_version=v1
    )
    answer(first, "G1B1", status="achieved", evidence="Flood map of 2025")
    answer(first, "G1E1", status="in_progress", progress=50)
    answer(first, "G2X1", status="achieved")
    set_targets(assessment=first, user=None, targets={"G1": "X", "G2": "E"})
    load_model(FLOOD_V2)
    return first


def _answers(assessment: Assessment) -> dict[str, tuple[str, int | None, str]]:
    return {
        code: (status, progress, evidence)
        for code, status, progress, evidence in assessment.answers.exclude(
            status="not_started"
        ).values_list("objective__code", "status", "progress", "evidence")
    }


@pytest.mark.django_db
def test_importing_a_new_version_keeps_the_old_one_and_its_assessments(tmp_path, capsys):
    first = _first_cycle()
    FrameworkVersion.objects.filter(framework_id="flood-ready", version=2).delete()
    assert main(["framework", "import", str(FLOOD_V2)]) == 0
    assert capsys.readouterr().out == (
        "flood-ready version 2: 3 stages, 2 dimensions, 4 policies, 12 objectives: imported\n"
    )
    assert sorted(
        FrameworkVersion.objects.filter(framework_id="flood-ready").values_list(
            "version", flat=True
        )
    ) == [1, 2]
    first.refresh_from_db()
    assert first.framework_version.version == 1
    assert _answers(first) == {
        "G1B1": ("achieved", None, "Flood map of 2025"),
        "G1E1": ("in_progress", 50, ""),
        "G2X1": ("achieved", None, ""),
    }
    text = first.answers.get(objective__code="G1E1").objective.text
    assert text == OLD_G1E1


@pytest.mark.django_db
def test_new_cycle_on_the_page_moves_to_the_newer_version_carrying_answers_that_still_exist():
    first = _first_cycle()
    admin = make_person("admin@rivertown.example", first.city, "admin")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/cities/rivertown/assessments/new/",
        {
            "title": "Floods 2027",
            "date": "2027-03-01",
            "copy_from": str(first.uuid),
            "framework": "flood-ready@2",
        },
    )
    assert response.status_code == 302
    second = Assessment.objects.get(title="Floods 2027")
    assert (second.framework_version.framework_id, second.framework_version.version) == (
        "flood-ready",
        2,
    )
    assert (
        list(
            second.answers.order_by("objective__position").values_list("objective__code", flat=True)
        )
        == V2_CODES
    )
    assert _answers(second) == {
        "G1B1": ("achieved", None, "Flood map of 2025"),
        "G1E1": ("in_progress", 50, ""),
    }
    assert dict(
        Target.objects.filter(assessment=second).values_list("policy_code", "stage_code")
    ) == {
        "G1": "X",
        "G2": "E",
    }
    first.refresh_from_db()
    assert first.framework_version.version == 1

    page = client.get(
        f"/cities/rivertown/compare/?older={first.uuid}&newer={second.uuid}"
    ).content.decode()
    assert "What changed in the model from version 1 to version 2" in page
    rows = [
        '<tr class="model-change model-change--added"><th scope="row">O1E2</th><td>added</td>'
        "<td></td><td>Test the warning sirens twice a year</td></tr>",
        '<tr class="model-change model-change--removed"><th scope="row">G2X1</th><td>removed</td>'
        "<td>Fund a flood fund shared with neighbouring towns</td><td></td></tr>",
        '<tr class="model-change model-change--changed"><th scope="row">G1E1</th>'
        f"<td>text changed</td><td>{OLD_G1E1}</td><td>{NEW_G1E1}</td></tr>",
    ]
    for row in rows:
        assert row in page


@pytest.mark.django_db
def test_new_cycle_on_the_page_keeps_the_version_unless_another_is_chosen():
    first = _first_cycle()
    admin = make_person("admin@rivertown.example", first.city, "admin")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/cities/rivertown/assessments/new/",
        {"title": "Again", "date": "2027-03-01", "copy_from": str(first.uuid), "framework": ""},
    )
    assert response.status_code == 302
    assert Assessment.objects.get(title="Again").framework_version == first.framework_version


def _api(first: Assessment) -> Client:
    admin = make_person("admin@rivertown.example", first.city, "admin")
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user=admin, name='t')[1]}")


@pytest.mark.django_db
def test_api_new_cycle_moves_to_a_newer_version_and_the_comparison_lists_the_model_changes():
    first = _first_cycle()
    client = _api(first)
    base = f"/api/v1/cities/rivertown/assessments/{first.uuid}"
    response = client.post(
        f"{base}/cycles",
        json.dumps({"title": "Floods 2027", "date": "2027-03-01", "version": 2}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["framework"]["version"] == 2
    second = Assessment.objects.get(title="Floods 2027")
    assert _answers(second) == {
        "G1B1": ("achieved", None, "Flood map of 2025"),
        "G1E1": ("in_progress", 50, ""),
    }
    comparison = client.get(f"/api/v1/cities/rivertown/assessments/{second.uuid}/comparison").json()
    assert comparison["same_model"] is False
    assert comparison["model_changes"] == {
        "older_version": 1,
        "newer_version": 2,
        "added": [{"code": "O1E2", "text": "Test the warning sirens twice a year"}],
        "removed": [{"code": "G2X1", "text": "Fund a flood fund shared with neighbouring towns"}],
        "changed": [{"code": "G1E1", "old_text": OLD_G1E1, "new_text": NEW_G1E1}],
    }
    assert [(o["code"], o["old"], o["new"]) for o in comparison["objectives"]] == []


@pytest.mark.django_db
def test_api_new_cycle_without_a_version_stays_on_the_version_it_continues():
    first = _first_cycle()
    response = _api(first).post(
        f"/api/v1/cities/rivertown/assessments/{first.uuid}/cycles",
        json.dumps({"title": "Floods 2027", "date": "2027-03-01"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["framework"]["version"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "details"),
    [
        (
            "cycles",
            {"version": 5},
            {"version": "flood-ready has no version 5 (loaded versions: 1, 2)."},
        ),
        (
            "",
            {"framework": "six-steps"},
            {
                "framework": "A new cycle keeps the maturity model of the assessment it "
                "continues (flood-ready); start an empty assessment to use another model."
            },
        ),
    ],
)
def test_api_new_cycle_refuses_an_unknown_version_or_another_model(path, body, details):
    first = _first_cycle()
    load_model(SIX_STEPS)
    address = (
        f"/api/v1/cities/rivertown/assessments/{first.uuid}/cycles"
        if path
        else "/api/v1/cities/rivertown/assessments"
    )
    payload = {"title": "Next", "date": "2027-03-01", **body}
    if not path:
        payload["copy_from"] = str(first.uuid)
    response = _api(first).post(address, json.dumps(payload), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["details"] == details
    assert list(Assessment.objects.all()) == [first]


@pytest.mark.django_db
def test_new_cycle_cannot_go_back_to_an_older_version():
    first = _first_cycle()
    client = _api(first)
    response = client.post(
        f"/api/v1/cities/rivertown/assessments/{first.uuid}/cycles",
        json.dumps({"title": "On v2", "date": "2027-03-01", "version": 2}),
        content_type="application/json",
    )
    second = Assessment.objects.get(uuid=response.json()["id"])
    response = client.post(
        f"/api/v1/cities/rivertown/assessments/{second.uuid}/cycles",
        json.dumps({"title": "Back", "date": "2028-03-01", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "version": "A new cycle cannot go back to an older version: the assessment it continues "
        "uses version 2."
    }
    assert Assessment.objects.filter(title="Back").count() == 0


@pytest.mark.django_db
def test_assessments_of_different_models_do_not_compare():
    first = _first_cycle()
    six = load_model(SIX_STEPS)
    heat = create_assessment(
        city=first.city,
        user=None,
        title="Heat 2027",
        date=dt.date(2027, 3, 1),
        framework_version=six,
    )
    client = _api(first)
    response = client.get(
        f"/api/v1/cities/rivertown/assessments/{heat.uuid}/comparison?older={first.uuid}"
    )
    message = (
        "“Floods 2026” uses the maturity model Flood Readiness Ladder and “Heat 2027” uses "
        "Six Steps of Heat Resilience: only assessments of the same model can be compared."
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"older": message}
    # Without "older": no earlier assessment of the same model.
    response = client.get(f"/api/v1/cities/rivertown/assessments/{heat.uuid}/comparison")
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["older"]

    web = Client()
    web.force_login(make_person("viewer@rivertown.example", first.city, "viewer"))
    page = web.get(f"/cities/rivertown/compare/?older={first.uuid}&newer={heat.uuid}")
    assert page.status_code == 200
    assert f'<p class="message message--error" role="alert">{message}</p>' in page.content.decode()
    assert "change-heading" not in page.content.decode()


def test_assess_reads_a_model_file_without_a_database(tmp_path):
    answers = tmp_path / "a.csv"
    answers.write_text("objective,status\nG1B1,achieved\nG2B1,achieved\nO1B1,achieved\n")
    data_dir = tmp_path / "data"
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "vertebra.cli", "assess", str(answers), "--format", "json",
         "--framework", str(FLOOD_V1)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result_json = json.loads(result.stdout)
    assert {code: p["stage"] for code, p in result_json["policies"].items()} == {
        "G1": "B",
        "G2": "B",
        "O1": "B",
        "O2": None,
    }
    assert not data_dir.exists()


def test_assess_with_a_broken_model_file_exits_2_naming_the_problem(tmp_path, capsys):
    model = tmp_path / "broken.yaml"
    model.write_text(FLOOD_V1.read_text().replace("stage: X", "stage: Y", 1))
    answers = tmp_path / "a.csv"
    answers.write_text("objective,status\nG1B1,achieved\n")
    assert main(["assess", str(answers), "--framework", str(model)]) == 2
    assert capsys.readouterr().err == (
        f"vertebra: --framework {model}: dimensions[0].policies[0].objectives[2] (G1X1).stage: "
        "stage 'Y' is not a declared stage (B, E, X)\n"
    )


@pytest.mark.django_db
def test_pdf_of_a_cycle_on_the_newer_version_lists_the_model_changes():
    from vertebra.planning.domain import start_assessment
    from vertebra.reports.pdf import render_html, render_pdf

    first = _first_cycle()
    second = start_assessment(
        city=first.city,
        user=None,
        title="Floods 2027",
        date=dt.date(2027, 3, 1),
        copy_from=first,
        framework_version=FrameworkVersion.objects.get(framework_id="flood-ready", version=2),
    )
    html = render_html(second)
    assert "What changed in the model from version 1 to version 2</h3>" in html
    for row in (
        '<th scope="row" class="answers__id">O1E2</th><td>added</td>'
        "<td>Test the warning sirens twice a year</td>",
        '<th scope="row" class="answers__id">G2X1</th><td>removed</td>'
        "<td>Fund a flood fund shared with neighbouring towns</td>",
        '<th scope="row" class="answers__id">G1E1</th><td>text changed</td>'
        f"<td>{OLD_G1E1} → {NEW_G1E1}</td>",
    ):
        assert row in html
    assert render_pdf(second).startswith(b"%PDF-")


@pytest.mark.django_db
def test_pdf_compares_only_with_an_earlier_assessment_of_the_same_model():
    from vertebra.reports.pdf import render_html

    first = _first_cycle()
    heat = create_assessment(
        city=first.city,
        user=None,
        title="Heat 2026",
        date=dt.date(2026, 6, 1),
        framework_version=load_model(SIX_STEPS),
    )
    html = render_html(heat)
    assert "This is the city's first assessment cycle: there is nothing to compare" in html
    assert "Compared with" not in html

    later = create_assessment(
        city=first.city,
        user=None,
        title="Floods 2027",
        date=dt.date(2027, 3, 1),
        framework_version=first.framework_version,
    )
    assert "Compared with Floods 2026 (1 March 2026)." in render_html(later)
