"""A full disk or a database that cannot take the write: 507 or 503 in the one error shape,
and nothing half-written (no row, no file). The faults are real (see tests/faults.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.api.conftest import World, error
from tests.faults import files_under, full_folder, read_only_database
from vertebra.assessments.models import Answer, AnswerEvent, Attachment

pytestmark = pytest.mark.django_db

NOT_SAVED_DATABASE = (
    "Your change was NOT saved: the database cannot take changes right now. "
    "Try again in a minute. If it keeps happening, tell your administrator."
)
NOT_SAVED_STORAGE = (
    "Your change was NOT saved: the server's storage is full. "
    "Try again later, and tell your administrator: space must be freed."
)


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


def _answer(world: World) -> Answer:
    return Answer.objects.get(assessment=world.draft, objective__code="L1S1")


def _patch(world: World, body: dict[str, Any]) -> Any:
    return world.client("editor").patch(
        world.base + "/answers/L1S1", json.dumps(body), content_type="application/json"
    )


def _upload(world: World, content: bytes) -> Any:
    return world.client("editor").post(
        world.base + "/answers/L1S1/attachments",
        {"file": SimpleUploadedFile("minutes.txt", content)},
    )


def test_update_on_a_read_only_database_is_503_with_retry_after(world: World) -> None:
    with read_only_database():
        response = _patch(world, {"version": 1, "notes": "Agreed"})
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.json() == error(
        **{"code": "database_unavailable", "message": NOT_SAVED_DATABASE, "details": {}}
    )
    answer = _answer(world)
    assert (answer.notes, answer.version) == ("", 1)
    assert AnswerEvent.objects.filter(answer=answer).count() == 0


def test_reads_work_on_a_read_only_database(world: World) -> None:
    with read_only_database():
        response = world.client("viewer").get(world.base + "/answers/L1S1")
        assert (response.status_code, response.json()["notes"]) == (200, "")


def test_upload_to_full_storage_is_507_and_leaves_no_file(world: World, uploads: Path) -> None:
    # 8 KiB free, a 40 KiB file: the write fails partway with ENOSPC.
    with full_folder(uploads, free=8192):
        response = _upload(world, b"Council minutes.\n" * 2400)
        left = files_under(uploads)
    assert response.status_code == 507
    assert "Retry-After" not in response
    assert response.json() == error(
        **{"code": "storage_full", "message": NOT_SAVED_STORAGE, "details": {}}
    )
    assert left == []
    assert Attachment.objects.count() == 0
    assert AnswerEvent.objects.filter(field="attachments").count() == 0


def test_upload_the_database_refuses_is_503_and_its_file_is_deleted(
    world: World, uploads: Path
) -> None:
    with read_only_database():
        response = _upload(world, b"Council minutes.\n")
    assert (response.status_code, response.json()["code"]) == (
        503,
        "database_unavailable",
    )
    assert files_under(uploads) == []
    assert Attachment.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own page limit")
def test_a_full_sqlite_database_is_507(world: World) -> None:
    with connection.cursor() as cursor:
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        response = _patch(world, {"version": 1, "evidence": "Council decision. " * 1000})
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert response.status_code == 507
    assert response.json()["code"] == "storage_full"
    assert (_answer(world).evidence, _answer(world).version) == ("", 1)
