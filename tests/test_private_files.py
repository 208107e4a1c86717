"""What an instance writes to disk is readable by its own user only: real files, real modes."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

VERTEBRA = str(Path(sys.executable).parent / "vertebra")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which files are created readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def vertebra(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # the SQLite files are the point
    env.pop("VERTEBRA_SECRET_KEY", None)  # and the key file
    result = subprocess.run(
        [VERTEBRA, *args], env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


def test_data_folder_database_key_and_backups_are_the_owners_only(tmp_path, open_umask):
    data_dir = tmp_path / "instance"
    vertebra("init", data_dir=data_dir)
    vertebra("backup", str(tmp_path / "backup.zip"), data_dir=data_dir)

    database = data_dir / "vertebra.sqlite3"
    # While a connection writes, SQLite keeps its write-ahead log and shared memory beside it.
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.execute("UPDATE cities_city SET name = name")
        modes = {
            name: mode(data_dir / name)
            for name in ("vertebra.sqlite3", "vertebra.sqlite3-wal", "vertebra.sqlite3-shm")
        }
    conn.close()

    assert mode(data_dir) == 0o700
    assert mode(data_dir / "secret_key") == 0o600
    assert modes == {
        "vertebra.sqlite3": 0o600,
        "vertebra.sqlite3-wal": 0o600,
        "vertebra.sqlite3-shm": 0o600,
    }
    assert mode(tmp_path / "backup.zip") == 0o600


@pytest.mark.django_db
def test_uploaded_evidence_and_its_folders_are_the_owners_only(settings, tmp_path, open_umask):
    from tests.reports.factories import make_assessment, make_city
    from vertebra.assessments.evidence import add_attachment

    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    answer = make_assessment(make_city()).answers.select_related("assessment", "objective")[0]
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf")

    attachment = add_attachment(answer=answer, user=None, upload=upload)

    stored = Path(attachment.file.path)
    folders = [p for p in stored.parents if p.is_relative_to(tmp_path / "uploads")]
    assert mode(stored) == 0o600
    assert {str(p.relative_to(tmp_path)): mode(p) for p in folders} == {
        str(p.relative_to(tmp_path)): 0o700 for p in folders
    }
    assert len(folders) == 4  # uploads/attachments/<assessment>/<file>/
