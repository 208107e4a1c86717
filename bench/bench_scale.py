"""Many cities: every page and API list as fast with 1,000 cities as with one, side by side.

Builds two instances (SQLite in temporary folders, or two new databases on the PostgreSQL
server named by ``--database-url``): one with 1 city, one with 1,000 cities of 5 assessments
each (every objective answered, three members and three actions per city), and in it people
who belong to 1, 20 and 200 cities. Serves both with `vertebra serve` at the same time, and
for each page and API list lets 20 concurrent clients open it the way people do (a random
pause of 0.2-1.0 s between views), each view going at random to one of the two servers (half
each, so both carry the same load): the one-city instance's person, or one of the 1,000-city
instance's persons in 1, 20 and 200 cities. All share the machine's load moment by moment,
so their ratios hold on a busy machine.

Prints, per page, the one-city p50 and p95, then for each person of the 1,000-city instance
the ratio of its p50 and of its p95 to the one-city figures, and its own p95; and whether
every ratio is at most 1.2 and every page's p95 at most 80 ms. Exits 1 on any failed view.

Run: .venv/bin/python bench/bench_scale.py [--seconds 30] [--cities 1000] [--assessments 5]
                                           [--database-url postgres://.../any]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from serving import BIN, machine, new_postgres_database, pct, server_process

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 20
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts of a temporary instance
RATIO_TARGET = 1.2
P95_TARGET_MS = 80.0
# What is measured: (name, path, kind); {city} and {assessment} are the persons' first city.
PAGES = [
    ("home", "/", "page"),
    ("home, page 2", "/?page=2", "page"),
    ("home, search", "/?q=city-00", "page"),
    ("city", "/cities/{city}/", "page"),
    ("dashboard", "/cities/{city}/assessments/{assessment}/", "page"),
    ("editor", "/cities/{city}/assessments/{assessment}/policies/L1/", "page"),
    ("history", "/cities/{city}/assessments/{assessment}/history/", "page"),
    ("actions", "/cities/{city}/assessments/{assessment}/plan/actions/", "page"),
    ("people", "/cities/{city}/people/", "page"),
    ("your work", "/work/", "page"),
    ("your account", "/account/", "page"),
    ("instance: new city", "/instance/cities/new/", "operator"),
    ("API: cities", "/api/v1/cities", "api"),
    ("API: assessments", "/api/v1/cities/{city}/assessments", "api"),
    ("API: answers", "/api/v1/cities/{city}/assessments/{assessment}/answers", "api"),
    ("API: actions", "/api/v1/cities/{city}/assessments/{assessment}/actions", "api"),
]
TARGETS = ["1 city", "in 1", "in 20", "in 200"]
# Views of each page per target before it is measured: more than `vertebra serve` has worker
# processes, so that none of them compiles a template or renders a kept part while measured.
WARM_VIEWS = 8


@contextlib.contextmanager
def instance(label: str, database_url: str) -> Iterator[dict[str, str]]:
    """The environment of a new instance: a temporary data folder, and a new database on the
    PostgreSQL server when one is given (dropped afterwards)."""
    with tempfile.TemporaryDirectory(prefix=f"vertebra-scale-{label}-") as folder:
        env = {**os.environ, "VERTEBRA_DATA_DIR": folder, "VERTEBRA_SECRET_KEY": "bench"}
        env.pop("DATABASE_URL", None)
        if not database_url:
            yield env
            return
        with new_postgres_database(database_url, f"vt_scale_{label}") as url:
            yield {**env, "DATABASE_URL": url}


def build(env: dict[str, str], cities: int, assessments: int) -> dict[str, object]:
    subprocess.run([BIN / "vertebra", "init"], check=True, env=env, capture_output=True)
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale_data.py"), str(cities), str(assessments)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    print(f"  built {cities} cities in {time.monotonic() - began:.0f} s", flush=True)
    built: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return built


def login(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the login page"
    response = session.post(
        f"{base_url}/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base_url}/login/"},
        timeout=30,
    )
    assert response.ok and "sessionid" in session.cookies, f"login of {email} failed"
    return session


class Target:
    """One person of one instance: a signed-in session, an API token, their first city."""

    def __init__(self, base_url: str, built: dict[str, object], person: str) -> None:
        people = built["people"]
        assert isinstance(people, dict)
        self.base_url = base_url
        self.fill = {"city": built["city"], "assessment": built["assessment"]}
        self.session = login(base_url, people[person]["email"])
        self.operator = login(base_url, people["operator"]["email"])
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {people[person]['token']}"

    def get(self, path: str, kind: str) -> requests.Response:
        client = {"page": self.session, "operator": self.operator, "api": self.api}[kind]
        return client.get(self.base_url + path.format(**self.fill), timeout=60)


def measure(
    targets: dict[str, Target], path: str, kind: str, seconds: float
) -> tuple[dict[str, list[float]], list[str]]:
    for _ in range(WARM_VIEWS):  # every server process compiles and keeps the page's parts
        for target in targets.values():
            target.get(path, kind)
    times: dict[str, list[float]] = {name: [] for name in targets}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            # Half the views to each server, so that both carry the same load.
            name = TARGETS[0] if rng.random() < 0.5 else rng.choice(TARGETS[1:])
            began = time.perf_counter()
            try:
                response = targets[name].get(path, kind)
                ok = response.status_code == 200
                what = str(response.status_code)
            except requests.RequestException as exc:
                ok, what = False, type(exc).__name__
            took = time.perf_counter() - began
            with lock:
                if ok:
                    times[name].append(took)
                else:
                    errors.append(f"{name} {path}: {what}")
            time.sleep(rng.uniform(0.2, 1.0))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="per page (default 30)")
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--assessments", type=int, default=5)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (any database)")
    parser.add_argument(
        "--page",
        action="append",
        choices=[name for name, _, _ in PAGES],
        metavar="NAME",
        help="measure only this page or API list (repeatable; default: all of them)",
    )
    args = parser.parse_args()
    pages = [page for page in PAGES if not args.page or page[0] in args.page]
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Scale bench, {time.strftime('%Y-%m-%d %H:%M')}, {database}; {machine()}", flush=True)
    with (
        instance("one", args.database_url) as env_one,
        instance("many", args.database_url) as env_many,
    ):
        one = build(env_one, 1, args.assessments)
        many = build(env_many, args.cities, args.assessments)
        with (
            server_process(env_one["VERTEBRA_DATA_DIR"], ready_path="/login/", env=env_one) as (
                url_one,
                _,
            ),
            server_process(env_many["VERTEBRA_DATA_DIR"], ready_path="/login/", env=env_many) as (
                url_many,
                _,
            ),
        ):
            targets = {"1 city": Target(url_one, one, "in 1")}
            for person in ("in 1", "in 20", "in 200"):
                targets[person] = Target(url_many, many, person)
            return report(targets, pages, args.seconds, args.cities)


def report(
    targets: dict[str, Target], pages: list[tuple[str, str, str]], seconds: float, cities: int
) -> int:
    print(
        f"{CLIENTS} clients, {seconds:.0f} s per page; ratios are {cities:,} cities / 1 city "
        f"(p50 / p95); the person is in 1, 20 or 200 cities"
    )
    header = f"{'page':<20} {'1 city p50/p95 ms':>18}"
    for person in ("in 1", "in 20", "in 200"):
        header += f" | {person + ': ratio':>13} {'p95 ms':>6}"
    print(header)
    worst_ratio, worst_p95, failed = 0.0, 0.0, []
    for name, path, kind in pages:
        times, errors = measure(targets, path, kind, seconds)
        failed += errors
        base50, base95 = pct(times["1 city"], 0.5), pct(times["1 city"], 0.95)
        line = f"{name:<20} {base50:>8.1f} / {base95:>6.1f}  "
        worst_p95 = max(worst_p95, base95) if kind != "api" else worst_p95
        for person in ("in 1", "in 20", "in 200"):
            p50, p95 = pct(times[person], 0.5), pct(times[person], 0.95)
            worst_ratio = max(worst_ratio, p50 / base50, p95 / base95)
            if kind != "api":
                worst_p95 = max(worst_p95, p95)
            line += f" | {p50 / base50:>5.2f} / {p95 / base95:>5.2f} {p95:>6.1f}"
        samples = min(len(found) for found in times.values())
        print(f"{line}  (n≥{samples})", flush=True)
    print(
        f"worst ratio {worst_ratio:.2f} (target ≤ {RATIO_TARGET}), worst page p95 "
        f"{worst_p95:.1f} ms (target ≤ {P95_TARGET_MS:.0f} ms), failed views {len(failed)}"
    )
    for error in failed[:10]:
        print("  failed:", error)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
