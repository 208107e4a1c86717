"""Personal tokens: stored hashed, shown once, revocable in the browser and made by the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import NOT_AUTHENTICATED, World, make_person
from tests.faults import read_only_database
from vertebra.api.models import ApiToken
from vertebra.api.tokens import create_token, revoke_token
from vertebra.cli import main

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_sha256(world: World) -> None:
    token, key = create_token(user=world.people["viewer"], name="Portal")
    assert key.startswith("vt_")
    assert len(key) == 46
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:10]
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_token_acts_as_its_person_and_records_last_use(world: World) -> None:
    token, key = create_token(user=world.people["viewer"], name="Portal")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/cities/north")
    assert (response.status_code, response.json()["role"]) == (200, "viewer")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_use_is_recorded_at_most_once_a_minute(world: World) -> None:
    token, key = create_token(user=world.people["viewer"], name="Portal")
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/cities/north").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == recent
    stale = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    assert client.get("/api/v1/cities/north").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > stale


def test_reading_works_when_the_database_cannot_record_the_last_use(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    token, key = create_token(user=world.people["viewer"], name="Portal")
    with caplog.at_level(logging.WARNING, logger="vertebra.api"), read_only_database():
        response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/cities/north")
        assert (response.status_code, response.json()["role"]) == (200, "viewer")
    token.refresh_from_db()
    assert token.last_used_at is None
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"Could not record the use of API token {token.prefix}"
    ]


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer vt_not-a-real-token", "Basic dXNlcjpwYXNz", "Token vt_x"],
)
def test_missing_or_unknown_token_is_401(world: World, header: str) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/cities")
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_revoked_token_is_401(world: World) -> None:
    token, key = create_token(user=world.people["admin"], name="Old script")
    revoke_token(user=world.people["admin"], token_id=token.uuid)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/cities")
    assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)


def test_token_of_a_deactivated_person_is_401(world: World) -> None:
    person = world.people["editor"]
    person.is_active = False
    person.save()
    response = world.client("editor").get("/api/v1/cities")
    assert response.status_code == 401


def test_tokens_page_sends_anonymous_visitors_to_log_in(db: Any) -> None:
    response = Client().get("/account/tokens/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/account/tokens/")


def test_tokens_page_creates_a_token_and_shows_it_once(world: World) -> None:
    client = Client()
    client.force_login(world.people["viewer"])
    response = client.post("/account/tokens/", {"name": "Open data portal"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.people["viewer"], name="Open data portal")
    key = response.context["new_key"]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key in response.content.decode()
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    again = client.get("/account/tokens/")
    assert key not in again.content.decode()
    assert token.prefix in again.content.decode()


def test_tokens_page_refuses_a_blank_name(world: World) -> None:
    client = Client()
    client.force_login(world.people["viewer"])
    response = client.post("/account/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert not ApiToken.objects.filter(name="").exists()


def test_tokens_page_requires_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["viewer"])
    assert client.post("/account/tokens/", {"name": "x"}).status_code == 403


def test_person_revokes_own_token_but_not_anothers(world: World) -> None:
    mine, _ = create_token(user=world.people["viewer"], name="Mine")
    theirs, _ = create_token(user=world.people["editor"], name="Theirs")
    client = Client()
    client.force_login(world.people["viewer"])
    assert client.post(f"/account/tokens/{theirs.uuid}/revoke/").status_code == 404
    response = client.post(f"/account/tokens/{mine.uuid}/revoke/")
    assert (response.status_code, response["Location"]) == (302, "/account/tokens/")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.revoked_at is not None, theirs.revoked_at) == (True, None)


def test_cli_token_create_prints_a_working_token_last(db: Any, capsys: Any) -> None:
    make_person("lead@north.example")
    assert main(["token", "create", "lead@north.example", "--name", "Nightly export"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Created token 'Nightly export' for lead@north.example. It is shown only once:"
    token = ApiToken.objects.get(name="Nightly export")
    assert token.key_hash == hashlib.sha256(out[-1].encode()).hexdigest()


def test_cli_token_create_for_unknown_person_fails_with_a_message(db: Any, capsys: Any) -> None:
    assert main(["token", "create", "nobody@example.org"]) == 2
    assert capsys.readouterr().err == (
        "vertebra: nobody@example.org: no such person (create one with 'vertebra user create')\n"
    )
