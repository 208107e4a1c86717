"""What a load balancer and monitoring ask (vertebra.operations), each request's id and log
line (vertebra.requestlog), and kept page parts when the shared cache is down or a person
is renamed (vertebra.fragments). The same against real Redis, S3 and nginx: tests/test_deploy.py."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client

from tests.servers import free_port
from tests.web.conftest import World
from vertebra import fragments, operations
from vertebra.requestlog import JsonFormatter

pytestmark = pytest.mark.django_db

ALL_OK = {
    "status": "ok",
    "down": [],
    "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
}


def test_healthz_answers_ok_without_signing_in():
    response = Client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_readyz_answers_ok_when_database_cache_and_storage_answer():
    response = Client().get("/readyz")
    assert (response.status_code, response.json()) == (200, ALL_OK)


def test_readyz_names_a_cache_that_does_not_answer(settings):
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        for alias in ("default", "fragments")
    }
    response = Client().get("/readyz")
    assert (response.status_code, response.json()) == (
        503,
        {
            "status": "down",
            "down": ["cache"],
            "checks": {"database": "ok", "cache": "unreachable", "storage": "ok"},
        },
    )


def test_readyz_names_a_bucket_that_does_not_answer(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "nowhere",
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "region_name": "eu-west-1",
                "access_key": "x",
                "secret_key": "y",
            },
        },
    }
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["storage"]


def test_readyz_names_a_database_behind_its_code(monkeypatch):
    monkeypatch.setattr(operations, "_migrated", False)
    monkeypatch.setattr(
        operations.MigrationExecutor, "migration_plan", lambda self, targets: [("a", False)]
    )
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "not migrated"
    assert response.json()["down"] == ["database"]


def test_metrics_are_a_plain_404_without_the_token_or_an_allowed_address(settings):
    settings.METRICS_TOKEN = "right-token"
    settings.METRICS_ALLOW = []
    assert Client().get("/metrics").status_code == 404
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer wrong-token"})
    assert wrong.status_code == 404
    right = Client().get("/metrics", headers={"Authorization": "Bearer right-token"})
    assert right.status_code == 200
    assert "django_http_requests_total_by_method_total" in right.content.decode()


def test_metrics_answer_an_allowed_network_without_a_token(settings):
    import ipaddress

    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW = [ipaddress.ip_network("10.1.0.0/16")]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.2.0.1").get("/metrics").status_code == 404
    # No token configured: an empty "Bearer " is no key.
    assert Client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_a_request_keeps_a_plausible_request_id_and_replaces_any_other():
    given = Client().get("/healthz", headers={"X-Request-ID": "lb-7f3a.2:1"})
    assert given["X-Request-ID"] == "lb-7f3a.2:1"
    for bad in ["has space", "x" * 129, "<script>"]:
        replaced = Client().get("/healthz", headers={"X-Request-ID": bad})
        assert replaced["X-Request-ID"] != bad
        assert len(replaced["X-Request-ID"]) == 32
    assert Client().get("/healthz")["X-Request-ID"] != Client().get("/healthz")["X-Request-ID"]


def test_one_json_line_per_request_names_route_city_and_person_only(world: World, caplog):
    client = world.client("editor")
    editor = world.people["editor"]
    logger = logging.getLogger("vertebra.requests")
    logger.setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="vertebra.requests"):
            response = client.get(world.url("policies/L1/"), headers={"X-Request-ID": "trace-1"})
    finally:
        logger.setLevel(logging.WARNING)
    assert response.status_code == 200
    (record,) = [r for r in caplog.records if r.name == "vertebra.requests"]
    line = json.loads(JsonFormatter().format(record))
    assert isinstance(line.pop("duration_ms"), float)
    assert line.pop("time").endswith("+00:00")
    assert line == {
        "level": "info",
        "logger": "vertebra.requests",
        "request_id": "trace-1",
        "method": "GET",
        "route": "/cities/<slug:city_slug>/assessments/<uuid:assessment_uuid>/policies/<str:policy_code>/",
        "status": 200,
        "city": world.city.slug,
        "person": editor.pk,
    }
    assert editor.email not in json.dumps(line)


def test_json_formatter_writes_other_messages_with_their_error():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "vertebra", logging.ERROR, "", 1, "failed %s", ("x",), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"]) == ("error", "vertebra", "failed x")
    assert "ValueError: boom" in line["error"]


def test_pages_render_whole_when_the_shared_cache_does_not_answer(world: World, settings):
    client = world.client("editor")
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        for alias in ("default", "fragments")
    }
    policy = client.get(world.url("policies/L1/"))
    assert policy.status_code == 200
    assert '<article id="objective-L1S1"' in policy.content.decode()
    assert client.get(world.url()).status_code == 200  # the dashboard, kept whole too


def test_a_rename_starts_a_new_generation_of_kept_parts():
    fragments.keep("card", ("a",), "<p>Old Name</p>")
    assert fragments.look_up("card", ("a",)) == "<p>Old Name</p>"
    before = caches["fragments"].get(fragments.GENERATION_KEY)
    fragments.forget_all()
    assert caches["fragments"].get(fragments.GENERATION_KEY) != before
    assert fragments.look_up("card", ("a",)) is None


def test_a_lost_generation_never_brings_back_earlier_parts():
    fragments.keep("card", ("b",), "<p>Old Name</p>")
    caches["fragments"].delete(fragments.GENERATION_KEY)  # evicted, or Redis restarted
    assert fragments.look_up("card", ("b",)) is None


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "VERTEBRA_CACHE_URL",
            "memcached://127.0.0.1:11211",
            "VERTEBRA_CACHE_URL must be a Redis address such as redis://127.0.0.1:6379/0, "
            "not 'memcached://127.0.0.1:11211'.",
        ),
        (
            "VERTEBRA_CACHE_URL",
            "redis://127.0.0.1:6379/zero",
            "VERTEBRA_CACHE_URL must end with a database number such as /0, "
            "not 'redis://127.0.0.1:6379/zero'.",
        ),
        (
            "VERTEBRA_CACHE_URL",
            "redis://127.0.0.1:port/0",
            "VERTEBRA_CACHE_URL has a port that is not a number: 'redis://127.0.0.1:port/0'.",
        ),
        (
            "VERTEBRA_STORAGE_URL",
            "/srv/files",
            "VERTEBRA_STORAGE_URL must be an S3 bucket such as "
            "s3://vertebra-files?endpoint_url=https://s3.example&region=eu-west-1, "
            "not '/srv/files'.",
        ),
        (
            "VERTEBRA_STORAGE_URL",
            "s3://files?endpoint=http://s3",
            "VERTEBRA_STORAGE_URL takes only endpoint_url and region, not endpoint.",
        ),
        (
            "VERTEBRA_STORAGE_URL",
            "s3://files?region=",
            "VERTEBRA_STORAGE_URL gives region no value.",
        ),
        (
            "VERTEBRA_STORAGE_URL",
            "s3://files?endpoint_url=s3.example",
            "VERTEBRA_STORAGE_URL's endpoint_url must be an http(s) address, not 's3.example'.",
        ),
        (
            "VERTEBRA_METRICS_ALLOW",
            "10.0.0.0/8, intranet",
            "VERTEBRA_METRICS_ALLOW must list addresses or networks such as 10.0.0.0/8, "
            "not 'intranet'.",
        ),
        ("VERTEBRA_LOG_FORMAT", "xml", "VERTEBRA_LOG_FORMAT must be text or json, not 'xml'."),
    ],
)
def test_a_wrong_setting_stops_the_command_with_one_line_naming_it(tmp_path, name, value, message):
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(tmp_path), name: value}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "vertebra"), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].endswith(message)
