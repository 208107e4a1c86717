"""Gunicorn hooks for ``vertebra serve``: every worker process opens its own database connections.

``vertebra serve`` prepares the database in the parent process and closes every connection
before gunicorn forks its workers (:func:`vertebra.cli.server.run_serve`). A connection that
crossed a fork would be one socket shared by several processes, whose requests and answers
then interleave: one person could receive another's results. ``post_fork`` makes sure of it
in each worker, and names the worker's PostgreSQL connections after its process id, so
``pg_stat_activity`` shows one row per worker (``application_name`` ``vertebra worker PID``).
"""

from __future__ import annotations

import os
from typing import Any


def post_fork(server: Any, worker: Any) -> None:
    from django.db import connections

    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            # Inherited from the parent: never use it, and never close it here (closing would
            # end the parent's session on the shared socket). The worker connects anew.
            wrapper.connection = None
        if wrapper.vendor == "postgresql":
            options = wrapper.settings_dict.setdefault("OPTIONS", {})
            options["application_name"] = f"vertebra worker {os.getpid()}"


def child_exit(server: Any, worker: Any) -> None:
    """A worker that stopped leaves its metrics' files behind: its gauges no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
