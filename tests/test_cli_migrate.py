"""Only `vertebra migrate` (and `init` and `serve`, which call it) change the database's layout."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

VERTEBRA = str(Path(sys.executable).parent / "vertebra")


def vertebra(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # a fresh SQLite instance of the test's own
    return subprocess.run([VERTEBRA, *args], env=env, capture_output=True, text=True, check=False)


def tables(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "vertebra.sqlite3") as conn:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]


def test_commands_stop_on_a_database_that_needs_migrating_until_vertebra_migrate(tmp_path):
    refused = vertebra("city", "create", "bilbao", "--name", "Bilbao", data_dir=tmp_path)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("vertebra: the database is not up to date (")
    assert refused.stderr.endswith("run 'vertebra migrate' first\n")
    assert len(refused.stderr.splitlines()) == 1
    assert tables(tmp_path) == []  # nothing was migrated behind the person's back

    migrated = vertebra("migrate", data_dir=tmp_path)
    assert migrated.returncode == 0
    assert migrated.stdout.startswith("database: ")
    assert migrated.stdout.endswith(" changes applied\n")
    assert "cities_city" in tables(tmp_path)
    assert vertebra("migrate", data_dir=tmp_path).stdout == "database: up to date\n"

    created = vertebra("city", "create", "bilbao", "--name", "Bilbao", data_dir=tmp_path)
    assert (created.returncode, created.stdout) == (0, "Created city bilbao (Bilbao)\n")


def test_init_migrates_and_loads_the_shipped_model(tmp_path):
    result = vertebra("init", data_dir=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("database: ") and lines[0].endswith(" changes applied")
    assert lines[1:] == ["smr-rmm version 1: loaded"]
    assert vertebra("init", data_dir=tmp_path).stdout.splitlines() == [
        "database: up to date",
        "smr-rmm version 1: already loaded",
    ]
