"""Real faults for tests: a database that refuses writes and a storage folder that is full.

Both are produced by the real components, not by patching Vertebra's code:

- ``read_only_database()``: SQLite's ``PRAGMA query_only`` makes the engine refuse every
  write ("attempt to write a readonly database"), as a read-only file would; on PostgreSQL a
  savepoint with ``SET transaction_read_only = on`` makes the server refuse writes
  ("cannot execute UPDATE in a read-only transaction"), as a read-only replica would. Rolling
  back to the savepoint ends the fault and leaves the test's transaction usable.
- ``full_folder(path)``: a 64 KiB tmpfs mounted at ``path`` and filled up, so that writing a
  file there meets ENOSPC from the kernel. It needs root (as here and in CI).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction


@contextmanager
def read_only_database() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET transaction_read_only = on")
            try:
                yield
            finally:
                transaction.set_rollback(True)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")


@contextmanager
def full_folder(path: Path, *, free: int = 0) -> Iterator[Path]:
    """``path`` on a tiny tmpfs with about ``free`` bytes left; unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)], check=True)
    try:
        filler = path / "filler"
        try:
            with filler.open("wb") as handle:
                handle.write(b"\0" * (80 * 1024))
        except OSError:  # ENOSPC: the folder is full, as wanted
            pass
        if free:
            with filler.open("r+b") as handle:
                handle.truncate(max(0, os.path.getsize(filler) - free))
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def files_under(path: Path) -> list[str]:
    """Every file below ``path`` (relative, sorted), the filler of ``full_folder`` excepted."""
    return sorted(
        str(p.relative_to(path)) for p in path.rglob("*") if p.is_file() and p.name != "filler"
    )
