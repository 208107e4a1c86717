"""API speed against `vertebra serve` with the Demo City.

1. Reading a whole assessment (all 96 answers and the profile) in one request,
   ``GET .../assessments/{id}?include=answers,profile``, by 20 concurrent clients: first as
   scripts and dashboards do (each client pauses 0.2-1.0 s between requests); then the same
   with one request in ten updating one answer (each client its own), so that reads keep
   finding a changed assessment; then in a closed loop (no pauses) for the server's
   ceiling. Prints p50/p95/max and errors.
2. A bulk update of all 96 answers in one request (``PATCH .../answers``), repeated with
   alternating values so every answer really changes: prints the median and worst time.

Run: .venv/bin/python bench/bench_api.py [seconds]
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests
from serving import BIN, machine, pct, serving

CLIENTS = 20
BULK_RUNS = 10


def prepare(data_dir: str) -> tuple[str, str]:
    """Demo data, an editor and their token; returns the token and the draft's API path."""
    env = {**os.environ, "VERTEBRA_DATA_DIR": data_dir}
    run = {"check": True, "env": env, "capture_output": True, "text": True}
    subprocess.run([BIN / "vertebra", "init"], **run)  # type: ignore[call-overload]
    subprocess.run([BIN / "vertebra", "demo"], **run)  # type: ignore[call-overload]
    subprocess.run(  # type: ignore[call-overload]
        [
            BIN / "vertebra",
            "user",
            "create",
            "bench@city.example",
            "--city",
            "demo",
            "--role",
            "editor",
            "--password-stdin",
        ],
        input="bench-password-123\n",
        **run,
    )
    out = subprocess.run(  # type: ignore[call-overload]
        [BIN / "vertebra", "token", "create", "bench@city.example", "--name", "bench"], **run
    ).stdout
    token = out.strip().splitlines()[-1]
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='vertebra.settings'; django.setup();"
        "from vertebra.assessments.models import Assessment;"
        "print(Assessment.objects.filter(city__slug='demo', status='draft').get().uuid)"
    )
    uuid = subprocess.run([sys.executable, "-c", code], **run).stdout.strip()  # type: ignore[call-overload]
    return token, f"/api/v1/cities/demo/assessments/{uuid}"


def read_load(
    url: str,
    token: str,
    seconds: float,
    *,
    think: bool,
    writes: list[tuple[str, int]] | None = None,
) -> tuple[list[float], list[str], list[float]]:
    """Whole-assessment reads; with ``writes`` (one answer address per client) one request
    in ten updates that client's answer, so reads after it find a new revision."""
    timings: list[float] = []
    write_timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    sessions = []
    for _ in range(CLIENTS):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        session.get(url, timeout=30)  # warm the workers; not counted
        sessions.append(session)
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = sessions[seed]
        mine = writes[seed] if writes else None
        rounds = 0
        if think:
            time.sleep(rng.uniform(0.0, 1.0))  # people do not all start in the same millisecond
        while time.monotonic() < deadline:
            if mine is not None and rng.random() < 0.1:
                rounds += 1
                start = time.perf_counter()
                response = session.patch(
                    mine[0],
                    json={"notes": f"Discussed in round {rounds}.", "version": mine[1]},
                    timeout=30,
                )
                elapsed = time.perf_counter() - start
                if response.status_code == 200:
                    mine = (mine[0], int(response.json()["version"]))
                with lock:
                    if response.status_code == 200:
                        write_timings.append(elapsed)
                    else:
                        errors.append(f"update: status {response.status_code}")
                if think:
                    time.sleep(rng.uniform(0.2, 1.0))
                continue
            start = time.perf_counter()
            try:
                response = session.get(url, timeout=30)
                body = response.content
                elapsed = time.perf_counter() - start
                # Checking the answer is the client's work, outside the measured time.
                ok = response.status_code == 200 and len(json.loads(body)["answers"]) == 96
                problem = f"status {response.status_code}"
            except (requests.RequestException, ValueError, KeyError) as exc:
                elapsed = time.perf_counter() - start
                ok, problem = False, repr(exc)
            with lock:
                if ok:
                    timings.append(elapsed)
                else:
                    errors.append(problem)
            if think:
                time.sleep(rng.uniform(0.2, 1.0))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, errors, write_timings


def answers(base_url: str, path: str, token: str) -> list[dict[str, object]]:
    response = requests.get(
        f"{base_url}{path}/answers?limit=200",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return list(response.json()["results"])


def bulk_updates(base_url: str, path: str, token: str) -> list[float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    times = []
    for run in range(BULK_RUNS):
        answers = session.get(f"{base_url}{path}/answers?limit=200", timeout=30).json()["results"]
        items = [
            {"code": a["code"], "version": a["version"], "notes": f"Reviewed in round {run}."}
            for a in answers
        ]
        start = time.perf_counter()
        response = session.patch(f"{base_url}{path}/answers", json={"answers": items}, timeout=60)
        times.append(time.perf_counter() - start)
        changed = len(response.json()["changed"]) if response.ok else 0
        assert response.status_code == 200 and changed == 96, (response.status_code, changed)
    return times


def main(seconds: float = 20.0) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as data_dir:
        token, path = prepare(data_dir)
        with serving(data_dir, ready_path="/api/v1/openapi.json") as base_url:
            url = f"{base_url}{path}?include=answers,profile"
            writes = [
                (f"{base_url}{path}/answers/{a['code']}", int(str(a["version"])))
                for a in answers(base_url, path, token)[::4][:CLIENTS]
            ]
            for think, mixed, label in (
                (True, False, "20 clients, 0.2-1.0 s pauses"),
                (True, True, "20 clients, 0.2-1.0 s pauses, one request in ten an update"),
                (False, False, "20 clients, closed loop (no pauses)"),
            ):
                timings, errors, updates = read_load(
                    url, token, seconds, think=think, writes=writes if mixed else None
                )
                print(
                    f"whole assessment (96 answers + profile), {label}: {len(timings)} reads "
                    f"in {seconds:.0f} s ({len(timings) / seconds:.0f}/s), {len(errors)} errors"
                )
                print(
                    f"  p50 {pct(timings, 0.5):6.1f} ms  p95 {pct(timings, 0.95):6.1f} ms  "
                    f"max {max(timings) * 1000:6.1f} ms  mean {statistics.mean(timings) * 1000:6.1f} ms"
                )
                if updates:
                    print(
                        f"  one-answer updates: n={len(updates)}  p50 {pct(updates, 0.5):6.1f} ms  "
                        f"p95 {pct(updates, 0.95):6.1f} ms"
                    )
                for line in errors[:5]:
                    print("  error:", line)
            times = bulk_updates(base_url, path, token)
            print(
                f"bulk update of all 96 answers ({BULK_RUNS} runs): "
                f"median {statistics.median(times) * 1000:6.1f} ms  "
                f"worst {max(times) * 1000:6.1f} ms"
            )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
