"""Real services for the several-servers test: Redis (Debian's redis-server), an S3-compatible
server (moto's server mode) and nginx (Debian's) rendering deploy/nginx/vertebra.conf.template,
each on a free port of 127.0.0.1, stopped and removed when the test ends."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
NGINX_TEMPLATE = DEPLOY / "nginx" / "vertebra.conf.template"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
S3_KEYS = {"AWS_ACCESS_KEY_ID": "vertebra-test", "AWS_SECRET_ACCESS_KEY": "vertebra-test-secret"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, process: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} stopped before it listened on {port}")
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within 15 seconds")


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def render(template: str, values: dict[str, str]) -> str:
    """The template with every ``{{name}}`` replaced; an unknown or a missing name is an error."""
    names = set(PLACEHOLDER.findall(template))
    assert names == set(values), f"the template names {sorted(names)}, given {sorted(values)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


class Redis:
    """``redis-server`` without persistence; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@contextmanager
def redis_server(folder: Path) -> Iterator[Redis]:
    server = Redis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def s3_server(bucket: str) -> Iterator[str]:
    """moto's S3-compatible server in a process of its own; yields its address, with the
    bucket made."""
    import boto3

    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process=process)
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="eu-west-1",
            aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield endpoint
    finally:
        stop(process)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *(
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(certificate),
            ),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def nginx_main_config(folder: Path, site: str) -> Path:
    """nginx's own configuration around the rendered site, with every file in ``folder``
    (as /etc/nginx/nginx.conf does around /etc/nginx/sites-enabled/)."""
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""",
        encoding="utf-8",
    )
    return main


def nginx_check(main: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["nginx", "-t", "-c", str(main)], capture_output=True, text=True, check=False
    )


@contextmanager
def nginx(main: Path, port: int) -> Iterator[None]:
    process = subprocess.Popen(
        ["nginx", "-c", str(main)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process=process)
        yield
    finally:
        stop(process)


def services_missing() -> list[str]:
    return [name for name in ("redis-server", "nginx", "openssl") if not shutil.which(name)]


@contextmanager
def new_postgres_database(server: str, prefix: str) -> Iterator[str]:
    """The address of a new, empty database named ``prefix_<random>`` on the PostgreSQL server
    that ``server`` (the address of any database on it) names; dropped afterwards, with any
    connection still open to it."""
    import psycopg

    base = server.rpartition("/")[0]
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
