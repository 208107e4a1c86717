"""HTTPS in production, plain HTTP on a laptop: the settings of docs/CONFIGURATION.md.

The production settings are read from the documentation itself, so the page people copy
from is the one tested: Django's deployment check reports nothing with them, and a real
server (`vertebra serve`) redirects plain HTTP and sends HSTS and secure cookies. Without
them, the same server answers on http://localhost as `make run` needs.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.test_serve import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def production_settings() -> dict[str, str]:
    """The variables of the ``sh`` block under "Production over HTTPS"."""
    text = (ROOT / "docs/CONFIGURATION.md").read_text(encoding="utf-8")
    section = text.split("## Production over HTTPS", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "docs/CONFIGURATION.md shows the production settings"
    return dict(line.split("=", 1) for line in shlex.split(block.group(1)))


def clean_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    # Nothing of the suite's own environment (its key, its database, DJANGO_ALLOW_ASYNC_UNSAFE
    # of the browser tests), as on a production server.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VERTEBRA_", "DJANGO_")) and key != "DATABASE_URL"
    }
    # A key as strong as the one `vertebra migrate` writes.
    env |= {"VERTEBRA_DATA_DIR": str(tmp_path), "VERTEBRA_SECRET_KEY": secrets.token_urlsafe(50)}
    env |= {"DJANGO_SETTINGS_MODULE": "vertebra.settings", **variables}
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "django-admin"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_documented_production_settings_pass_the_deployment_check(tmp_path: Path) -> None:
    settings = production_settings()
    assert set(settings) == {
        "VERTEBRA_ALLOWED_HOSTS",
        "VERTEBRA_CSRF_TRUSTED_ORIGINS",
        "VERTEBRA_PROXY_SSL_HEADER",
        "VERTEBRA_SSL_REDIRECT",
        "VERTEBRA_SECURE_COOKIES",
        "VERTEBRA_HSTS_SECONDS",
        "VERTEBRA_HSTS_INCLUDE_SUBDOMAINS",
        "VERTEBRA_HSTS_PRELOAD",
    }
    result = deploy_check(clean_env(tmp_path, **settings))
    assert result.stderr == ""
    assert result.returncode == 0
    assert result.stdout == "System check identified no issues (1 silenced).\n"


def test_without_configuration_the_deployment_check_names_what_https_needs(
    tmp_path: Path,
) -> None:
    result = deploy_check(clean_env(tmp_path))
    assert result.returncode == 1
    found = set(re.findall(r"\(security\.(W\d+)\)", result.stderr))
    # HSTS, the HTTPS redirect, and the session and CSRF cookies' Secure flag.
    assert found == {"W004", "W008", "W012", "W016"}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "VERTEBRA_SSL_REDIRECT",
            "ture",
            "VERTEBRA_SSL_REDIRECT must be 1/true/yes/on or 0/false/no/off, not 'ture'.",
        ),
        (
            "VERTEBRA_PROXY_SSL_HEADER",
            "https",
            "VERTEBRA_PROXY_SSL_HEADER must be a header and its value, like "
            "'X-Forwarded-Proto: https', not 'https'.",
        ),
        (
            "VERTEBRA_PROXY_SSL_HEADER",
            "X Forwarded: https",
            "VERTEBRA_PROXY_SSL_HEADER must be a header and its value, like "
            "'X-Forwarded-Proto: https', not 'X Forwarded: https'.",
        ),
        ("VERTEBRA_HSTS_SECONDS", "-1", "VERTEBRA_HSTS_SECONDS must be at least 0, not -1."),
        (
            "VERTEBRA_HSTS_SECONDS",
            "1y",
            "VERTEBRA_HSTS_SECONDS must be a whole number, not '1y'.",
        ),
    ],
)
def test_a_mistyped_https_setting_is_named_instead_of_ignored(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import vertebra.settings"],
        env=clean_env(tmp_path, **{variable: value}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"django.core.exceptions.ImproperlyConfigured: {message}")


def test_the_proxy_header_is_read_as_django_names_it(tmp_path: Path) -> None:
    code = "import vertebra.settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean_env(tmp_path, VERTEBRA_PROXY_SSL_HEADER=" X-Forwarded-Proto:https "),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout == "('HTTP_X_FORWARDED_PROTO', 'https')\n", result.stderr


def raw_get(port: int, path: str, *headers: str) -> tuple[str, dict[str, list[str]]]:
    """The status line and headers of a GET sent as bytes, as a proxy would send it."""
    request = "\r\n".join(
        [f"GET {path} HTTP/1.1", "Host: resilience.city.example", *headers, "Connection: close"]
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request.encode() + b"\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    found: dict[str, list[str]] = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        found.setdefault(name.strip().lower(), []).append(value.strip())
    return head[0], found


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., int]]:
    servers: list[subprocess.Popen[str]] = []

    def start(**variables: str) -> int:
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "vertebra"), "serve", "--port", str(port), "--workers", "1"],
            env=clean_env(tmp_path, **variables),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        servers.append(server)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer within 30 seconds")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def test_production_server_redirects_http_and_sends_hsts_and_secure_cookies(
    serve: Callable[..., int],
) -> None:
    port = serve(**production_settings())

    status, headers = raw_get(port, "/login/?next=/")
    assert status == "HTTP/1.1 301 Moved Permanently"
    assert headers["location"] == ["https://resilience.city.example/login/?next=/"]

    status, headers = raw_get(port, "/login/", "X-Forwarded-Proto: https")
    assert status == "HTTP/1.1 200 OK"
    assert headers["strict-transport-security"] == ["max-age=31536000; includeSubDomains; preload"]
    [cookie] = headers["set-cookie"]
    assert cookie.startswith("csrftoken=")
    assert "; Secure" in cookie


def test_without_configuration_the_server_answers_plain_http(serve: Callable[..., int]) -> None:
    port = serve(VERTEBRA_ALLOWED_HOSTS="resilience.city.example")
    status, headers = raw_get(port, "/login/")
    assert status == "HTTP/1.1 200 OK"
    assert "strict-transport-security" not in headers
    [cookie] = headers["set-cookie"]
    assert "Secure" not in cookie
