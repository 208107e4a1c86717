"""Several servers on one database, for real: Redis, an S3-compatible server and nginx
(rendering deploy/nginx/vertebra.conf.template, with TLS) in front of two `vertebra serve`
processes started as deploy/systemd/vertebra.service starts them, on the suite's database
(PostgreSQL when ``DATABASE_URL`` is set, else one SQLite file). Every request goes through
nginx; each server's JSON log (one line per request, with nginx's request id) tells which
server answered, so each check is made across the two servers. Also: the systemd units pass
``systemd-analyze verify`` and the rendered nginx configuration ``nginx -t``."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.servers import (
    DEPLOY,
    NGINX_TEMPLATE,
    S3_KEYS,
    free_port,
    nginx,
    nginx_check,
    nginx_main_config,
    redis_server,
    render,
    s3_server,
    self_signed_certificate,
    stop,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_soak

BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("DATABASE_URL") or None
PASSWORD = "two-servers-horse-7"
BUCKET = "vertebra-files"
METRICS_TOKEN = "metrics-test-token"
SYSTEMD = DEPLOY / "systemd"
UNITS = ["vertebra.service", "vertebra-notify.service", "vertebra-notify.timer"]


def exec_start(unit: str) -> list[str]:
    """The unit's command line, with this checkout's `vertebra` in place of /opt/vertebra's."""
    lines = (SYSTEMD / unit).read_text(encoding="utf-8").splitlines()
    (command,) = [
        line.removeprefix("ExecStart=") for line in lines if line.startswith("ExecStart=")
    ]
    program, *args = shlex.split(command)
    assert program == "/opt/vertebra/.venv/bin/vertebra"
    return [str(BIN / "vertebra"), *args]


def with_port(args: list[str], port: int) -> list[str]:
    at = args.index("--port")
    return [*args[: at + 1], str(port), *args[at + 2 :]]


def largest_body() -> str:
    from vertebra.bodies import largest_body_bytes

    return str(largest_body_bytes())


def nginx_site(*, folder: Path, http_port: int, https_port: int, upstreams: list[int]) -> str:
    certificate, key = self_signed_certificate(folder)
    return render(
        NGINX_TEMPLATE.read_text(encoding="utf-8"),
        {
            "server_name": "localhost",
            "http_port": str(http_port),
            "https_port": str(https_port),
            "certificate": str(certificate),
            "certificate_key": str(key),
            "client_max_body_size": largest_body(),
            "upstream_servers": "\n    ".join(f"server 127.0.0.1:{port};" for port in upstreams),
        },
    )


def run(env: dict[str, str], *args: str, stdin: str = "") -> str:
    result = subprocess.run(
        [str(BIN / "vertebra"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


class Server:
    """One `vertebra serve`, its JSON log in a file."""

    def __init__(self, name: str, port: int, log: Path) -> None:
        self.name, self.port, self.log = name, port, log

    def lines(self) -> list[dict[str, Any]]:
        found = []
        for line in self.log.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if record.get("logger") == "vertebra.requests":
                    found.append(record)
        return found

    def line_of(self, request_id: str) -> dict[str, Any] | None:
        matching = [line for line in self.lines() if line["request_id"] == request_id]
        return matching[0] if matching else None


def wait_until_it_answers(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        assert process.poll() is None, server.log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, "the server did not answer within 90 s"
        time.sleep(0.2)


@contextmanager
def serving(env: dict[str, str], data_dirs: dict[str, str], folder: Path) -> Iterator[list[Server]]:
    """One server per data folder, yielded once each answers. Servers of different data
    folders start together; of one folder (SQLite's), one after the other, as `vertebra
    serve` prepares its folder's static files before it serves."""
    started: list[tuple[Server, subprocess.Popen[bytes]]] = []
    try:
        for name, data_dir in data_dirs.items():
            if data_dir in list(data_dirs.values())[: len(started)]:
                wait_until_it_answers(*started[-1])
            port = free_port()
            log = folder / f"{name}.log"
            with log.open("w", encoding="utf-8") as output:
                process = subprocess.Popen(
                    [*with_port(exec_start("vertebra.service"), port), "--workers", "2"],
                    env={**env, "VERTEBRA_DATA_DIR": data_dir},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append((Server(name, port, log), process))
        for server, process in started:
            wait_until_it_answers(server, process)
        yield [server for server, _ in started]
    finally:
        for _, process in started:
            stop(process)


class Balanced:
    """Requests through nginx, each one's server found from the logs by its request id."""

    def __init__(self, base: str, certificate: str, servers: list[Server]) -> None:
        self.base, self.servers = base, servers
        self.session = requests.Session()
        self.certificate = certificate

    def server_of(self, response: requests.Response) -> Server:
        request_id = response.headers["X-Request-ID"]
        for _ in range(50):
            for server in self.servers:
                if server.line_of(request_id) is not None:
                    return server
            time.sleep(0.02)
        raise AssertionError(f"no server logged request {request_id}")

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        # verify on each request: a session's own is overridden by REQUESTS_CA_BUNDLE.
        return self.session.request(
            method, self.base + path, timeout=30, verify=self.certificate, **kwargs
        )

    def on_other(
        self, other_than: Server, method: str, path: str, **kwargs: Any
    ) -> requests.Response:
        """The request, sent again until the other server answered it (nginx takes turns)."""
        for _ in range(8):
            response = self.request(method, path, **kwargs)
            if self.server_of(response) is not other_than:
                return response
        raise AssertionError(f"nginx never sent {path} to the other server")

    def on_each(self, method: str, path: str, **kwargs: Any) -> dict[str, requests.Response]:
        """The request, sent until each server answered it once."""
        answered: dict[str, requests.Response] = {}
        for _ in range(12):
            response = self.request(method, path, **kwargs)
            answered.setdefault(self.server_of(response).name, response)
            if len(answered) == len(self.servers):
                return answered
        raise AssertionError(f"nginx sent {path} only to {sorted(answered)}")


def form_token(page: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def wait_until(check: Callable[[], bool], *, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_two_servers_behind_nginx_share_the_database_the_cache_and_the_files(tmp_path):
    with ExitStack() as stack:
        redis = stack.enter_context(redis_server(tmp_path))
        endpoint = stack.enter_context(s3_server(BUCKET))
        data_dir, url = stack.enter_context(bench_soak.fresh_instance(DATABASE_URL))
        http_port, https_port = free_port(), free_port()
        base = f"https://localhost:{https_port}"
        env = {
            **bench_soak.instance_env(data_dir, url),
            **S3_KEYS,
            "VERTEBRA_SECRET_KEY": "two-servers-one-key",
            "VERTEBRA_CACHE_URL": redis.url,
            "VERTEBRA_STORAGE_URL": f"s3://{BUCKET}?endpoint_url={endpoint}&region=eu-west-1",
            "VERTEBRA_LOG_FORMAT": "json",
            "VERTEBRA_LOG_LEVEL": "WARNING",
            "VERTEBRA_METRICS_TOKEN": METRICS_TOKEN,
            "VERTEBRA_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "VERTEBRA_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
            "VERTEBRA_SECURE_COOKIES": "1",
            "VERTEBRA_CSRF_TRUSTED_ORIGINS": base,
            "VERTEBRA_DEBUG": "",
        }
        run(env, "init")
        run(env, "city", "create", "porto", "--name", "Porto")
        email = "bea@porto.example"
        run(env, "user", "create", email, "--city", "porto", "--role", "editor",
            "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        token = run(env, "token", "create", email).splitlines()[-1]

        # SQLite: both servers on the one database file of one data folder; PostgreSQL: each
        # its own data folder. Files go to the bucket either way, never a data folder.
        second_dir = data_dir if url is None else stack.enter_context(_folder(tmp_path / "b"))
        a, b = stack.enter_context(serving(env, {"a": data_dir, "b": second_dir}, tmp_path))
        site = nginx_site(
            folder=tmp_path, http_port=http_port, https_port=https_port, upstreams=[a.port, b.port]
        )
        main = nginx_main_config(tmp_path, site)
        checked = nginx_check(main)
        assert checked.returncode == 0, checked.stderr
        stack.enter_context(nginx(main, https_port))
        lb = Balanced(base, str(tmp_path / "tls.crt"), [a, b])

        # The checks answer through nginx, from each server.
        for response in lb.on_each("GET", "/healthz").values():
            assert (response.status_code, response.json()) == (200, {"status": "ok"})
        ready = {"status": "ok", "down": [], "checks": dict.fromkeys(["database", "cache", "storage"], "ok")}  # fmt: skip
        for response in lb.on_each("GET", "/readyz").values():
            assert (response.status_code, response.json()) == (200, ready)
        # Plain HTTP is sent to HTTPS (on its standard port).
        plain = requests.get(
            f"http://localhost:{http_port}/login/", allow_redirects=False, timeout=10
        )
        assert (plain.status_code, plain.headers["Location"]) == (301, "https://localhost/login/")

        # A token works on both.
        api = {"Authorization": f"Bearer {token}"}
        for response in lb.on_each("GET", "/api/v1/cities/porto/assessments", headers=api).values():
            assert (response.status_code, response.json()["results"]) == (200, [])
        created = lb.request(
            "POST", "/api/v1/cities/porto/assessments", headers=api,
            json={"title": "Porto 2026", "date": "2026-11-29"},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assessment = created.json()["id"]
        answer_path = f"/api/v1/cities/porto/assessments/{assessment}/answers/L1S1"
        page_path = f"/cities/porto/assessments/{assessment}/policies/L1/"

        # A session works on both: signed in through one server, pages from each.
        login = lb.request("GET", "/login/")
        signed_in = lb.request(
            "POST", "/login/", headers={"Referer": f"{base}/login/"},
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": form_token(login.text)},
        )  # fmt: skip
        assert signed_in.url == f"{base}/work/"
        for response in lb.on_each("GET", page_path, allow_redirects=False).values():
            assert response.status_code == 200
            assert "Evidence from the second server" not in response.text

        # An answer saved through one server shows on the other's next page.
        saved = lb.request(
            "PATCH", answer_path, headers=api,
            json={"version": 1, "status": "in_progress", "evidence": "Evidence from the second server"},
        )  # fmt: skip
        assert saved.status_code == 200, saved.text
        saver = lb.server_of(saved)
        page = lb.on_other(saver, "GET", page_path)
        assert "Evidence from the second server" in page.text

        # A conflict is detected across servers: the same version written again.
        stale = lb.on_other(
            saver, "PATCH", answer_path, headers=api, json={"version": 1, "evidence": "Stale"}
        )
        assert stale.status_code == 409
        assert stale.json()["details"]["current"]["evidence"] == "Evidence from the second server"
        assert lb.request("GET", answer_path, headers=api).json()["version"] == 2

        # A person's new name shows on the next page from either server (kept parts included).
        def rename(name: str) -> Server:
            form = lb.request("GET", "/account/")
            renamed = lb.request(
                "POST", "/account/", headers={"Referer": f"{base}/account/"},
                data={"csrfmiddlewaretoken": form_token(form.text), "name": name, "language": "", "digest_emails": "on"},
            )  # fmt: skip
            assert renamed.status_code == 200 and renamed.url == f"{base}/account/", renamed.text
            return lb.server_of(renamed)

        rename("Bea Before")
        for response in lb.on_each("GET", page_path).values():
            assert "Bea Before" in response.text
        renamer = rename("Bea After")
        page = lb.on_other(renamer, "GET", page_path)
        assert ("Bea After" in page.text, "Bea Before" in page.text) == (True, False)

        # A file uploaded through one server downloads from the other; it is in the bucket.
        content = b"flood map\n" * 5000
        uploaded = lb.request(
            "POST", f"{answer_path}/attachments", headers=api,
            files={"file": ("flood-map.txt", content, "text/plain")},
        )  # fmt: skip
        assert uploaded.status_code == 201, uploaded.text
        download = f"{answer_path}/attachments/{uploaded.json()['id']}/download"
        got = lb.on_other(lb.server_of(uploaded), "GET", download, headers=api)
        assert (got.status_code, got.content) == (200, content)
        assert got.headers["Content-Length"] == str(len(content))
        bucket = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1", **_keys())
        (stored,) = bucket.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert stored["Key"].startswith(f"attachments/{assessment}/")
        assert stored["Key"].endswith("/flood-map.txt")
        assert not any((Path(folder) / "uploads").exists() for folder in {data_dir, second_dir})
        # ... and its deletion through either server removes it from the bucket.
        removed = lb.request("DELETE", download.removesuffix("/download"), headers=api)
        assert removed.status_code == 204, removed.text
        wait_until(lambda: bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0)
        assert lb.on_other(lb.server_of(removed), "GET", download, headers=api).status_code == 404

        # One JSON line per request, with the client's request id, given back; gunicorn's own
        # access log is left out.
        for server in (a, b):
            assert ' HTTP/1.1" ' not in server.log.read_text(encoding="utf-8")
        traced = lb.request("GET", answer_path, headers={**api, "X-Request-ID": "trace-42"})
        assert traced.headers["X-Request-ID"] == "trace-42"
        line = lb.server_of(traced).line_of("trace-42")
        assert line is not None
        person = _person_id(env, email)
        assert {key: line[key] for key in line if key not in ("time", "duration_ms")} == {
            "level": "info",
            "logger": "vertebra.requests",
            "request_id": "trace-42",
            "method": "GET",
            "route": "/api/v1/cities/<city>/assessments/<assessment_id>/answers/<code>",
            "status": 200,
            "city": "porto",
            "person": person,
        }
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0

        # Metrics: from each server directly with the token, adding up both workers; never
        # through nginx, nor without the token.
        assert lb.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 404  # fmt: skip
        assert requests.get(f"http://127.0.0.1:{a.port}/metrics", timeout=10).status_code == 404
        metrics = requests.get(
            f"http://127.0.0.1:{a.port}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
            timeout=10,
        )
        assert metrics.status_code == 200
        logged = sum(1 for line in a.lines() if line["route"] != "/metrics")
        assert _counted(metrics.text) == logged

        # A stopped Redis: /readyz answers 503 naming the cache; pages still answer; then back.
        redis.stop()
        down = lb.request("GET", "/readyz")
        assert (down.status_code, down.json()["down"]) == (503, ["cache"])
        assert down.json()["checks"] == {"database": "ok", "cache": "unreachable", "storage": "ok"}
        assert lb.request("GET", page_path).status_code == 200
        redis.start()
        for response in lb.on_each("GET", "/readyz").values():
            assert (response.status_code, response.json()) == (200, ready)


def _counted(text: str) -> int:
    """Requests counted by django-prometheus (every worker's), the metrics' own excluded."""
    total = 0.0
    for line in text.splitlines():
        if (
            line.startswith("django_http_requests_total_by_view_transport_method_total{")
            and 'view="metrics"' not in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def _person_id(env: dict[str, str], email: str) -> int:
    code = (
        "import django; django.setup(); from vertebra.accounts.models import User; "
        f"print(User.objects.get(email={email!r}).pk)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return int(result.stdout)


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_KEYS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_KEYS["AWS_SECRET_ACCESS_KEY"],
    }


@contextmanager
def _folder(path: Path) -> Iterator[str]:
    path.mkdir(mode=0o700)
    yield str(path)


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    """The units as shipped, with this checkout's `vertebra` and the current user."""
    for unit in UNITS:
        text = (SYSTEMD / unit).read_text(encoding="utf-8")
        text = text.replace("/opt/vertebra/.venv/bin/vertebra", str(BIN / "vertebra"))
        text = text.replace("User=vertebra", "User=root").replace("Group=vertebra", "Group=root")
        (tmp_path / unit).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / unit) for unit in UNITS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_systemd_units_run_the_commands_that_exist():
    serve = exec_start("vertebra.service")
    assert serve[1:] == ["serve", "--host", "127.0.0.1", "--port", "8000"]
    assert exec_start("vertebra-notify.service")[1:] == ["notify"]
    timer = (SYSTEMD / "vertebra-notify.timer").read_text(encoding="utf-8")
    assert "Unit=vertebra-notify.service" in timer.splitlines()


def test_nginx_refuses_a_body_larger_than_vertebra_takes_and_passes_nginx_t(tmp_path):
    upstream = free_port()
    http_port, https_port = free_port(), free_port()
    site = nginx_site(
        folder=tmp_path, http_port=http_port, https_port=https_port, upstreams=[upstream]
    )
    assert f"client_max_body_size {largest_body()};" in site
    main = nginx_main_config(tmp_path, site)
    checked = nginx_check(main)
    assert checked.returncode == 0, checked.stderr
    with nginx(main, https_port):
        response = requests.post(
            f"https://localhost:{https_port}/api/v1/anything",
            data=b"x" * (int(largest_body()) + 1),
            verify=str(tmp_path / "tls.crt"),
            timeout=30,
        )
    assert response.status_code == 413


def test_nginx_template_has_a_value_for_every_placeholder():
    with pytest.raises(AssertionError, match="the template names"):
        render(NGINX_TEMPLATE.read_text(encoding="utf-8"), {"server_name": "x"})
