"""Backups made by earlier releases restore into this one; a newer release's backup is refused.

tests/backups/ holds one backup per release (docs/BACKUP.md, "Backups of earlier releases").
Every one of them is restored here and compared row by row with what its file holds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage

from vertebra import __version__
from vertebra.accounts.models import User
from vertebra.assessments.models import Answer, AnswerEvent, Assessment, Attachment, Comment
from vertebra.cities.models import City, Membership
from vertebra.planning.models import Action, ActionEvent, ActionNote
from vertebra.reports.backup import BackupError, _ExactEncoder, restore_backup

pytestmark = pytest.mark.django_db(transaction=False)

BACKUPS = Path(__file__).resolve().parents[1] / "backups"
RELEASE_BACKUPS = sorted(BACKUPS.glob("vertebra-*.zip"))
VERTEBRA = str(Path(sys.executable).parent / "vertebra")


def _contents(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = json.loads(archive.read("data.json"))
        files = {
            entry["name"]: archive.read(f"files/{entry['name']}") for entry in manifest["files"]
        }
    return manifest, rows, files


def _as_stored(obj: Any) -> dict[str, Any]:
    """The restored row as a backup writes it (the same serializer and encoder)."""
    row = serializers.serialize("python", [obj])[0]
    return json.loads(json.dumps(row["fields"], cls=_ExactEncoder))


def test_there_is_a_backup_of_every_release_so_far():
    assert [path.name for path in RELEASE_BACKUPS] == ["vertebra-0.1.0.zip"]


@pytest.mark.parametrize("path", RELEASE_BACKUPS, ids=[p.name for p in RELEASE_BACKUPS])
def test_a_release_backup_restores_whole_every_row_field_and_file(path, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    manifest, rows, files = _contents(path)

    result = restore_backup(path)

    # Every kind of row as many times as the file holds it ...
    for label, count in manifest["counts"].items():
        assert apps.get_model(label)._base_manager.count() == count, label
    assert result.counts == {k: v for k, v in manifest["counts"].items() if v}
    assert result.files == len(files)
    # ... and every row with every field it had, where this release still has that field.
    differences = []
    for row in rows:
        model = apps.get_model(row["model"])
        stored = _as_stored(model._base_manager.get(pk=row["pk"]))
        for name, value in row["fields"].items():
            kept = name in stored and name not in ("permissions", "user_permissions")
            if kept and stored[name] != value:
                differences.append((row["model"], row["pk"], name, value, stored[name]))
    assert differences == []
    # Every file, byte for byte, under its own name.
    for name, content in files.items():
        with default_storage.open(name, "rb") as handle:
            assert handle.read() == content


def test_the_0_1_0_backup_arrives_in_this_layout_with_its_people_work_and_evidence(
    settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # 0.1.0's
    restore_backup(BACKUPS / "vertebra-0.1.0.zip")

    assert list(City.objects.order_by("slug").values_list("slug", "name")) == [
        ("demo", "Demo City"),
        ("harbour", "Harbour Town"),
    ]
    assert list(
        Membership.objects.order_by("user__email").values_list("user__email", "city__slug", "role")
    ) == [
        ("editor@demo.example", "demo", "editor"),
        ("viewer@harbour.example", "harbour", "viewer"),
    ]
    # Memberships got their stable ids on the way (a later release's migration).
    assert Membership.objects.filter(uuid__isnull=True).count() == 0
    assert User.objects.get(email="editor@demo.example").check_password("an old backup 1")
    assert Assessment.objects.filter(city__slug="demo").count() == 2
    assert Answer.objects.count() == 192
    assert AnswerEvent.objects.count() == 571
    assert list(Comment.objects.values_list("text", flat=True)) == [
        "The minutes of March are the evidence."
    ]
    # The file of 0.1.0 belonged to one answer; now a file supports a list of answers.
    attachment = Attachment.objects.get()
    assert attachment.original_name == "minutes.pdf"
    assert list(attachment.answers.values_list("objective__code", "assessment__status")) == [
        (Comment.objects.get().answer.objective.code, "draft")
    ]
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4\n% minutes of the council\n"
    action = Action.objects.get()
    assert action.title == "Publish the resilience strategy"
    assert list(action.objectives.values_list("code", flat=True)) == [
        attachment.answers.get().objective.code
    ]
    assert list(ActionNote.objects.values_list("text", flat=True)) == ["Draft sent to the council."]
    assert ActionEvent.objects.count() == 4


def _backup_from_the_future(*, version: str, migrations: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("data.json", "[]")
        manifest = {
            "format": "vertebra-backup",
            "format_version": 1,
            "vertebra_version": version,
            "migrations": migrations,
            "counts": {},
            "data_sha256": "",
            "files": [],
        }
        archive.writestr("manifest.json", json.dumps(manifest))
    return out.getvalue()


def test_a_backup_of_a_newer_release_is_refused_naming_both_versions(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    City.objects.create(slug="kept", name="Kept")
    newer = _backup_from_the_future(version="9.2.0", migrations={"cities": "0001_initial"})
    with pytest.raises(BackupError) as info:
        restore_backup(io.BytesIO(newer), force=True)
    assert info.value.errors == [
        f"this backup was made by Vertebra 9.2.0, which is newer than this Vertebra "
        f"{__version__}; restore it with Vertebra 9.2.0 or later"
    ]
    assert list(City.objects.values_list("slug", flat=True)) == ["kept"]


def test_a_backup_with_a_database_layout_this_release_does_not_know_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    City.objects.create(slug="kept", name="Kept")
    newer = _backup_from_the_future(
        version=__version__, migrations={"cities": "0099_future", "assessments": "0001_initial"}
    )
    with pytest.raises(BackupError) as info:
        restore_backup(io.BytesIO(newer), force=True)
    assert info.value.errors == [
        f"this backup was made by Vertebra {__version__} with a newer database layout than this "
        f"Vertebra {__version__} knows (cities 0099_future); restore it with Vertebra "
        f"{__version__} or later"
    ]
    assert list(City.objects.values_list("slug", flat=True)) == ["kept"]


def test_a_row_an_earlier_release_could_not_have_written_is_named_and_nothing_is_written(
    settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    City.objects.create(slug="kept", name="Kept")
    source = BACKUPS / "vertebra-0.1.0.zip"
    manifest, rows, _ = _contents(source)
    city = next(row for row in rows if row["model"] == "cities.city")
    city["fields"]["created_at"] = "last Tuesday"
    data = json.dumps(rows).encode()
    manifest["data_sha256"] = hashlib.sha256(data).hexdigest()
    edited = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(edited, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "data.json":
                content = data
            elif item.filename == "manifest.json":
                content = json.dumps(manifest).encode()
            dst.writestr(item, content)
    with pytest.raises(BackupError) as info:
        restore_backup(io.BytesIO(edited.getvalue()), force=True)
    assert info.value.errors == [
        f"data.json: cities.city, row with id {city['pk']}, field created_at: "
        "“last Tuesday” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
    ]
    assert list(City.objects.values_list("slug", flat=True)) == ["kept"]


@pytest.mark.django_db(transaction=False)
def test_vertebra_restore_of_a_newer_backup_stops_with_one_line_and_writes_nothing(tmp_path):
    backup = tmp_path / "newer.zip"
    backup.write_bytes(
        _backup_from_the_future(version="9.2.0", migrations={"cities": "0001_initial"})
    )
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)  # a fresh SQLite instance of the test's own
    result = subprocess.run(
        [VERTEBRA, "restore", str(backup)], env=env, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"vertebra: {backup}: this backup was made by Vertebra 9.2.0, which is newer than this Vertebra "
        f"{__version__}; restore it with Vertebra 9.2.0 or later\n"
    )
    with sqlite3.connect(tmp_path / "data" / "vertebra.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM cities_city").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM accounts_user").fetchone() == (0,)
