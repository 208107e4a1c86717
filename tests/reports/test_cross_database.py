"""A backup moves an instance between SQLite and PostgreSQL and back with identical exports.

Needs a PostgreSQL server: `.ci/run` starts one and sets VERTEBRA_CROSS_DB_URL (a URL whose
role may create databases) for every run of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.servers import new_postgres_database

SERVER = os.environ.get("VERTEBRA_CROSS_DB_URL", "")
VERTEBRA = str(Path(sys.executable).parent / "vertebra")

pytestmark = pytest.mark.skipif(
    not SERVER, reason="VERTEBRA_CROSS_DB_URL is not set (.ci/run sets it)"
)


def cli(*args: str, data_dir: Path, database_url: str = "") -> str:
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run([VERTEBRA, *args], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def exports(data_dir: Path, database_url: str = "") -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for fmt in ("json", "csv"):
        target = data_dir.parent / f"{data_dir.name}-{uuid.uuid4().hex}.{fmt}"
        cli(
            "report",
            "demo",
            "--format",
            fmt,
            "-o",
            str(target),
            data_dir=data_dir,
            database_url=database_url,
        )
        out[fmt] = target.read_bytes()
    return out


@pytest.fixture
def postgres_database():
    with new_postgres_database(SERVER, "vertebra_xdb") as database_url:
        yield database_url


def test_backup_moves_from_sqlite_to_postgresql_and_back(tmp_path, postgres_database):
    source = tmp_path / "sqlite-source"
    cli("init", data_dir=source)
    cli("demo", data_dir=source)
    original = exports(source)
    cli("backup", str(tmp_path / "from-sqlite.zip"), data_dir=source)

    on_postgres = tmp_path / "pg"
    cli(
        "restore",
        str(tmp_path / "from-sqlite.zip"),
        data_dir=on_postgres,
        database_url=postgres_database,
    )
    assert exports(on_postgres, postgres_database) == original

    cli(
        "backup",
        str(tmp_path / "from-pg.zip"),
        data_dir=on_postgres,
        database_url=postgres_database,
    )
    back = tmp_path / "sqlite-again"
    cli("restore", str(tmp_path / "from-pg.zip"), data_dir=back)
    assert exports(back) == original
