"""Backups, restores and imports when things go wrong: people saving during a backup, a
process killed halfway, a full disk.

Each test runs the real `vertebra` command against its own instance: a data directory with
SQLite, or (when the suite runs with DATABASE_URL) a fresh PostgreSQL database on that server.
The `faults/` folder makes a command pause or slow down at a given SQL statement.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import new_postgres_database

ROOT = Path(__file__).resolve().parents[2]
FAULTS = Path(__file__).resolve().parent / "faults"
VERTEBRA = str(Path(sys.executable).parent / "vertebra")
SERVER = os.environ.get("DATABASE_URL", "")
ANSWERS_PER_CITY = 192  # the Demo City's two cycles of 96 objectives


@dataclass
class Instance:
    data_dir: Path
    database_url: str  # "" for SQLite in data_dir

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "VERTEBRA_DATA_DIR": str(self.data_dir)}
        env["PYTHONPATH"] = os.pathsep.join([str(FAULTS), str(ROOT)])
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [VERTEBRA, *args], env=self.env(**extra), capture_output=True, text=True, timeout=300
        )

    def start(self, *args: str, **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [VERTEBRA, *args],
            env=self.env(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def build(self, cities: int) -> None:
        subprocess.run(
            [sys.executable, "-m", "tests.reports.many_cities", str(cities)],
            cwd=ROOT,
            env=self.env(),
            check=True,
            timeout=300,
        )

    @contextlib.contextmanager
    def connect(self) -> Iterator[Any]:
        if self.database_url:
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as conn:
                yield conn
        else:
            conn = sqlite3.connect(self.data_dir / "vertebra.sqlite3", timeout=20)
            conn.isolation_level = None
            try:
                yield conn
            finally:
                conn.close()

    def count(self, table: str) -> int:
        with self.connect() as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


@pytest.fixture
def instance_factory(tmp_path: Path) -> Iterator[Any]:
    """Makes instances by label, each with its own new database on PostgreSQL (all dropped at
    the end of the test)."""
    with contextlib.ExitStack() as databases:

        def make(label: str, data_dir: Path | None = None) -> Instance:
            folder = data_dir or tmp_path / label
            if not SERVER:
                return Instance(folder, "")
            return Instance(
                folder, databases.enter_context(new_postgres_database(SERVER, "vt_fault"))
            )

        yield make


def _archive_rows(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("manifest.json")), json.loads(archive.read("data.json"))


# -- people keep saving during a backup ---------------------------------------------------------


NEW_CITY = (
    "INSERT INTO cities_city (slug, name, country, currency, stakeholder_types, "
    "share_for_benchmarking, created_at) VALUES (?, ?, '', 'EUR', '[\"Emergency services\"]', "
    "false, CURRENT_TIMESTAMP) RETURNING id"
)
NEW_ASSESSMENT = (
    "INSERT INTO assessments_assessment (uuid, city_id, framework_version_id, title, date, "
    "status, created_at) VALUES (?, ?, ?, ?, '2026-11-29', 'draft', CURRENT_TIMESTAMP)"
)


class Writer:
    """Saves a new city and its first assessment in one transaction, again and again."""

    def __init__(self, instance: Instance, name: str) -> None:
        self.instance = instance
        self.name = name
        self.latencies: list[tuple[float, float]] = []  # (committed at, seconds taken)
        self.errors: list[str] = []
        self.stop = threading.Event()

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.instance.database_url else statement

    def save(self, conn: Any, n: int, framework: int) -> None:
        slug = f"w-{self.name}-{n}"
        began = time.monotonic()
        conn.execute("BEGIN" if self.instance.database_url else "BEGIN IMMEDIATE")
        city = conn.execute(self.sql(NEW_CITY), (slug, slug)).fetchone()[0]
        conn.execute(self.sql(NEW_ASSESSMENT), (uuid.uuid4().hex, city, framework, slug))
        conn.execute("COMMIT")
        done = time.monotonic()
        self.latencies.append((done, done - began))

    def run(self) -> None:
        with self.instance.connect() as conn:
            framework = conn.execute("SELECT min(id) FROM frameworks_frameworkversion").fetchone()
            n = 0
            while not self.stop.is_set():
                try:
                    self.save(conn, n, framework[0])
                except Exception as exc:  # every failed save is a finding
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                    with contextlib.suppress(Exception):
                        conn.execute("ROLLBACK")
                n += 1
                time.sleep(0.02)


def test_backup_lets_people_save_and_holds_one_moment(instance_factory, tmp_path):
    instance = instance_factory("busy")
    instance.build(30)
    before = Writer(instance, "before")
    with instance.connect() as conn:
        framework = conn.execute("SELECT min(id) FROM frameworks_frameworkversion").fetchone()[0]
        for n in range(3):
            before.save(conn, n, framework)
    writers = [Writer(instance, "a"), Writer(instance, "b")]
    threads = [threading.Thread(target=w.run) for w in writers]
    for thread in threads:
        thread.start()
    target = tmp_path / "busy.zip"
    # The dump stops 4 s after reading the cities, as a large instance's would: the
    # assessments it reads afterwards must still be those of the same moment.
    slowed = tmp_path / "slowed"
    result = instance.run(
        "backup",
        str(target),
        VERTEBRA_TEST_SLOW_AT='FROM "cities_city"',
        VERTEBRA_TEST_SLOW_SECONDS="4",
        VERTEBRA_TEST_SLOW_FILE=str(slowed),
    )
    time.sleep(0.3)
    for w in writers:
        w.stop.set()
    for thread in threads:
        thread.join()

    assert result.returncode == 0, result.stderr
    assert [e for w in writers for e in w.errors] == []
    # While the backup stood still in the middle of its dump, saves went on being committed
    # (a backup holding the write lock lets none through until it ends).
    [(paused, resumed)] = [
        tuple(map(float, line.split())) for line in slowed.read_text().splitlines()
    ]
    during = [at for w in writers for at, _ in w.latencies if paused <= at <= resumed]
    assert len(during) >= 3
    manifest, rows = _archive_rows(target)
    cities = {r["pk"]: r["fields"]["slug"] for r in rows if r["model"] == "cities.city"}
    assessed = {r["fields"]["city"] for r in rows if r["model"] == "assessments.assessment"}
    saved = {pk for pk, slug in cities.items() if slug.startswith("w-")}
    assert {cities[pk] for pk in saved} >= {"w-before-0", "w-before-1", "w-before-2"}
    assert saved <= assessed  # each saved city came with its assessment...
    assert {r["fields"]["city"] for r in rows if r["model"] == "assessments.assessment"} <= set(
        cities
    )  # ...and no assessment without its city
    all_saves = 3 + sum(len(w.latencies) for w in writers)
    assert len(saved) < all_saves  # saves made after the snapshot are not in it
    assert manifest["counts"]["cities.city"] == 31 + len(saved)
    assert manifest["counts"]["assessments.assessment"] == 62 + len(saved)
    assert manifest["counts"]["assessments.answer"] == 31 * ANSWERS_PER_CITY
    assert not list(instance.data_dir.glob(".vertebra-backup-*"))  # the copy is gone

    # The backup restores: every row back, the same answers.
    restored = instance_factory("restored")
    result = restored.run("restore", str(target))
    assert result.returncode == 0, result.stderr
    assert restored.count("cities_city") == 31 + len(saved)
    assert restored.count("assessments_answer") == 31 * ANSWERS_PER_CITY
    assert (
        restored.count("assessments_answerevent") == manifest["counts"]["assessments.answerevent"]
    )


# -- a process killed halfway ---------------------------------------------------------------------


def _kill_when_paused(process: subprocess.Popen[str], marker: Path) -> None:
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def test_restore_killed_halfway_leaves_nothing_and_runs_again(instance_factory, tmp_path):
    source = instance_factory("source")
    source.build(3)
    backup = tmp_path / "source.zip"
    assert source.run("backup", str(backup)).returncode == 0
    target = instance_factory("target")
    assert target.run("init").returncode == 0
    marker = tmp_path / "paused"

    process = target.start(
        "restore",
        str(backup),
        VERTEBRA_TEST_PAUSE_AT='INSERT INTO "assessments_answer"',
        VERTEBRA_TEST_PAUSE_FILE=str(marker),
    )
    _kill_when_paused(process, marker)

    # Cities and people were written in the same transaction before the answers: none stayed.
    assert target.count("cities_city") == 0
    assert target.count("accounts_user") == 0
    assert target.count("assessments_answer") == 0
    result = target.run("restore", str(backup))
    assert result.returncode == 0, result.stderr
    assert target.count("cities_city") == 4
    assert target.count("assessments_answer") == 4 * ANSWERS_PER_CITY


def test_import_killed_halfway_leaves_nothing_and_runs_again(instance_factory, tmp_path):
    instance = instance_factory("import")
    assert instance.run("init").returncode == instance.run("demo").returncode == 0
    answers = tmp_path / "answers.csv"
    answers.write_text("objective,status,evidence\nL1S1,achieved,Minutes\nL1S2,in progress,\n")
    assessments = instance.count("assessments_assessment")
    events = instance.count("assessments_answerevent")
    marker = tmp_path / "paused"

    process = instance.start(
        "import",
        "demo",
        str(answers),
        VERTEBRA_TEST_PAUSE_AT='INSERT INTO "assessments_answerevent"',
        VERTEBRA_TEST_PAUSE_FILE=str(marker),
    )
    _kill_when_paused(process, marker)

    # The draft was created and its answers changed in that transaction: none of it stayed.
    assert instance.count("assessments_assessment") == assessments
    assert instance.count("assessments_answerevent") == events
    result = instance.run("import", "demo", str(answers))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "Imported answers.csv into 'Imported from answers.csv': 2 new, 0 changed, 0 unchanged."
    )
    assert instance.count("assessments_assessment") == assessments + 1


# -- a full disk ----------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: str = "8m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``path`` (we run as root here and in CI)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    path.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(folder: Path) -> Path:
    """Fill the disk holding ``folder`` to its last byte."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for block in (b"\0" * 1048576, b"\0" * 4096, b"\0"):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, block)
    finally:
        os.close(fd)
    return filler


def test_backup_onto_a_full_disk_exits_2_and_leaves_no_file(instance_factory, tmp_path):
    instance = instance_factory("full-backup")
    instance.build(3)
    with small_disk(tmp_path / "disk") as disk:
        (disk / "old.zip").write_bytes(b"an older backup")
        fill(disk)
        cities = instance.count("cities_city")
        result = instance.run("backup", str(disk / "old.zip"))
        assert result.returncode == 2
        assert (
            result.stderr
            == f"vertebra: {disk / 'old.zip'}: cannot write: No space left on device\n"
        )
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "old.zip"]
        assert (disk / "old.zip").read_bytes() == b"an older backup"
        assert instance.count("cities_city") == cities


@pytest.mark.skipif(bool(SERVER), reason="a full disk under PostgreSQL is the server's own")
def test_import_onto_a_full_disk_exits_2_and_changes_nothing(instance_factory, tmp_path):
    answers = tmp_path / "answers.csv"
    answers.write_text("objective,status\nL1S1,achieved\nL1S2,in progress\n")
    with small_disk(tmp_path / "disk", size="32m") as disk:
        instance = instance_factory("full-import", data_dir=disk)
        assert instance.run("init").returncode == instance.run("demo").returncode == 0
        # A server holding the database open, as in production; then the disk fills up.
        with instance.connect() as conn:
            assessments = conn.execute("SELECT count(*) FROM assessments_assessment").fetchone()
            filler = fill(disk)
            result = instance.run("import", "demo", str(answers))
            assert result.returncode == 2
            assert result.stderr == (
                "vertebra: the database did not take the import, nothing was imported: "
                "database or disk is full\n"
            )
            again = conn.execute("SELECT count(*) FROM assessments_assessment").fetchone()
            assert again == assessments
            filler.unlink()
            result = instance.run("import", "demo", str(answers))
            assert result.returncode == 0, result.stderr
            assert conn.execute("SELECT count(*) FROM assessments_assessment").fetchone() == (
                assessments[0] + 1,
            )
