"""Soak: many people of several cities use `vertebra serve` at once; nothing is lost or mixed up.

Sets up a fresh instance (SQLite in a temporary folder, or a new PostgreSQL database on the
server named by ``--database-url``) with several cities, each with a draft assessment and its
own people, each person with a session and an API token. Starts `vertebra serve` and lets the
clients (closed loop, no pauses) view pages, read the API, save answers the way the editor does
(htmx) and update answers through the API: each client its own objective, and one objective
per city that all its people share, so that conflicts (409) happen.

Checks, and exits 1 when any fails:
- every response is the right person's: a page or API read shows the person's city and no
  other city;
- no response is an error: a status other than 200 (or 409 on a shared objective) is counted
  by status, and a 409 on a person's own objective is an error too;
- every accepted write (200) is in the history exactly once, every history event of a
  person's write was answered 200, the history of each answer is one unbroken chain (each
  change starts from the value the previous change left), and each final value is the last
  accepted write; each answer's revision counts its saves and each assessment's those of all
  its answers (no increment lost);
- each server process has its own database connection: on PostgreSQL ``pg_stat_activity``
  shows one connection per worker, named after it; on SQLite the parent process holds no
  connection open.

Run: .venv/bin/python bench/bench_soak.py [--seconds 180] [--clients 50]
                                          [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from serving import BIN, machine, new_postgres_database, pct, server_process

PASSWORD = "soak-password-123"  # noqa: S105 - throwaway accounts in a temporary instance
VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = """
import datetime, json, os, sys
import django
django.setup()
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment
from vertebra.cities.domain import add_person, create_city
from vertebra.frameworks.models import Objective
cities, clients, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
world = {"cities": [], "clients": []}
for c in range(cities):
    city = create_city(slug=f"soak-{c:03d}", name=f"Soak City {c:03d}")
    assessment = create_assessment(
        city=city, user=None, title=f"Soak cycle {c:03d}", date=datetime.date(2026, 11, 29)
    )
    objectives = list(
        Objective.objects.filter(framework_version=assessment.framework_version)
        .order_by("position")
        .values_list("code", "policy_code")
    )
    world["cities"].append(
        {"slug": city.slug, "name": city.name, "assessment": str(assessment.uuid),
         "objectives": objectives}
    )
for i in range(clients):
    city = world["cities"][i % cities]
    email = f"person-{i:03d}@soak.example"
    from vertebra.cities.models import City
    user, _, _ = add_person(
        email=email, city=City.objects.get(slug=city["slug"]), role="editor", password=password
    )
    _, key = create_token(user=user, name="soak")
    slot = i // cities
    world["clients"].append(
        {"index": i, "email": email, "token": key, "city": i % cities,
         "own": city["objectives"][1 + slot], "shared": city["objectives"][0]}
    )
print(json.dumps(world))
"""

HISTORY = """
import json
import django
django.setup()
from vertebra.assessments.models import Answer, AnswerEvent, Assessment
# Versions of Vertebra before the revision counters have none to check (side-by-side runs).
counted = any(f.name == "revision" for f in Answer._meta.get_fields())
rows = list(Answer.objects.filter(assessment__city__slug__startswith="soak-").values_list(
    "assessment__city__slug", "objective__code", "notes", "revision" if counted else "version"
))
answers = {f"{slug}/{code}": notes for slug, code, notes, _revision in rows}
revisions = {f"{slug}/{code}": revision for slug, code, _notes, revision in rows} if counted else {}
if counted:
    revisions.update(
        Assessment.objects.filter(city__slug__startswith="soak-").values_list(
            "city__slug", "revision"
        )
    )
events = [
    [f"{slug}/{code}", old, new]
    for slug, code, old, new in AnswerEvent.objects.filter(
        field="notes", assessment__city__slug__startswith="soak-"
    )
    .order_by("id")
    .values_list("assessment__city__slug", "objective_code", "old_value", "new_value")
]
print(json.dumps({"answers": answers, "events": events, "revisions": revisions}))
"""


@dataclasses.dataclass
class Write:
    kind: str
    key: str  # "city-slug/objective-code"
    value: str
    status: int | str  # the HTTP status, or the connection error's name


@dataclasses.dataclass
class Outcome:
    """What the clients saw and what the database holds afterwards."""

    requests: int = 0
    seconds: float = 0.0
    timings: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    errors: Counter[str] = dataclasses.field(default_factory=Counter)
    conflicts: int = 0
    wrong_person: int = 0
    writes: list[Write] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    connections: str = ""
    # CPU the clients themselves used while the load ran (they share the server's machine).
    client_cpu: float = 0.0

    @property
    def accepted(self) -> int:
        return sum(1 for w in self.writes if w.status == 200)


def instance_env(data_dir: str, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "VERTEBRA_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "vertebra.settings",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def fresh_instance(database_url: str | None) -> Iterator[tuple[str, str | None]]:
    """A temporary data folder and, on PostgreSQL, a new database dropped afterwards."""
    with tempfile.TemporaryDirectory() as data_dir:
        if not database_url:
            yield data_dir, None
            return
        with new_postgres_database(database_url, "vt_soak") as url:
            yield data_dir, url


def prepare(env: dict[str, str], *, cities: int, clients: int) -> dict[str, Any]:
    subprocess.run([BIN / "vertebra", "init"], check=True, env=env, capture_output=True)
    out = subprocess.run(
        [sys.executable, "-c", SETUP, str(cities), str(clients), PASSWORD],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


@dataclasses.dataclass
class Reply:
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One person's kept-alive connection to the server, sending their cookies or token.

    Lighter than a requests Session (no cookie jar, hooks or adapters on each request): the
    50 clients share this machine with the server, and their CPU is the server's loss."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.pool = urllib3.HTTPConnectionPool(
            host, int(port), maxsize=1, retries=False, timeout=60.0
        )
        self.headers = headers

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: Any = None
    ) -> Reply:
        response = self.pool.request(
            method,
            path,
            body=body,
            headers={**self.headers, **(headers or {})},
            redirect=False,
            preload_content=True,
        )
        return Reply(response.status, response.data)


# What a connection error looks like to a client.
CONNECTION_ERRORS = (urllib3.exceptions.HTTPError, OSError)


def login(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login/", timeout=30)
    token = CSRF.search(page.text)
    assert token, "no CSRF token on the login page"
    response = session.post(
        f"{base_url}/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base_url}/login/"},
        timeout=30,
    )
    assert response.ok and "sessionid" in session.cookies, f"{email} could not log in"
    return session


class Client:
    """One person: a session for pages and htmx saves, a token for the API."""

    def __init__(self, base_url: str, world: dict[str, Any], me: dict[str, Any], run: str) -> None:
        self.base_url = base_url
        self.run = run  # tells this run's writes from an earlier run's
        self.me = me
        self.city = world["cities"][me["city"]]
        self.others = [c["name"] for c in world["cities"] if c is not self.city]
        cookies = login(base_url, me["email"]).cookies
        self.csrf = cookies.get("csrftoken", "")
        self.session = Connection(
            base_url,
            {"Cookie": f"sessionid={cookies['sessionid']}; csrftoken={self.csrf}"},
        )
        self.api = Connection(base_url, {"Authorization": f"Bearer {me['token']}"})
        self.assessment = f"/cities/{self.city['slug']}/assessments/{self.city['assessment']}/"
        self.api_assessment = (
            f"/api/v1/cities/{self.city['slug']}/assessments/{self.city['assessment']}"
        )
        self.versions = {code: self._version(code) for code in (me["own"][0], me["shared"][0])}
        self.rounds = 0

    def _version(self, code: str) -> int:
        """The answer's version now (an instance may have been written to before)."""
        response = self.api.request("GET", f"{self.api_assessment}/answers/{code}")
        assert response.status_code == 200, f"reading {code}: {response.status_code}"
        return int(response.json()["version"])

    def is_mine(self, text: str) -> bool:
        return self.city["name"] in text and not any(name in text for name in self.others)

    def act(self, rng: random.Random, outcome: Outcome, lock: threading.Lock) -> None:
        roll = rng.random()
        if roll < 0.4:
            kind = "page view"
            policy = rng.choice([self.me["own"][1], self.me["shared"][1]])
            path = rng.choice([self.assessment, f"{self.assessment}policies/{policy}/"])
            self._read(kind, lambda: self.session.request("GET", path), outcome, lock)
        elif roll < 0.5:
            kind = "API read"
            self._read(
                kind,
                lambda: self.api.request("GET", f"/api/v1/cities/{self.city['slug']}"),
                outcome,
                lock,
            )
        else:
            shared = rng.random() < 0.3
            code = self.me["shared" if shared else "own"][0]
            self.rounds += 1
            value = f"person {self.me['index']} write {self.rounds} of run {self.run}"
            if roll < 0.75:
                self._save(code, value, shared, outcome, lock)
            else:
                self._update(code, value, shared, outcome, lock)

    def _read(self, kind: str, call: Any, outcome: Outcome, lock: threading.Lock) -> None:
        start = time.perf_counter()
        try:
            response = call()
        except CONNECTION_ERRORS as exc:
            with lock:
                outcome.requests += 1
                outcome.errors[f"{kind}: {type(exc).__name__}"] += 1
            return
        elapsed = time.perf_counter() - start
        with lock:
            outcome.requests += 1
            if response.status_code != 200:
                outcome.errors[f"{kind}: {response.status_code}"] += 1
            elif not self.is_mine(response.text):
                outcome.wrong_person += 1
            else:
                outcome.timings.setdefault(kind, []).append(elapsed)

    def _save(
        self, code: str, value: str, shared: bool, outcome: Outcome, lock: threading.Lock
    ) -> None:
        """The editor's htmx save of one objective."""
        data = {
            "status": "in_progress",
            "progress": "50",
            "evidence": "",
            "links": "",
            "notes": value,
            "owner": "",
            "na_justification": "",
            "version": str(self.versions[code]),
        }
        headers = {
            "HX-Request": "true",
            "X-CSRFToken": self.csrf,
            "Referer": self.base_url + self.assessment,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        url = f"{self.assessment}objectives/{code}/save/"
        body = urlencode(data).encode()
        self._write(
            "htmx save",
            code,
            value,
            shared,
            lambda: self.session.request("POST", url, body=body, headers=headers),
            lambda r: VERSION.search(r.text),
            outcome,
            lock,
        )

    def _update(
        self, code: str, value: str, shared: bool, outcome: Outcome, lock: threading.Lock
    ) -> None:
        """An API update of one answer's notes."""
        url = f"{self.api_assessment}/answers/{code}"
        body = json.dumps({"notes": value, "version": self.versions[code]}).encode()
        headers = {"Content-Type": "application/json"}

        def version(response: Reply) -> Any:
            payload = response.json()
            if response.status_code == 409:
                return payload["details"]["current"]["version"]
            return payload["version"]

        self._write(
            "API update",
            code,
            value,
            shared,
            lambda: self.api.request("PATCH", url, body=body, headers=headers),
            version,
            outcome,
            lock,
        )

    def _write(
        self,
        kind: str,
        code: str,
        value: str,
        shared: bool,
        call: Any,
        version_of: Any,
        outcome: Outcome,
        lock: threading.Lock,
    ) -> None:
        key = f"{self.city['slug']}/{code}"
        start = time.perf_counter()
        try:
            response = call()
        except CONNECTION_ERRORS as exc:
            with lock:
                outcome.requests += 1
                outcome.writes.append(Write(kind, key, value, type(exc).__name__))
                outcome.errors[f"{kind}: {type(exc).__name__}"] += 1
            return
        elapsed = time.perf_counter() - start
        status = response.status_code
        if status in (200, 409):
            found = version_of(response)
            if found is not None:
                self.versions[code] = int(found.group(1) if hasattr(found, "group") else found)
        with lock:
            outcome.requests += 1
            outcome.writes.append(Write(kind, key, value, status))
            if status == 200:
                outcome.timings.setdefault(kind, []).append(elapsed)
            elif status == 409 and shared:
                outcome.conflicts += 1
            else:
                outcome.errors[f"{kind}: {status}"] += 1


def run_load(
    base_url: str,
    world: dict[str, Any],
    seconds: float,
    outcome: Outcome,
    *,
    started: threading.Event | None = None,
    stop: threading.Event | None = None,
) -> list[Client]:
    """Every client logs in, then acts until ``seconds`` have passed (or ``stop`` is set)."""
    lock = threading.Lock()
    run = f"{random.randrange(16**6):06x}"
    clients = [Client(base_url, world, me, run) for me in world["clients"]]
    start = time.monotonic()
    cpu = time.process_time()
    deadline = start + seconds
    stop = stop or threading.Event()
    if started is not None:
        started.set()

    def loop(client: Client) -> None:
        rng = random.Random(client.me["index"])
        while time.monotonic() < deadline and not stop.is_set():
            client.act(rng, outcome, lock)

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = time.monotonic() - start
    outcome.client_cpu = time.process_time() - cpu
    return clients


def check_history(env: dict[str, str], outcome: Outcome, *, unanswered_ok: bool = False) -> None:
    """Compare what the clients were told with what the database holds.

    ``unanswered_ok``: writes whose request got no answer (the server was killed) may or may
    not be in the history, but nothing else may differ.
    """
    state = json.loads(
        subprocess.run(
            [sys.executable, "-c", HISTORY], check=True, env=env, capture_output=True, text=True
        ).stdout
    )
    status_of = {w.value: w.status for w in outcome.writes}
    seen: Counter[str] = Counter()
    last: dict[str, str] = {}
    for key, old, new in state["events"]:
        seen[new] += 1
        if old != last.get(key, ""):
            outcome.problems.append(
                f"{key}: a change started from {old!r}, not {last.get(key, '')!r}"
            )
        last[key] = new
        status = status_of.get(new)
        if status is None:
            outcome.problems.append(f"{key}: the history holds {new!r}, which nobody wrote")
        elif status != 200 and not (unanswered_ok and isinstance(status, str)):
            outcome.problems.append(f"{key}: {new!r} was written but answered {status}")
    for write in outcome.writes:
        if write.status == 200 and seen[write.value] != 1:
            outcome.problems.append(
                f"{write.key}: accepted {write.kind} {write.value!r} is {seen[write.value]} times in the history"
            )
    for key, value in last.items():
        if state["answers"].get(key) != value:
            outcome.problems.append(
                f"{key}: the answer holds {state['answers'].get(key)!r}, the last change was {value!r}"
            )
    # Each save changes the notes: an answer's revision counts its saves, and an
    # assessment's (one per city) the saves of all its answers. Fewer would be a lost
    # increment, and the kept pages would miss a change.
    saves = Counter(key for key, _old, _new in state["events"])
    saves.update(Counter(key.partition("/")[0] for key, _old, _new in state["events"]))
    for key, revision in state["revisions"].items():
        if revision != saves[key]:
            outcome.problems.append(f"{key}: revision {revision} after {saves[key]} saves")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def connections_now(server: subprocess.Popen[bytes], env: dict[str, str]) -> dict[str, int]:
    """Open database connections by holder: ``"worker <pid>"``, ``"parent"`` or another name.

    PostgreSQL names each worker's connection after it (``pg_stat_activity``, clients only:
    not the server's own autovacuum workers); for SQLite the database file's open descriptors
    are counted in the server's processes."""
    workers = children(server.pid)
    url = env.get("DATABASE_URL")
    held: Counter[str] = Counter()
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            for (name,) in conn.execute(
                "SELECT application_name FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                # PostgreSQL's own autovacuum workers show up too, without a name.
                "AND backend_type = 'client backend'"
            ):
                held[name.removeprefix("vertebra ") or "unnamed"] += 1
        return dict(held)
    database = str(Path(env["VERTEBRA_DATA_DIR"]).resolve() / "vertebra.sqlite3")
    for holder, pid in [("parent", server.pid), *((f"worker {w}", w) for w in workers)]:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                held[holder] += os.readlink(fd) == database
            except OSError:
                continue
    return {holder: count for holder, count in held.items() if count}


def check_connections(
    server: subprocess.Popen[bytes], samples: list[dict[str, int]], outcome: Outcome
) -> None:
    """Sampled while the load ran: each worker had at most one connection, its own, and at
    some moment one; nothing else (the parent process) held one.

    A worker may hold none for a moment: Django closes a connection older than its
    ``CONN_MAX_AGE`` when a request ends, and the worker's next request opens a new one."""
    workers = {f"worker {pid}" for pid in children(server.pid)}
    seen = {holder for sample in samples for holder in sample}
    most = max((count for sample in samples for count in sample.values()), default=0)
    outcome.connections = (
        f"{len(samples)} samples: {len(seen & workers)} of {len(workers)} workers seen with "
        f"their own connection, at most {most} per holder"
    )
    if most > 1 or seen - workers or workers - seen:
        outcome.problems.append(
            f"connections {sorted(seen)} (at most {most} per holder), expected one per worker "
            f"{sorted(workers)}"
        )


def soak(
    *,
    seconds: float,
    clients: int,
    cities: int,
    database_url: str | None,
    workers: int | None = None,
) -> Outcome:
    outcome = Outcome()
    with fresh_instance(database_url) as (data_dir, url):
        env = instance_env(data_dir, url)
        world = prepare(env, cities=cities, clients=clients)
        args = ["--workers", str(workers)] if workers else []
        with server_process(data_dir, ready_path="/login/", args=args, env=env) as (base, server):
            samples: list[dict[str, int]] = []
            done = threading.Event()

            def sample() -> None:
                while not done.wait(1.0):
                    samples.append(connections_now(server, env))

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                run_load(base, world, seconds, outcome)
            finally:
                done.set()
                sampler.join()
            samples.append(connections_now(server, env))
            check_connections(server, samples, outcome)
        check_history(env, outcome)
    return outcome


def report(label: str, outcome: Outcome) -> None:
    print(
        f"{label}: {outcome.requests} requests in {outcome.seconds:.0f} s "
        f"({outcome.requests / max(outcome.seconds, 0.001):.1f}/s); "
        f"{outcome.accepted} writes accepted, {outcome.conflicts} conflicts on shared objectives"
    )
    for kind, values in sorted(outcome.timings.items()):
        print(
            f"  {kind:<12} n={len(values):<6} p50 {pct(values, 0.5):7.1f} ms  "
            f"p95 {pct(values, 0.95):7.1f} ms  max {max(values) * 1000:7.1f} ms"
        )
    per_request = outcome.client_cpu / max(outcome.requests, 1) * 1000
    print(f"  the clients' own CPU: {per_request:.2f} ms per request")
    print(f"  errors by status: {dict(outcome.errors) or 'none'}")
    print(f"  responses with another city's data: {outcome.wrong_person}")
    print(f"  connections: {outcome.connections}")
    print(f"  history problems: {len(outcome.problems)}")
    for line in outcome.problems[:10]:
        print(f"    {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cities", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (postgres://user:password@host:port/db); a new database is "
        "made on it and dropped afterwards. Without it: SQLite.",
    )
    args = parser.parse_args()
    print(machine())
    outcome = soak(
        seconds=args.seconds,
        clients=args.clients,
        cities=args.cities,
        database_url=args.database_url or None,
        workers=args.workers,
    )
    database = "PostgreSQL" if args.database_url else "SQLite"
    report(f"{database}, {args.clients} clients, closed loop", outcome)
    failed = outcome.errors or outcome.wrong_person or outcome.problems
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
