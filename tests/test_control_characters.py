"""Control characters in any text field are cleaned at the door (pages, the API, commands and
imports alike: the model fields do it), and exports survive the ones already stored."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from vertebra.accounts.models import User
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment, save_answer
from vertebra.assessments.evidence import EvidenceError, add_attachment, add_comment
from vertebra.assessments.models import Assessment, Comment
from vertebra.cities.models import City, Membership
from vertebra.cli import main
from vertebra.planning.models import Action
from vertebra.reports.exports import export_xlsx
from vertebra.reports.imports import import_answers
from vertebra.text import clean_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> tuple[City, User]:
    city = City.objects.create(slug="porto", name="Porto")
    user = User.objects.create_user("admin@porto.example", "pw")
    Membership.objects.create(city=city, user=user, role="admin")
    return city, user


def _draft(city: City) -> Assessment:
    return create_assessment(city=city, user=None, title="Review", date=dt.date(2026, 3, 1))


def test_clean_text_drops_control_characters_and_keeps_tabs_and_line_breaks():
    assert clean_text("a\x00b\x1fc\x7fd\x85e\ud800f\uffffg") == "abcdefg"
    assert clean_text("one\r\ntwo\rthree\n\tfour") == "one\ntwo\nthree\n\tfour"
    assert clean_text("one\r\ntwo\t three", single_line=True) == "one two  three"
    assert clean_text("Gdańsk, “Ø” \u00a0 ok") == "Gdańsk, “Ø” \u00a0 ok"


def test_page_form_stores_the_title_without_control_characters(admin):
    city, user = admin
    client = Client()
    client.force_login(user)
    response = client.post(
        "/cities/porto/assessments/new/", {"title": "Cycle\x1f 2027\x07", "date": "2027-01-01"}
    )
    assert response.status_code == 302
    assert list(Assessment.objects.filter(city=city).values_list("title", flat=True)) == [
        "Cycle 2027"
    ]


def test_api_bodies_store_titles_and_descriptions_without_control_characters(admin):
    _city, user = admin
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='t')[1]}")
    response = client.post(
        "/api/v1/cities/porto/assessments",
        json.dumps({"title": "Cycle\u001f 2027", "date": "2027-01-01"}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["title"]) == (201, "Cycle 2027")
    assessment = Assessment.objects.get(uuid=response.json()["id"])
    assert assessment.title == "Cycle 2027"
    response = client.post(
        f"/api/v1/cities/porto/assessments/{assessment.uuid}/actions",
        json.dumps({"title": "Team\u0007 charter", "description": "one\r\ntwo\u000b"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["title"], response.json()["description"]) == (
        "Team charter",
        "one\ntwo",
    )
    action = Action.objects.get(assessment=assessment)
    assert (action.title, action.description) == ("Team charter", "one\ntwo")


def test_command_line_arguments_are_stored_without_control_characters(capsys):
    # \udcff: how Python hands over a byte of an argument that is not UTF-8.
    assert main(["city", "create", "gdansk", "--name", "Gda\x1b[31mńsk\udcff"]) == 0
    assert City.objects.get(slug="gdansk").name == "Gda[31mńsk"
    assert capsys.readouterr().out == "Created city gdansk (Gda[31mńsk)\n"


def test_imported_and_saved_answers_are_stored_without_control_characters(admin):
    city, _user = admin
    draft = _draft(city)
    data = b'objective,status,notes,owner\nL1S1,achieved,"pasted\x0btext\x01","Water\x1f Utility"\n'
    summary = import_answers(assessment=draft, user=None, data=data, filename="a.csv")
    assert summary.new == ["L1S1"]
    row = draft.answers.get(objective__code="L1S1")
    assert (row.notes, row.owner) == ("pastedtext", "Water Utility")
    assert list(row.events.values_list("field", "new_value").order_by("field")) == [
        ("notes", "pastedtext"),
        ("owner", "Water Utility"),
        ("status", "achieved"),
    ]
    l1s2 = draft.answers.select_related("objective", "assessment").get(objective__code="L1S2")
    saved = save_answer(answer=l1s2, user=None, changes={"owner": "Fire\tand\nrescue\x0c"}).answer
    assert saved.owner == "Fire and rescue"


def test_xlsx_export_of_a_title_stored_with_a_control_character_is_clean(admin):
    """Rows stored before the cleaning existed still export: the cells are cleaned too."""
    city, user = admin
    draft = _draft(city)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessments_assessment SET title = %s WHERE id = %s",
            ["Review\x1f 2026", draft.pk],
        )
    draft.refresh_from_db()
    assert draft.title == "Review\x1f 2026"
    client = Client()
    client.force_login(user)
    response = client.get(reverse("reports:download", args=["porto", draft.uuid, "xlsx"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    about = {row[0]: row[1] for row in wb["About"].iter_rows(values_only=True)}
    assert about["Assessment"] == "Review 2026"
    assert wb.properties.title == "Porto: Review 2026"
    assert export_xlsx(draft) is not None


def test_text_of_nothing_but_control_characters_counts_as_empty_at_every_door(admin):
    city, user = admin
    client = Client()
    client.force_login(user)
    response = client.post(
        "/cities/porto/assessments/new/", {"title": "\x1f\x07", "date": "2027-01-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == ["Give the assessment a title."]
    token_client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user=user, name='t')[1]}")
    response = token_client.post(
        "/api/v1/cities/porto/assessments",
        json.dumps({"title": "\u001f", "date": "2027-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["title"]
    assert not Assessment.objects.filter(city=city).exists()
    draft = _draft(city)
    row = draft.answers.select_related("assessment", "objective").get(objective__code="L1S1")
    with pytest.raises(EvidenceError) as caught:
        add_comment(answer=row, user=user, text="\x0b\x0c")
    assert str(caught.value) == "Write a comment before sending it."
    assert not Comment.objects.exists()


def test_a_command_line_name_of_nothing_but_control_characters_is_refused(capsys):
    assert main(["city", "create", "oslo", "--name", "\x1b\x07"]) == 2
    assert capsys.readouterr().err == "vertebra: the city's name is empty\n"
    assert not City.objects.filter(slug="oslo").exists()


def test_an_evidence_file_name_is_stored_and_recorded_without_control_characters(
    admin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    city, user = admin
    row = _draft(city).answers.select_related("assessment", "objective").get(objective__code="L1S1")
    upload = SimpleUploadedFile("plan\x07\x1b[2J\nfinal.pdf", b"%PDF-1.7\n%...")
    attachment = add_attachment(answer=row, user=user, upload=upload)
    assert attachment.original_name == "plan[2J final.pdf"
    assert list(row.events.values_list("field", "new_value")) == [
        ("attachments", "plan[2J final.pdf")
    ]
    assert attachment.file.name.endswith("/plan2J_final.pdf")
