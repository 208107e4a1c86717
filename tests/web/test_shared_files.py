"""One stored evidence file for several objectives and for the next cycle's answers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.web.conftest import World
from vertebra.assessments.domain import create_assessment, finalize
from vertebra.assessments.evidence import add_attachment, remove_attachment
from vertebra.assessments.models import Answer, AnswerEvent, Assessment, Attachment
from vertebra.planning.domain import start_assessment
from vertebra.reports.exports import export_csv, export_json
from vertebra.reports.pdf import render_html

pytestmark = pytest.mark.django_db


def _answer(assessment: Assessment, code: str) -> Answer:
    return Answer.objects.select_related("assessment", "objective").get(
        assessment=assessment, objective__code=code
    )


def _stored() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def _uses(attachment: Attachment) -> list[tuple[str, str]]:
    return sorted(
        (a.assessment.title, a.objective.code)
        for a in attachment.answers.select_related("assessment", "objective")
    )


def _minutes(world: World, code: str = "L1S1") -> Attachment:
    return add_attachment(
        answer=_answer(world.assessment, code),
        user=world.people["editor"],
        upload=SimpleUploadedFile("minutes.txt", b"Council minutes"),
    )


def test_a_new_cycle_refers_to_the_same_stored_files_as_the_answers_it_continues(
    world: World,
) -> None:
    minutes = _minutes(world)
    finalize(assessment=world.assessment, user=world.people["admin"])
    second = start_assessment(
        city=world.city,
        user=world.people["admin"],
        title="Review 2027",
        date=dt.date(2027, 3, 1),
        copy_from=world.assessment,
    )
    assert list(_answer(second, "L1S1").attachments.all()) == [minutes]
    assert _uses(minutes) == [("Review 2026", "L1S1"), ("Review 2027", "L1S1")]
    assert (Attachment.objects.count(), _stored()) == (1, ["minutes.txt"])
    # The new cycle's page offers the file for download, from the same stored bytes.
    response = world.client("viewer").get(
        f"/cities/porto/assessments/{second.uuid}/attachments/{minutes.uuid}/"
    )
    assert b"".join(response.streaming_content) == b"Council minutes"  # type: ignore[attr-defined]


def test_removing_a_carried_file_in_the_new_cycle_keeps_it_for_the_final_one(
    world: World, django_capture_on_commit_callbacks
) -> None:
    minutes = _minutes(world)
    finalize(assessment=world.assessment, user=world.people["admin"])
    second = start_assessment(
        city=world.city,
        user=world.people["admin"],
        title="Review 2027",
        date=dt.date(2027, 3, 1),
        copy_from=world.assessment,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("editor").post(
            f"/cities/porto/assessments/{second.uuid}/objectives/L1S1/attachments/"
            f"{minutes.uuid}/delete/"
        )
    assert response.status_code == 302
    assert _uses(minutes) == [("Review 2026", "L1S1")]
    assert _stored() == ["minutes.txt"]


def test_an_editor_links_a_file_of_the_assessment_to_another_objective(world: World) -> None:
    minutes = _minutes(world)
    client = world.client("editor")
    url = world.url("objectives/P1S1/attachments/link/")
    page = client.get(url).content.decode()
    assert f'name="file" value="{minutes.uuid}"' in page
    assert "(supports L1S1)" in page
    response = client.post(url, {"file": str(minutes.uuid)})
    assert (response.status_code, response["Location"]) == (
        302,
        world.url("policies/P1/#objective-P1S1"),
    )
    assert _uses(minutes) == [("Review 2026", "L1S1"), ("Review 2026", "P1S1")]
    assert list(
        AnswerEvent.objects.filter(objective_code="P1S1").values_list(
            "field", "old_value", "new_value"
        )
    ) == [("attachments", "", "minutes.txt")]
    # The card of the second objective lists it, with a removal of its own.
    policy = client.get(world.url("policies/P1/")).content.decode()
    assert f'objectives/P1S1/attachments/{minutes.uuid}/delete/"' in policy
    assert (Attachment.objects.count(), _stored()) == (1, ["minutes.txt"])


def test_linking_a_file_the_objective_has_or_of_another_assessment_is_refused(
    world: World,
) -> None:
    minutes = _minutes(world)
    other = create_assessment(
        city=world.city, user=None, title="Elsewhere", date=dt.date(2026, 4, 1)
    )
    client = world.client("editor")
    for code, chosen in (("L1S1", minutes.uuid), ("P1S1", "not-a-file")):
        response = client.post(world.url(f"objectives/{code}/attachments/link/"), {"file": chosen})
        assert response.status_code == 400
        assert "Choose one of the files below." in response.content.decode()
    response = client.post(
        f"/cities/porto/assessments/{other.uuid}/objectives/L1S1/attachments/link/",
        {"file": str(minutes.uuid)},
    )
    assert response.status_code == 400
    assert _uses(minutes) == [("Review 2026", "L1S1")]


def test_a_stored_file_is_deleted_only_when_no_objective_refers_to_it(
    world: World, django_capture_on_commit_callbacks
) -> None:
    minutes = _minutes(world)
    world.client("editor").post(
        world.url("objectives/P1S1/attachments/link/"), {"file": str(minutes.uuid)}
    )
    first, second = _answer(world.assessment, "L1S1"), _answer(world.assessment, "P1S1")
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment=minutes, answer=first, user=None)
    assert (_uses(minutes), _stored()) == ([("Review 2026", "P1S1")], ["minutes.txt"])
    assert list(first.attachments.all()) == []
    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment=minutes, answer=second, user=None)
    assert (Attachment.objects.count(), _stored()) == (0, [])


def test_exports_list_each_objectives_files(world: World) -> None:
    minutes = _minutes(world)
    add_attachment(
        answer=_answer(world.assessment, "L1S1"),
        user=None,
        upload=SimpleUploadedFile("budget.csv", b"item,cost\n"),
    )
    link = world.url("objectives/P1S1/attachments/link/")
    world.client("editor").post(link, {"file": str(minutes.uuid)})
    files = {a["objective"]: a["files"] for a in export_json(world.assessment)["answers"]}
    assert (files["L1S1"], files["P1S1"], files["L1S2"]) == (
        ["minutes.txt", "budget.csv"],
        ["minutes.txt"],
        [],
    )
    rows = {r["objective"]: r["files"] for r in csv.DictReader(io.StringIO(_csv(world)))}
    assert (rows["L1S1"], rows["P1S1"], rows["L1S2"]) == (
        "minutes.txt\nbudget.csv",
        "minutes.txt",
        "",
    )


def _csv(world: World) -> str:
    return export_csv(world.assessment).decode("utf-8-sig")


def test_the_pdf_lists_a_shared_file_under_each_objective_it_supports(world: World) -> None:
    minutes = _minutes(world)
    world.client("editor").post(
        world.url("objectives/P1S1/attachments/link/"), {"file": str(minutes.uuid)}
    )
    html = render_html(world.assessment)
    assert html.count("Files: minutes.txt</p>") == 2
