"""What the concurrency benches share: a `vertebra serve` on a free local port, and percentiles."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import timeit
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

# The benches share the tests' helpers for real servers (a new PostgreSQL database).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import new_postgres_database

__all__ = ["new_postgres_database"]

BIN = Path(sys.executable).parent
# Extra `vertebra serve` options to compare server set-ups (default: serve's own defaults).
SERVE_ARGS = os.environ.get("BENCH_SERVE_ARGS", "").split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(data_dir: str, *, ready_path: str) -> Iterator[str]:
    """Run `vertebra serve` on the data directory; yield its base URL once it answers."""
    with server_process(data_dir, ready_path=ready_path) as (base_url, _server):
        yield base_url


@contextmanager
def server_process(
    data_dir: str,
    *,
    ready_path: str,
    args: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As :func:`serving`, with extra serve options and environment; also yields the process."""
    port = free_port()
    environment = {**os.environ, "VERTEBRA_DATA_DIR": data_dir, "VERTEBRA_DEBUG": "", **(env or {})}
    server = subprocess.Popen(
        [BIN / "vertebra", "serve", "--port", str(port), *SERVE_ARGS, *(args or [])],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so a test can kill it whole
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base_url}{ready_path}", timeout=1)
                break
            except requests.RequestException:
                if server.poll() is not None:
                    raise RuntimeError("vertebra serve stopped before it answered") from None
                time.sleep(0.2)
        yield base_url, server
    finally:
        server.terminate()
        server.wait(timeout=10)


def machine() -> str:
    """How fast this machine runs Python right now: shared machines vary from hour to hour."""
    loop = min(timeit.repeat("for i in range(1000): pass", number=1000, repeat=5)) / 1000
    load = " / ".join(f"{figure:.2f}" for figure in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs, load average {load}; calibration: empty 1000-step loop "
        f"{loop * 1e6:.1f} µs"
    )


def pct(values: list[float], q: float) -> float:
    """The q-quantile of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
