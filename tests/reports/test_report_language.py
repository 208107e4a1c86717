"""A report in a chosen language: `vertebra report --lang`, the download's ?lang= and the
API's Accept-Language; a language that is not offered is refused and nothing is written."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.reports.factories import filled_assessment, make_city, make_person
from vertebra.api.tokens import create_token
from vertebra.cities.models import Role
from vertebra.cli import main

pytestmark = pytest.mark.django_db

SPANISH = "Crear un equipo de trabajo responsable de las cuestiones de resiliencia en la ciudad"
ENGLISH = "Establish a working team responsible for resilience issues in the city"


def test_the_command_writes_the_report_in_the_language_asked(tmp_path):
    filled_assessment(make_city())
    spanish, english = tmp_path / "es.csv", tmp_path / "en.csv"
    assert main(["report", "rivertown", "--format", "csv", "-o", str(spanish), "--lang", "es"]) == 0
    assert main(["report", "rivertown", "--format", "csv", "-o", str(english)]) == 0
    assert (SPANISH in spanish.read_text(), ENGLISH in spanish.read_text()) == (True, False)
    assert (SPANISH in english.read_text(), ENGLISH in english.read_text()) == (False, True)


def test_the_command_refuses_a_language_that_is_not_offered_and_writes_nothing(tmp_path, capsys):
    filled_assessment(make_city())
    out = tmp_path / "pt.csv"
    assert main(["report", "rivertown", "--format", "csv", "-o", str(out), "--lang", "pt"]) == 2
    assert capsys.readouterr().err == (
        "vertebra: --lang: “pt” is not one of this instance's languages: "
        "en, es, it, de, fr, da, nb, lv.\n"
    )
    assert not out.exists()


def test_the_download_is_in_the_language_asked_and_says_so():
    city = make_city()
    assessment = filled_assessment(city)
    client = Client()
    client.force_login(make_person("viewer@rivertown.example", city, Role.VIEWER))
    url = f"/cities/rivertown/assessments/{assessment.uuid}/report.csv"
    spanish = client.get(f"{url}?lang=es", headers={"Accept-Language": "en"})
    english = client.get(url, headers={"Accept-Language": "en"})
    assert (spanish.status_code, spanish["Content-Language"]) == (200, "es")
    assert (english.status_code, english["Content-Language"]) == (200, "en")
    assert SPANISH in spanish.content.decode("utf-8-sig")
    assert ENGLISH in english.content.decode("utf-8-sig")
    refused = client.get(f"{url}?lang=xx")
    assert (refused.status_code, refused.content.decode()) == (
        400,
        "“xx” is not one of this instance's languages: en, es, it, de, fr, da, nb, lv.",
    )
    assert "Content-Disposition" not in refused


def test_the_api_export_follows_accept_language():
    city = make_city()
    assessment = filled_assessment(city)
    _, token = create_token(user=make_person("a@rivertown.example", city, Role.VIEWER), name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/cities/rivertown/assessments/{assessment.uuid}/exports/csv"
    spanish = client.get(url, headers={"Accept-Language": "es"})
    assert (spanish.status_code, spanish["Content-Language"]) == (200, "es")
    assert SPANISH in spanish.content.decode("utf-8-sig")
