"""Backup and restore benchmark: an instance of many cities backed up while a person saves.

Builds (or reuses) a data directory with the Demo City and COUNT copies of it
(tests/reports/many_cities.py: 192 answers and their history per city), then
  1. runs `vertebra backup` while a writer saves one answer every 50 ms, as the editor does;
  2. runs `vertebra restore` of that file into an empty instance;
and prints the backup's time and peak memory, the writer's worst save and failures, and the
restore's time, peak memory and answers per second.

Run: .venv/bin/python bench/bench_backup.py [COUNT] [--data DIR] [--backup-only]
SQLite by default (DIR/vertebra.sqlite3); with DATABASE_URL, that PostgreSQL database for the
source and DATABASE_URL + "_restored" (created and dropped here) for the restore.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from serving import new_postgres_database

ROOT = Path(__file__).resolve().parent.parent
VERTEBRA = str(Path(sys.executable).parent / "vertebra")
SERVER = os.environ.get("DATABASE_URL", "")


def env_for(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; its wall time (s), its peak resident memory (MB) and its output."""
    began = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - began
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def connect(data_dir: Path, database_url: str) -> Any:
    if database_url:
        import psycopg

        return psycopg.connect(database_url, autocommit=True)
    conn = sqlite3.connect(data_dir / "vertebra.sqlite3", timeout=20)  # the app's busy timeout
    conn.isolation_level = None
    return conn


class Saver(threading.Thread):
    """Saves one answer every 50 ms in its own transaction; keeps the worst wait."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        super().__init__()
        self.data_dir, self.database_url = data_dir, database_url
        self.stop = threading.Event()
        self.saves: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = connect(self.data_dir, self.database_url)
        p = "%s" if self.database_url else "?"
        ids = [row[0] for row in conn.execute("SELECT id FROM assessments_answer LIMIT 1000")]
        n = 0
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                conn.execute("BEGIN" if self.database_url else "BEGIN IMMEDIATE")
                conn.execute(
                    f"UPDATE assessments_answer SET notes = {p}, version = version + 1 "  # noqa: S608
                    f"WHERE id = {p}",
                    (f"saved during the backup {n}", ids[n % len(ids)]),
                )
                conn.execute("COMMIT")
                self.saves.append(time.perf_counter() - began)
            except Exception as exc:  # a failed save is a finding, counted and shown
                self.errors.append(f"{type(exc).__name__}: {exc}")
                with contextlib.suppress(Exception):  # nothing to roll back
                    conn.execute("ROLLBACK")
            n += 1
            time.sleep(0.05)
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=1000, help="cities (default 1000)")
    parser.add_argument("--data", type=Path, help="reuse (or build into) this data directory")
    parser.add_argument("--backup-only", action="store_true", help="measure the backup only")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vt-bench-backup-"))
    source = options.data or work / "source"
    env = env_for(source, SERVER)
    if not (source / "built").exists():
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tests.reports.many_cities", str(options.count)],
            cwd=ROOT,
            env=env,
            check=True,
        )
        (source / "built").write_text(str(options.count))
        print(f"Built {options.count} cities in {time.perf_counter() - began:.1f} s")
    with connect(source, SERVER) as conn:
        answers = conn.execute("SELECT count(*) FROM assessments_answer").fetchone()[0]
        rows = sum(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("assessments_answer", "assessments_answerevent")
        )
    print(f"Instance: {answers} answers, {rows} answers and history rows")

    saver = Saver(source, SERVER)
    saver.start()
    time.sleep(1)
    target = work / "backup.zip"
    seconds, memory, _ = timed([VERTEBRA, "backup", str(target)], env)
    saver.stop.set()
    saver.join()
    during = saver.saves
    print(
        f"backup: {seconds:6.1f} s, peak memory {memory:6.0f} MB, "
        f"file {target.stat().st_size / 1e6:.0f} MB"
    )
    print(
        f"  a person saving every 50 ms meanwhile: {len(during)} saves, worst "
        f"{max(during, default=0) * 1000:.0f} ms, {len(saver.errors)} failed"
        + (f" ({saver.errors[0]})" if saver.errors else "")
    )

    if options.backup_only:
        return
    restored = work / "restored"
    with (
        new_postgres_database(SERVER, "vt_restored")
        if SERVER
        else contextlib.nullcontext("") as url
    ):
        restore_env = env_for(restored, url)
        subprocess.run([VERTEBRA, "init"], env=restore_env, check=True)
        seconds, memory, _ = timed([VERTEBRA, "restore", str(target)], restore_env)
    print(
        f"restore: {seconds:6.1f} s, peak memory {memory:6.0f} MB, "
        f"{answers / seconds:,.0f} answers/s ({rows / seconds:,.0f} answer and history rows/s)"
    )
    print(f"(files in {work})")


if __name__ == "__main__":
    main()
