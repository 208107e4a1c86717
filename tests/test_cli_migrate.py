"""Only `vertebra migrate` (and `init` and `serve`, which call it) change the database's layout."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import new_postgres_database

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


SERVER = os.environ.get("DATABASE_URL", "")


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of an instance with an empty database: a data folder that does not
    exist yet (SQLite), or a new database on the suite's PostgreSQL server."""
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    if not SERVER:
        yield env
        return
    with new_postgres_database(SERVER, "vt_check") as database_url:
        yield {**env, "DATABASE_URL": database_url}


def test_migrate_check_exits_1_while_changes_are_due_and_0_once_applied_changing_nothing(
    empty_database, tmp_path
):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [VERTEBRA, *args], env=empty_database, capture_output=True, text=True, check=False
        )

    due = run("migrate", "--check")
    assert (due.returncode, due.stdout) == (1, "")
    assert due.stderr.startswith("vertebra: the database is not up to date (")
    assert due.stderr.endswith(" changes of its layout to apply); run 'vertebra migrate'\n")
    assert len(due.stderr.splitlines()) == 1
    if SERVER:
        import psycopg

        with psycopg.connect(empty_database["DATABASE_URL"]) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
        assert tables == (0,)  # the check created nothing
    else:
        assert not (tmp_path / "data").exists()  # no folder, key or database file was made

    assert run("migrate").returncode == 0
    checked = run("migrate", "--check")
    assert (checked.returncode, checked.stdout, checked.stderr) == (
        0,
        "database: up to date\n",
        "",
    )


def test_migrate_check_of_a_database_it_cannot_reach_says_so_with_status_2(tmp_path):
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path / "data")}
    env["DATABASE_URL"] = "postgres://nobody:wrong@127.0.0.1:9/none"
    result = subprocess.run(
        [VERTEBRA, "migrate", "--check"], env=env, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("vertebra: the database cannot be read: ")
    assert len(result.stderr.splitlines()) == 1
