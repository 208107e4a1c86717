"""Latency of the editor and dashboard pages under 20 concurrent people, against `vertebra serve`.

Sets up a fresh data directory with the Demo City, starts `vertebra serve` (gunicorn) on a
free local port, logs 20 clients in and lets them use the pages the way people in a workshop
do: each client opens a page, reads it for a moment (a random pause of 0.2-1.0 s) and opens
the next. Prints p50/p95/max per page, the error count, and the SQL queries per page.

Three runs:
1. reading only: every view after the first is of pages already rendered for that state;
2. a workshop: as 1, but one action in ten saves an answer (each person their own
   objective), so pages are rendered afresh after every save;
3. closed loop (no pauses), reading only: the server's throughput ceiling.

Run: .venv/bin/python bench/bench_pages.py [seconds]
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from serving import BIN, machine, pct, serving

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 20
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a temporary instance


def prepare(data_dir: str) -> tuple[str, str]:
    """Demo data plus a bench account; returns the dashboard and editor paths."""
    env = {**os.environ, "VERTEBRA_DATA_DIR": data_dir}
    subprocess.run([BIN / "vertebra", "init"], check=True, env=env, capture_output=True)
    subprocess.run([BIN / "vertebra", "demo"], check=True, env=env, capture_output=True)
    subprocess.run(
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
        input=PASSWORD + "\n",
        text=True,
        check=True,
        env=env,
        capture_output=True,
    )
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='vertebra.settings'; django.setup();"
        "from vertebra.assessments.models import Assessment;"
        "print(Assessment.objects.filter(city__slug='demo', status='draft').get().uuid)"
    )
    uuid = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    ).stdout.strip()
    base = f"/cities/demo/assessments/{uuid}/"
    return base, f"{base}policies/L1/"


def query_counts(data_dir: str, paths: list[str]) -> dict[str, int]:
    code = f"""
import os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'vertebra.settings'
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from vertebra.accounts.models import User
client = Client()
client.force_login(User.objects.get(email='bench@city.example'))
for path in {paths!r}:
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path).status_code
    print(path, status, len(ctx.captured_queries))
"""
    env = {**os.environ, "VERTEBRA_DATA_DIR": data_dir, "VERTEBRA_ALLOWED_HOSTS": "testserver"}
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    ).stdout
    return {line.split()[0]: int(line.split()[2]) for line in out.splitlines()}


def login(base_url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    response = session.post(
        f"{base_url}/login/",
        data={
            "username": "bench@city.example",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
        headers={"Referer": f"{base_url}/login/"},
        timeout=10,
    )
    assert response.ok and "sessionid" in session.cookies, "login failed"
    return session


def editable_answers(data_dir: str) -> list[tuple[str, int]]:
    """Objective codes and versions of the draft's answers, one per client to save."""
    code = """
import os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'vertebra.settings'
django.setup()
from vertebra.assessments.models import Answer
for code, version in Answer.objects.filter(
    assessment__city__slug='demo', assessment__status='draft'
).order_by('objective__position').values_list('objective__code', 'version'):
    print(code, version)
"""
    env = {**os.environ, "VERTEBRA_DATA_DIR": data_dir}
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True
    ).stdout
    rows = [(line.split()[0], int(line.split()[1])) for line in out.splitlines()]
    return rows[:: max(1, len(rows) // CLIENTS)][:CLIENTS]


SAVE = "save an answer"
VERSION = re.compile(r'name="version" value="(\d+)"')


def load(
    base_url: str,
    paths: list[str],
    seconds: float,
    *,
    think: bool,
    saves: list[tuple[str, int]] | None = None,
    assessment: str = "",
):
    """Run the clients; with ``saves``, client i saves objective saves[i] in one action in ten."""
    timings: dict[str, list[float]] = {p: [] for p in [*paths, SAVE]}
    errors: list[str] = []
    lock = threading.Lock()
    sessions = [login(base_url) for _ in range(CLIENTS)]
    # Warm every worker (templates, caches) before measuring: these requests are not counted.
    for session in sessions:
        for path in paths:
            session.get(base_url + path, timeout=30)
    deadline = time.monotonic() + seconds

    def client(session: requests.Session, seed: int) -> None:
        rng = random.Random(seed)
        mine = saves[seed] if saves else None
        rounds = 0
        if think:
            # People do not all click in the same millisecond: start within the first pause.
            time.sleep(rng.uniform(0.0, 1.0))
        while time.monotonic() < deadline:
            saving = mine is not None and rng.random() < 0.1
            path = SAVE if saving else rng.choice(paths)
            start = time.perf_counter()
            try:
                if mine is not None and saving:
                    rounds += 1
                    response = session.post(
                        f"{base_url}{assessment}objectives/{mine[0]}/save/",
                        data={
                            "status": "in_progress",
                            "progress": str(10 * (rounds % 10)),
                            "notes": f"Discussed in round {rounds}.",
                            "version": str(mine[1]),
                        },
                        headers={
                            "HX-Request": "true",
                            "X-CSRFToken": session.cookies["csrftoken"],
                            "Referer": base_url + assessment,
                        },
                        timeout=30,
                    )
                    found = VERSION.search(response.text)
                    if found:
                        mine = (mine[0], int(found.group(1)))
                else:
                    response = session.get(base_url + path, timeout=30)
                ok = response.status_code == 200
            except requests.RequestException as exc:
                ok, response = False, exc
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    timings[path].append(elapsed)
                else:
                    errors.append(f"{path}: {response}")
            if think:
                time.sleep(rng.uniform(0.2, 1.0))

    threads = [threading.Thread(target=client, args=(s, i)) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, errors


def report(
    label: str,
    seconds: float,
    timings: dict[str, list[float]],
    errors: list[str],
    names: dict[str, str],
) -> None:
    total = sum(len(v) for v in timings.values())
    print(
        f"{label}: {total} requests in {seconds:.0f} s ({total / seconds:.0f}/s), {len(errors)} errors"
    )
    for path, values in timings.items():
        if not values:
            continue
        print(
            f"  {names.get(path, path):<20} n={len(values):<5} "
            f"p50 {pct(values, 0.5):6.1f} ms  p95 {pct(values, 0.95):6.1f} ms  "
            f"max {max(values) * 1000:6.1f} ms  mean {statistics.mean(values) * 1000:6.1f} ms"
        )
    for line in errors[:5]:
        print("  error:", line)


def main(seconds: float = 20.0) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as data_dir:
        dashboard, editor = prepare(data_dir)
        paths = [dashboard, editor]
        saves = editable_answers(data_dir)
        with serving(data_dir, ready_path="/login/") as base_url:
            # After the server's start, which makes the static files the pages name.
            counts = query_counts(data_dir, paths)
            names = {dashboard: "dashboard", editor: "editor (policy L1)", SAVE: SAVE}
            timings, errors = load(base_url, paths, seconds, think=True)
            report("20 people reading, 0.2-1.0 s pauses", seconds, timings, errors, names)
            timings, errors = load(
                base_url, paths, seconds, think=True, saves=saves, assessment=dashboard
            )
            report(
                "20 people in a workshop, 0.2-1.0 s pauses, one action in ten a save",
                seconds,
                timings,
                errors,
                names,
            )
            timings, errors = load(base_url, paths, seconds, think=False)
            report("20 clients reading, closed loop (no pauses)", seconds, timings, errors, names)
            for path in paths:
                print(f"SQL queries, {names[path]}: {counts[path]}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0)
