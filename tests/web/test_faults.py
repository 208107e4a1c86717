"""HonestFailuresMiddleware: a full disk or a database that cannot take the write gives a
short page (503 with Retry-After, or 507) or an htmx message saying the change was NOT saved,
never a bare 500; nothing is half-written. The faults are real (see tests/faults.py)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError

from tests.faults import files_under, full_folder, read_only_database
from tests.web.conftest import World
from vertebra.assessments.models import Answer, AnswerEvent, AnswerStatus, Attachment
from vertebra.faults import DATABASE_UNAVAILABLE, STORAGE_FULL, fault_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


def _answer(world: World) -> Answer:
    return Answer.objects.get(assessment=world.assessment, objective__code="L1S1")


def _save(client: Any, world: World, **extra: Any) -> Any:
    return client.post(
        world.url("objectives/L1S1/save/"), {"status": "achieved", "version": "1"}, **extra
    )


def test_plain_save_on_a_read_only_database_is_a_503_page(world: World) -> None:
    client = world.client("editor")  # logged in before the fault
    with read_only_database():
        response = _save(
            client, world, HTTP_REFERER=f"http://testserver{world.url('policies/L1/')}"
        )
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    html = response.content.decode()
    assert "<title>Not saved · Vertebra</title>" in html
    assert (
        "<p>Your change was NOT saved: the database cannot take changes right now.</p>\n"
        "      <p>Try again in a minute. If it keeps happening, tell your administrator.</p>\n"
        f'      <p><a href="{world.url("policies/L1/")}">Back</a></p>'
    ) in html
    assert "Traceback" not in html
    answer = _answer(world)
    assert (answer.status, answer.version) == (AnswerStatus.NOT_STARTED, 1)
    assert AnswerEvent.objects.filter(answer=answer).count() == 0


def test_htmx_save_on_a_read_only_database_says_not_saved_and_keeps_the_form(
    world: World,
) -> None:
    client = world.client("editor")
    with read_only_database():
        response = _save(client, world, **HTMX)
    assert (response.status_code, response["Retry-After"], response["HX-Reswap"]) == (
        503,
        "30",
        "afterbegin show:top",
    )
    assert response.content.decode() == (
        '<p class="message message--error" role="alert" data-transient>Your change was NOT '
        "saved: the database cannot take changes right now. Try again in a minute. If it keeps "
        "happening, tell your administrator. What you typed is still in the form.</p>\n"
    )
    assert _answer(world).status == AnswerStatus.NOT_STARTED


def test_htmx_upload_to_full_storage_is_507_and_leaves_no_file(world: World, uploads: Path) -> None:
    upload = SimpleUploadedFile("minutes.txt", b"Council minutes.\n" * 2400)
    with full_folder(uploads, free=8192):
        response = world.client("editor").post(
            world.url("objectives/L1S1/attachments/"), {"file": upload}, **HTMX
        )
        left = files_under(uploads)
    assert response.status_code == 507
    assert "Retry-After" not in response
    assert response.content.decode() == (
        '<p class="message message--error" role="alert" data-transient>Your change was NOT '
        "saved: the server&#x27;s storage is full. Try again later, and tell your "
        "administrator: space must be freed. What you typed is still in the form.</p>\n"
    )
    assert left == []
    assert Attachment.objects.count() == 0
    assert AnswerEvent.objects.filter(field="attachments").count() == 0


def test_plain_upload_to_full_storage_is_a_507_page(world: World, uploads: Path) -> None:
    upload = SimpleUploadedFile("minutes.txt", b"Council minutes.\n")
    with full_folder(uploads):
        response = world.client("editor").post(
            world.url("objectives/L1S1/attachments/"), {"file": upload}
        )
        left = files_under(uploads)
    assert response.status_code == 507
    html = response.content.decode()
    assert "<h1>Not saved</h1>" in html
    assert "<p>Your change was NOT saved: the server&#x27;s storage is full.</p>" in html
    assert (left, Attachment.objects.count()) == ([], 0)


def test_upload_the_database_refuses_leaves_no_file(world: World, uploads: Path) -> None:
    upload = SimpleUploadedFile("minutes.txt", b"Council minutes.\n")
    client = world.client("editor")
    with read_only_database():
        response = client.post(world.url("objectives/L1S1/attachments/"), {"file": upload})
    assert response.status_code == 503
    assert (files_under(uploads), Attachment.objects.count()) == ([], 0)


def test_a_page_that_cannot_be_read_says_so_without_a_save_message(world: World) -> None:
    # A database that cannot be read at all cannot be produced inside the test's own
    # transaction; the view raises the error such a database gives.
    with mock.patch(
        "vertebra.web.editor.load_scope", side_effect=OperationalError("disk I/O error")
    ):
        response = world.client("viewer").get(world.url("policies/L1/"))
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    html = response.content.decode()
    assert "<h1>Not available right now</h1>" in html
    assert (
        "<p>This cannot be shown right now: the database is not available right now.</p>"
    ) in html


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), STORAGE_FULL),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), STORAGE_FULL),
        (OperationalError("database or disk is full"), STORAGE_FULL),
        (OperationalError("database is locked"), DATABASE_UNAVAILABLE),
        (OperationalError("attempt to write a readonly database"), DATABASE_UNAVAILABLE),
        (OperationalError("disk I/O error"), DATABASE_UNAVAILABLE),
        (FileNotFoundError(errno.ENOENT, "No such file"), None),
        (IntegrityError("UNIQUE constraint failed"), None),
        (ValueError("a bug"), None),
    ],
)
def test_faults_are_told_apart_from_bugs(error: Exception, fault: object) -> None:
    assert fault_of(error) is fault
