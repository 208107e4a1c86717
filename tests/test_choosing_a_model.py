"""An admin chooses the maturity model and version of a new assessment: the page, the API and
``vertebra import --framework``; the default stays the SMR model, and no code outside the shipped
data and the defaults names it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from tests.fixtures.any_model import FLOOD_V1, FLOOD_V2, SIX_STEPS, load_model
from tests.reports.factories import make_city, make_person
from vertebra.api.tokens import create_token
from vertebra.assessments.models import Assessment
from vertebra.cli import main
from vertebra.frameworks.defaults import DEFAULT_FRAMEWORK_ID
from vertebra.frameworks.domain import latest_version

pytestmark = pytest.mark.django_db

VERTEBRA = Path(__file__).resolve().parents[1] / "vertebra"
FLOOD_CODES = [
    "G1B1", "G1E1", "G1X1", "G2B1", "G2E1", "G2X1",
    "O1B1", "O1E1", "O1X1", "O2B1", "O2E1", "O2X1",
]  # fmt: skip


def test_no_code_outside_the_shipped_data_and_the_defaults_names_the_default_model():
    allowed = {VERTEBRA / "frameworks" / "defaults.py"}
    naming = sorted(
        str(path.relative_to(VERTEBRA))
        for path in VERTEBRA.rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".html", ".js", ".css", ".txt", ".md"}
        and (VERTEBRA / "frameworks" / "data") not in path.parents
        and path not in allowed
        and DEFAULT_FRAMEWORK_ID in path.read_text(encoding="utf-8")
    )
    assert naming == []


def _admin_client(city_slug: str = "rivertown") -> tuple[Client, object]:
    city = make_city(city_slug)
    admin = make_person(f"admin@{city_slug}.example", city, "admin")
    client = Client()
    client.force_login(admin)
    return client, city


def _codes(assessment: Assessment) -> list[str]:
    return list(
        assessment.answers.order_by("objective__position").values_list("objective__code", flat=True)
    )


def test_new_assessment_page_offers_every_loaded_version_and_defaults_to_the_smr_models_newest():
    load_model(FLOOD_V1)
    load_model(FLOOD_V2)
    client, _city = _admin_client()
    page = client.get("/cities/rivertown/assessments/new/").content.decode()
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', page)
    smr = latest_version(DEFAULT_FRAMEWORK_ID)
    assert options == [
        ("flood-ready@2", "", "Flood Readiness Ladder, version 2"),
        ("flood-ready@1", "", "Flood Readiness Ladder, version 1"),
        (
            f"{DEFAULT_FRAMEWORK_ID}@{smr.version}",
            " selected",
            f"{smr.name}, version {smr.version}",
        ),
    ]


def test_new_assessment_page_creates_it_on_the_chosen_model():
    v1 = load_model(FLOOD_V1)
    load_model(FLOOD_V2)
    client, city = _admin_client()
    response = client.post(
        "/cities/rivertown/assessments/new/",
        {
            "title": "Floods 2026",
            "date": "2026-04-01",
            "copy_from": "",
            "framework": "flood-ready@1",
        },
    )
    assessment = Assessment.objects.get(city=city)
    assert response.status_code == 302
    assert response["Location"] == f"/cities/rivertown/assessments/{assessment.uuid}/"
    assert assessment.framework_version == v1
    assert _codes(assessment) == FLOOD_CODES


def test_new_assessment_page_refuses_an_unknown_model_and_writes_nothing():
    client, city = _admin_client()
    response = client.post(
        "/cities/rivertown/assessments/new/",
        {"title": "Floods", "date": "2026-04-01", "copy_from": "", "framework": "nothing@9"},
    )
    assert response.status_code == 400
    assert "Choose one of the maturity models listed." in response.content.decode()
    assert Assessment.objects.filter(city=city).count() == 0


def test_new_cycle_on_the_page_cannot_change_the_model():
    load_model(FLOOD_V1)
    client, city = _admin_client()
    client.post(
        "/cities/rivertown/assessments/new/",
        {"title": "Floods", "date": "2026-04-01", "copy_from": "", "framework": "flood-ready@1"},
    )
    first = Assessment.objects.get(city=city)
    smr = latest_version(DEFAULT_FRAMEWORK_ID)
    response = client.post(
        "/cities/rivertown/assessments/new/",
        {
            "title": "Next",
            "date": "2027-04-01",
            "copy_from": str(first.uuid),
            "framework": f"{DEFAULT_FRAMEWORK_ID}@{smr.version}",
        },
    )
    assert response.status_code == 400
    assert (
        "A new cycle keeps the maturity model of the assessment it continues (flood-ready)"
        in response.content.decode()
    )
    assert list(Assessment.objects.filter(city=city)) == [first]


def test_new_cycle_page_starts_on_the_version_of_the_assessment_it_continues():
    load_model(FLOOD_V1)
    load_model(FLOOD_V2)
    client, city = _admin_client()
    client.post(
        "/cities/rivertown/assessments/new/",
        {"title": "Floods", "date": "2026-04-01", "copy_from": "", "framework": "flood-ready@1"},
    )
    first = Assessment.objects.get(city=city)
    page = client.get(f"/cities/rivertown/assessments/new/?from={first.uuid}").content.decode()
    assert '<option value="flood-ready@1" selected>' in page


def _api(city_slug: str = "north") -> tuple[Client, object]:
    city = make_city(city_slug)
    admin = make_person(f"admin@{city_slug}.example", city, "admin")
    token = create_token(user=admin, name="tests")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}"), city


def _post(client: Client, path: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json")


def test_api_creates_an_assessment_on_the_chosen_model_and_version():
    load_model(FLOOD_V1)
    v2 = load_model(FLOOD_V2)
    client, city = _api()
    response = _post(
        client,
        "/api/v1/cities/north/assessments",
        {"title": "Floods", "date": "2026-04-01", "framework": "flood-ready"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["framework"]["id"], body["framework"]["version"]) == ("flood-ready", 2)
    assessment = Assessment.objects.get(city=city)
    assert assessment.framework_version == v2
    response = _post(
        client,
        "/api/v1/cities/north/assessments",
        {"title": "Floods v1", "date": "2026-04-01", "framework": "flood-ready", "version": 1},
    )
    assert response.status_code == 201
    assert (response.json()["framework"]["id"], response.json()["framework"]["version"]) == (
        "flood-ready",
        1,
    )


def test_api_defaults_to_the_smr_models_newest_version():
    load_model(FLOOD_V1)
    client, city = _api()
    response = _post(
        client, "/api/v1/cities/north/assessments", {"title": "Default", "date": "2026-04-01"}
    )
    assert response.status_code == 201
    assert response.json()["framework"]["id"] == DEFAULT_FRAMEWORK_ID
    assert Assessment.objects.get(city=city).framework_version == latest_version(
        DEFAULT_FRAMEWORK_ID
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"framework": "nothing"},
            "framework",
            f"No maturity model “nothing” is loaded (loaded: flood-ready, {DEFAULT_FRAMEWORK_ID}).",
        ),
        (
            {"framework": "flood-ready", "version": 7},
            "version",
            "flood-ready has no version 7 (loaded versions: 1).",
        ),
        (
            {"version": 99},
            "version",
            f"{DEFAULT_FRAMEWORK_ID} has no version 99 (loaded versions: 1).",
        ),
    ],
)
def test_api_refuses_an_unknown_model_or_version_naming_the_field(body, field, message):
    load_model(FLOOD_V1)
    client, city = _api()
    response = _post(
        client, "/api/v1/cities/north/assessments", {"title": "X", "date": "2026-04-01", **body}
    )
    assert response.status_code == 422
    assert response.json()["details"] == {field: message}
    assert Assessment.objects.filter(city=city).count() == 0


def test_import_with_framework_checks_the_codes_against_that_model(tmp_path, capsys):
    load_model(SIX_STEPS)
    city = make_city()
    answers = tmp_path / "heat.csv"
    answers.write_text("objective,status\nH1P1,achieved\nH2Q1,in_progress\n")
    assert main(["import", "rivertown", str(answers)]) == 2
    assert "unknown objective code 'H1P1'" in capsys.readouterr().err
    assert Assessment.objects.filter(city=city).count() == 0

    assert main(["import", "rivertown", str(answers), "--framework", "six-steps@1"]) == 0
    assessment = Assessment.objects.get(city=city)
    assert (assessment.framework_version.framework_id, assessment.framework_version.version) == (
        "six-steps",
        1,
    )
    assert dict(
        assessment.answers.exclude(status="not_started").values_list("objective__code", "status")
    ) == {"H1P1": "achieved", "H2Q1": "in_progress"}
    assert capsys.readouterr().out == (
        f"Created the draft assessment 'Imported from heat.csv' ({assessment.uuid}).\n"
        "Imported heat.csv into 'Imported from heat.csv': 2 new, 0 changed, 0 unchanged.\n"
    )


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("nothing", "vertebra: --framework: No maturity model “nothing” is loaded"),
        ("six-steps@4", "vertebra: --framework: six-steps has no version 4 (loaded versions: 1)."),
        ("Six Steps", "vertebra: --framework: “Six Steps” is not a maturity model"),
    ],
)
def test_import_with_an_unknown_framework_exits_2_and_creates_nothing(
    tmp_path, capsys, reference, error
):
    load_model(SIX_STEPS)
    city = make_city()
    answers = tmp_path / "heat.csv"
    answers.write_text("objective,status\nH1P1,achieved\n")
    assert main(["import", "rivertown", str(answers), "--framework", reference]) == 2
    assert capsys.readouterr().err.startswith(error)
    assert Assessment.objects.filter(city=city).count() == 0


def test_assessment_created_without_a_choice_uses_the_default_model():
    from vertebra.assessments.domain import create_assessment

    load_model(FLOOD_V2)
    a = create_assessment(city=make_city(), user=None, title="T", date=dt.date(2026, 1, 1))
    assert a.framework_version.framework_id == DEFAULT_FRAMEWORK_ID
