"""Workshop: a room of participants rating on their phones while the facilitator's view refreshes.

Sets up a fresh instance (SQLite in a temporary folder, or a new PostgreSQL database on the
server named by ``--database-url``) with one city, its facilitator and a workshop covering the
first policies of the model, and starts `vertebra serve`. Then, as in the room:

- ``--participants`` people (60) join on the pages (a display name and a stakeholder type),
  then each rates ``--objectives`` objectives (20) through the rating page's form, spread
  evenly over ``--seconds`` (60): every participant one rating each 3 seconds, the
  participants' turns staggered, so 20 ratings a second arrive on the server;
- meanwhile the facilitator's workshop page asks for its live results every 2 seconds, as
  its htmx polling does.

All participants come from this machine's one address, as phones behind a venue's router do:
the instance runs with ``VERTEBRA_WORKSHOP_JOINS_PER_ADDRESS`` raised accordingly.

Prints the errors (any rating not answered with its redirect, any live view not 200, any
rating missing in the database afterwards), and the p50 and p95 of the facilitator's view and
of a rating. Targets: no errors, both p95 at most 100 ms; exits 1 when one is missed.

Run: .venv/bin/python bench/bench_workshop.py [--database-url postgres://...]
                                             [--participants 60] [--objectives 20]
                                             [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from bench_soak import CONNECTION_ERRORS, Connection, children, fresh_instance, instance_env
from serving import BIN, machine, pct, server_process

PASSWORD = "workshop-bench-password-1"  # noqa: S105 - a throwaway account in a temporary instance
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TARGET_MS = 100.0
STATUSES = ("not_started", "in_progress", "achieved", "not_applicable", "unknown")

SETUP = """
import datetime, json, sys
import django
django.setup()
from vertebra.assessments.domain import create_assessment
from vertebra.cities.domain import add_person, create_city
from vertebra.frameworks.domain import shape_of
from vertebra.workshops import domain
wanted, password = int(sys.argv[1]), sys.argv[2]
city = create_city(slug="bench", name="Bench City")
lead, _, _ = add_person(email="lead@bench.example", city=city, role="admin", password=password)
assessment = create_assessment(city=city, user=lead, title="Workshop bench",
                               date=datetime.date(2026, 11, 29))
shape = shape_of(assessment.framework_version)
policies = []
for code in shape.policy_codes:
    policies.append(code)
    if len(domain.covered_in(shape, policies)) >= wanted:
        break
types = list(city.stakeholder_types)[:4]
workshop = domain.create_workshop(assessment=assessment, user=lead, data={
    "title": "Bench workshop", "date": datetime.date(2026, 11, 29),
    "policies": policies, "stakeholder_types": types})
print(json.dumps({
    "code": workshop.join_code,
    "types": types,
    "objectives": domain.covered_in(shape, policies)[:wanted],
    "live": f"/cities/bench/assessments/{assessment.uuid}/workshops/{workshop.uuid}/live/",
}))
"""

COUNT = """
import json
import django
django.setup()
from vertebra.workshops.models import Participant, Rating
print(json.dumps({"participants": Participant.objects.count(),
                  "ratings": Rating.objects.count()}))
"""


@dataclass
class Outcome:
    ratings: list[float] = field(default_factory=list)
    views: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    server_cpu: float = 0.0  # CPU seconds the server's processes spent during the run


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of a process and its children, from /proc."""
    total = 0.0
    for one in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _cookies(session: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def join(base_url: str, world: dict[str, Any], index: int) -> tuple[Connection, str]:
    """One participant joins on the pages; their connection then carries the session."""
    session = requests.Session()
    address = f"{base_url}/join/{world['code']}/"
    page = session.get(address, timeout=60)
    token = CSRF.search(page.text)
    assert token, f"no CSRF token on the join page: {page.status_code}"
    kind = world["types"][index % len(world["types"])]
    joined = session.post(
        address,
        data={"name": f"Participant {index:02d}", "stakeholder_type": kind},
        headers={"X-CSRFToken": token.group(1)},
        allow_redirects=False,
        timeout=60,
    )
    assert joined.status_code == 302, f"joining answered {joined.status_code}"
    cookie = _cookies(session)
    return Connection(base_url, {"Cookie": cookie}), token.group(1)


def facilitator(base_url: str) -> Connection:
    session = requests.Session()
    page = session.get(f"{base_url}/login/", timeout=60)
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    session.post(
        f"{base_url}/login/",
        data={
            "username": "lead@bench.example",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
        timeout=60,
    )
    assert "sessionid" in session.cookies, "the facilitator could not log in"
    return Connection(base_url, {"Cookie": _cookies(session)})


def run(
    base_url: str, world: dict[str, Any], *, participants: int, seconds: float, server: int
) -> Outcome:
    outcome = Outcome()
    lock = threading.Lock()
    people = [join(base_url, world, i) for i in range(participants)]
    lead = facilitator(base_url)
    codes: list[str] = world["objectives"]
    gap = seconds / len(codes)  # each participant's pace
    done = threading.Event()
    start = time.perf_counter() + 1.0

    def rate(index: int, connection: Connection, token: str) -> None:
        for turn, code in enumerate(codes):
            due = start + turn * gap + index * gap / participants
            time.sleep(max(0.0, due - time.perf_counter()))
            status = STATUSES[(index + turn) % len(STATUSES)]
            form = {"csrfmiddlewaretoken": token, "status": status, "comment": ""}
            if status == "in_progress":
                form["progress"] = str((index * 7) % 101)
            began = time.perf_counter()
            try:
                reply = connection.request(
                    "POST",
                    f"/join/{world['code']}/objectives/{code}/",
                    body=urlencode(form).encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                took = time.perf_counter() - began
                failed = None if reply.status_code == 302 else f"rating {reply.status_code}"
            except CONNECTION_ERRORS as exc:
                took, failed = time.perf_counter() - began, f"rating {type(exc).__name__}"
            with lock:
                outcome.ratings.append(took)
                if failed:
                    outcome.errors[failed] += 1

    def watch() -> None:
        while not done.is_set():
            began = time.perf_counter()
            try:
                reply = lead.request("GET", world["live"], headers={"HX-Request": "true"})
                took = time.perf_counter() - began
                failed = None if reply.status_code == 200 else f"live view {reply.status_code}"
            except CONNECTION_ERRORS as exc:
                took, failed = time.perf_counter() - began, f"live view {type(exc).__name__}"
            with lock:
                outcome.views.append(took)
                if failed:
                    outcome.errors[failed] += 1
            done.wait(max(0.0, 2.0 - took))

    threads = [
        threading.Thread(target=rate, args=(i, conn, token), daemon=True)
        for i, (conn, token) in enumerate(people)
    ]
    watcher = threading.Thread(target=watch, daemon=True)
    time.sleep(max(0.0, start - time.perf_counter()))
    cpu_before = cpu_seconds(server)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    outcome.server_cpu = cpu_seconds(server) - cpu_before
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--objectives", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgres://user:password@host:port/db); a new database is "
        "made on it and dropped afterwards. Without it: SQLite.",
    )
    args = parser.parse_args()
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "·", machine())
    with fresh_instance(args.database_url or None) as (data_dir, database_url):
        env = instance_env(data_dir, database_url)
        env["VERTEBRA_WORKSHOP_JOINS_PER_ADDRESS"] = str(args.participants * 2)
        subprocess.run([BIN / "vertebra", "init"], check=True, env=env, capture_output=True)
        world = json.loads(
            subprocess.run(
                [sys.executable, "-c", SETUP, str(args.objectives), PASSWORD],
                check=True,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
        )
        with server_process(data_dir, ready_path="/login/", env=env) as (base_url, server):
            outcome = run(
                base_url,
                world,
                participants=args.participants,
                seconds=args.seconds,
                server=server.pid,
            )
        stored = json.loads(
            subprocess.run(
                [sys.executable, "-c", COUNT], check=True, env=env, capture_output=True, text=True
            ).stdout
        )
    expected = {"participants": args.participants, "ratings": args.participants * args.objectives}
    if stored != expected:
        outcome.errors[f"stored {stored}, expected {expected}"] += 1
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{database}: {args.participants} participants × {len(world['objectives'])} objectives "
        f"in {outcome.seconds:.1f} s ({len(outcome.ratings) / max(outcome.seconds, 0.001):.1f} "
        f"ratings/s); the facilitator's view every 2 s"
    )
    figures = {"facilitator's view": outcome.views, "rating": outcome.ratings}
    for label, values in figures.items():
        print(
            f"  {label:<19} n={len(values):<5} p50 {pct(values, 0.5):6.1f} ms  "
            f"p95 {pct(values, 0.95):6.1f} ms  max {max(values) * 1000:6.1f} ms"
        )
    served = len(outcome.ratings) + len(outcome.views)
    print(
        f"  the server's CPU: {outcome.server_cpu:.1f} s in {outcome.seconds:.0f} s, "
        f"{outcome.server_cpu / max(served, 1) * 1000:.1f} ms per request on average "
        f"(what a request costs, apart from waiting for the CPU)"
    )
    print(f"  errors: {dict(outcome.errors) or 'none'}")
    missed = [label for label, values in figures.items() if pct(values, 0.95) > TARGET_MS]
    if missed:
        print(f"  p95 above {TARGET_MS:.0f} ms: {', '.join(missed)}")
    return 1 if outcome.errors or missed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
