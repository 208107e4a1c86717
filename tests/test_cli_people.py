"""The operator's commands for people, cities and tokens: user list/set-password/unlock,
city list, token list/revoke. Every bad argument: one line, exit status 2, nothing changed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from vertebra.accounts.models import User
from vertebra.api.models import ApiToken
from vertebra.api.tokens import create_token
from vertebra.cities.models import City, Membership
from vertebra.cli import main

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team() -> dict[str, User]:
    porto = City.objects.create(slug="porto", name="Porto")
    riga = City.objects.create(slug="riga", name="Riga")
    City.objects.create(slug="vejle", name="Vejle")
    ana = User.objects.create_user("ana@porto.example", "pw", name="Ana Costa")
    bo = User.objects.create_user("bo@riga.example", "pw")
    User.objects.create_user("cy@nowhere.example", "pw")
    Membership.objects.create(city=porto, user=ana, role="admin")
    Membership.objects.create(city=riga, user=ana, role="viewer")
    Membership.objects.create(city=riga, user=bo, role="editor")
    return {"ana": ana, "bo": bo}


def test_user_list_shows_everyone_with_their_cities_and_roles(capsys, team) -> None:
    assert run(capsys, "user", "list") == (
        0,
        "EMAIL               NAME       CITIES\n"
        "ana@porto.example   Ana Costa  porto (admin), riga (viewer)\n"
        "bo@riga.example     -          riga (editor)\n"
        "cy@nowhere.example  -          -\n",
        "",
    )


def test_user_list_of_one_city_shows_its_members_only(capsys, team) -> None:
    assert run(capsys, "user", "list", "--city", "riga") == (
        0,
        "EMAIL              NAME       CITIES\n"
        "ana@porto.example  Ana Costa  porto (admin), riga (viewer)\n"
        "bo@riga.example    -          riga (editor)\n",
        "",
    )


def test_user_list_of_an_unknown_city_is_refused(capsys, team) -> None:
    assert run(capsys, "user", "list", "--city", "oslo") == (
        2,
        "",
        "vertebra: --city oslo: no such city\n",
    )


def test_city_list_counts_members(capsys, team) -> None:
    assert run(capsys, "city", "list") == (
        0,
        "SLUG   MEMBERS  NAME\nporto        1  Porto\nriga         2  Riga\nvejle        0  Vejle\n",
        "",
    )


def test_set_password_checks_and_sets_it(capsys, monkeypatch, team) -> None:
    result = run(
        capsys,
        *("user", "set-password", "ANA@porto.example", "--password-stdin"),
        stdin="a-fresh-river-stone-42\n",
        monkeypatch=monkeypatch,
    )

    assert result == (0, "Set a new password for ana@porto.example\n", "")
    team["ana"].refresh_from_db()
    assert team["ana"].check_password("a-fresh-river-stone-42")


@pytest.mark.parametrize(
    ("email", "stdin", "error"),
    [
        (
            "ana@porto.example",
            "ana-costa\n",  # long enough, but like the name
            "vertebra: password: The password is too similar to the name.\n",
        ),
        (
            "ana@porto.example",
            "12345678901\n",
            "vertebra: password: This password is too "
            "common.\nvertebra: password: This password is entirely numeric.\n",
        ),
        ("ana@porto.example", "\n", "vertebra: no password on standard input\n"),
        (
            "nobody@porto.example",
            "a-fresh-river-stone-42\n",
            "vertebra: nobody@porto.example: no such person (create one with 'vertebra user "
            "create')\n",
        ),
    ],
)
def test_set_password_refuses_bad_input_and_changes_nothing(
    capsys, monkeypatch, team, email, stdin, error
) -> None:
    result = run(
        capsys,
        *("user", "set-password", email, "--password-stdin"),
        stdin=stdin,
        monkeypatch=monkeypatch,
    )

    assert result == (2, "", error)
    team["ana"].refresh_from_db()
    assert team["ana"].check_password("pw")


def test_unlock_forgets_the_failures_of_that_address_only(capsys, team) -> None:
    now = timezone.now()
    for username, agent in [("ana@porto.example", "A"), ("ana@porto.example", "B")]:
        AccessAttempt.objects.create(
            username=username,
            ip_address="192.0.2.7",
            user_agent=agent,
            failures_since_start=5,
            attempt_time=now,
            get_data="",
            post_data="",
            http_accept="",
            path_info="/login/",
        )
    AccessAttempt.objects.create(
        username="bo@riga.example",
        ip_address="192.0.2.7",
        user_agent="A",
        failures_since_start=3,
        attempt_time=now,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )

    assert run(capsys, "user", "unlock", " Ana@Porto.example") == (
        0,
        "Unlocked ana@porto.example: 10 failed sign-ins forgotten\n",
        "",
    )
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["bo@riga.example"]
    assert run(capsys, "user", "unlock", "ana@porto.example") == (
        0,
        "ana@porto.example was not locked: no recent failed sign-ins\n",
        "",
    )


def test_token_list_shows_no_secret_and_revoke_stops_a_token(capsys, team) -> None:
    token, key = create_token(user=team["ana"], name="Dashboard")
    created = timezone.localtime(token.created_at).strftime("%Y-%m-%d %H:%M")
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    )

    code, out, err = run(capsys, "token", "list", "ana@porto.example")
    assert (code, err) == (0, "")
    assert out == (
        f"{'ID':<36}  CREATED           LAST USED         STATE    NAME\n"
        f"{token.uuid}  {created}  2026-03-01 09:30  active   Dashboard\n"
    )
    assert key not in out and token.key_hash not in out

    assert run(capsys, "token", "revoke", "ana@porto.example", str(token.uuid)) == (
        0,
        "Revoked token 'Dashboard' of ana@porto.example\n",
        "",
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked  Dashboard" in run(capsys, "token", "list", "ana@porto.example")[1]


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["list", "nobody@x.example"], "nobody@x.example: no such person"),
        (["revoke", "nobody@x.example", "1"], "nobody@x.example: no such person"),
        (["revoke", "ana@porto.example", "12"], "12: not a token id"),
        (["revoke", "bo@riga.example", "TOKEN"], "has no such token"),
    ],
)
def test_token_commands_refuse_bad_arguments_in_one_line(capsys, team, argv, error) -> None:
    token, _ = create_token(user=team["ana"], name="Dashboard")
    argv = [str(token.uuid) if a == "TOKEN" else a for a in argv]

    code, out, err = run(capsys, "token", *argv)

    assert (code, out) == (2, "")
    assert err.startswith("vertebra: ") and error in err and err.count("\n") == 1
    token.refresh_from_db()
    assert token.revoked_at is None
