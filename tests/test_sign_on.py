"""Single sign-on's rules: who may come in through the identity provider (matched by a verified
email address), what is made for an invited person, and the configuration's checks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from vertebra.accounts.models import User
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, Membership, MembershipEvent
from vertebra.cities.sign_on import name_from, person_for_sign_on, verified_email
from vertebra.sso import OIDCConfig, SSOConfigError, oidc_config


@pytest.fixture
def city() -> City:
    return City.objects.create(slug="bristol", name="Bristol")


@pytest.fixture
def admin(city: City) -> User:
    user = User.objects.create_user("lead@bristol.example", "pw-long-enough-1", name="Lead")
    Membership.objects.create(city=city, user=user, role="admin")
    return user


def claims(email: str, verified: object = True, **more: object) -> dict[str, object]:
    return {"sub": "abc", "email": email, "email_verified": verified, **more}


def written() -> tuple[list[str], list[tuple[str, str, str]], list[tuple[str, str]]]:
    return (
        sorted(User.objects.values_list("email", flat=True)),
        sorted(Membership.objects.values_list("city__slug", "user__email", "role")),
        sorted(MembershipEvent.objects.values_list("kind", "email")),
    )


# --- matching -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_existing_account_signs_in_by_its_verified_address_in_any_case(admin: User) -> None:
    before = written()

    assert person_for_sign_on(claims=claims(" Lead@Bristol.EXAMPLE ")) == admin
    assert written() == before


@pytest.mark.django_db
def test_an_invited_address_gets_an_account_without_password_and_joins_every_inviting_city(
    city: City, admin: User
) -> None:
    other = City.objects.create(slug="vejle", name="Vejle")
    team.invite(city=city, email="new@bristol.example", role="editor", by=admin)
    team.invite(city=other, email="New@Bristol.example", role="viewer", by=None)

    person = person_for_sign_on(claims=claims("NEW@bristol.example", name="  Nora\nNew "))

    assert person is not None
    assert (person.email, person.name, person.has_usable_password()) == (
        "new@bristol.example",
        "Nora New",
        False,
    )
    assert sorted(person.memberships.values_list("city__slug", "role")) == [
        ("bristol", "editor"),
        ("vejle", "viewer"),
    ]
    assert list(
        Invitation.objects.filter(accepted_by=person)
        .order_by("city__slug")
        .values_list("city__slug", flat=True)
    ) == ["bristol", "vejle"]
    assert team.open_invitations_to("new@bristol.example").count() == 0


@pytest.mark.django_db
def test_an_existing_account_with_an_open_invitation_joins_that_city(
    city: City, admin: User
) -> None:
    person = User.objects.create_user("known@bristol.example", "pw-long-enough-1")
    team.invite(city=city, email=person.email, role="contributor", by=admin)

    assert person_for_sign_on(claims=claims(person.email)) == person
    assert list(person.memberships.values_list("city__slug", "role")) == [
        ("bristol", "contributor")
    ]


@pytest.mark.django_db
def test_a_superuser_signs_in_only_with_an_existing_account() -> None:
    root = User.objects.create_superuser("root@instance.example", "pw-long-enough-1")

    assert person_for_sign_on(claims=claims("root@instance.example")) == root
    assert person_for_sign_on(claims=claims("other-root@instance.example")) is None
    assert sorted(User.objects.values_list("email", flat=True)) == ["root@instance.example"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refused",
    [
        claims("stranger@elsewhere.example"),
        claims("new@bristol.example", verified=False),
        claims("new@bristol.example", verified="false"),
        claims("new@bristol.example", verified=1),
        {"sub": "abc", "email": "new@bristol.example"},
        claims("lead@bristol.example", verified=None),
        claims("not an address"),
        claims(""),
        {"sub": "abc", "email": ["new@bristol.example"], "email_verified": True},
        {"sub": "abc", "email_verified": True},
    ],
)
def test_an_unknown_or_unverified_address_is_refused_and_nothing_is_written(
    city: City, admin: User, refused: dict[str, object]
) -> None:
    team.invite(city=city, email="new@bristol.example", role="editor", by=admin)
    before = written()

    assert person_for_sign_on(claims=refused) is None
    assert written() == before
    assert team.open_invitations_to("new@bristol.example").count() == 1


@pytest.mark.django_db
def test_an_expired_or_withdrawn_invitation_makes_no_account(city: City, admin: User) -> None:
    expired, _ = team.invite(city=city, email="late@bristol.example", role="editor", by=admin)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    withdrawn, _ = team.invite(city=city, email="gone@bristol.example", role="editor", by=admin)
    team.withdraw(invitation=withdrawn, by=admin)
    before = written()

    assert person_for_sign_on(claims=claims("late@bristol.example")) is None
    assert person_for_sign_on(claims=claims("gone@bristol.example")) is None
    assert written() == before


@pytest.mark.django_db
def test_an_invitation_used_up_a_moment_ago_leaves_no_account_behind(
    city: City, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    team.invite(city=city, email="race@bristol.example", role="editor", by=admin)
    accept = team.accept

    def withdrawn_meanwhile(*, invitation: Invitation, user: User) -> Membership:
        team.withdraw(invitation=invitation, by=admin)
        return accept(invitation=invitation, user=user)

    monkeypatch.setattr(team, "accept", withdrawn_meanwhile)
    before = written()

    assert person_for_sign_on(claims=claims("race@bristol.example")) is None
    assert written() == before


@pytest.mark.django_db
def test_an_inactive_account_is_refused_and_does_not_join(city: City, admin: User) -> None:
    person = User.objects.create_user("off@bristol.example", "pw-long-enough-1", is_active=False)
    team.invite(city=city, email=person.email, role="editor", by=admin)

    assert person_for_sign_on(claims=claims(person.email)) is None
    assert person.memberships.count() == 0


def test_verified_email_accepts_the_providers_ways_of_saying_true() -> None:
    assert verified_email(claims("a@b.example", verified="TRUE")) == "a@b.example"
    # Microsoft Entra ID: the address's domain is verified by its owner.
    assert verified_email({"email": "A@B.example", "xms_edov": True}) == "a@b.example"
    assert verified_email({"email": "a@b.example", "xms_edov": False}) is None


def test_the_name_comes_from_name_or_given_and_family_names() -> None:
    assert name_from({"name": "Ada Lovelace"}) == "Ada Lovelace"
    assert name_from({"given_name": "Ada", "family_name": "Lovelace"}) == "Ada Lovelace"
    assert name_from({"name": "x" * 400}) == "x" * 150
    assert name_from({}) == ""


# --- configuration ------------------------------------------------------------------------

FULL = {
    "VERTEBRA_OIDC_ISSUER": "https://login.example.org/realms/city/",
    "VERTEBRA_OIDC_CLIENT_ID": "vertebra",
    "VERTEBRA_OIDC_CLIENT_SECRET": "s3cret",
}


def test_single_sign_on_is_off_when_nothing_is_set() -> None:
    assert oidc_config({}) is None
    assert oidc_config({"VERTEBRA_OIDC_ISSUER": "  "}) is None


def test_a_full_configuration_is_read_with_the_default_label() -> None:
    assert oidc_config(FULL) == OIDCConfig(
        issuer="https://login.example.org/realms/city",
        client_id="vertebra",
        client_secret="s3cret",
        button="single sign-on",
    )
    assert oidc_config({**FULL, "VERTEBRA_OIDC_BUTTON": "City account"}).button == "City account"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"VERTEBRA_OIDC_ISSUER": "https://login.example.org"},
            "Single sign-on needs VERTEBRA_OIDC_ISSUER, VERTEBRA_OIDC_CLIENT_ID, "
            "VERTEBRA_OIDC_CLIENT_SECRET: VERTEBRA_OIDC_CLIENT_ID, VERTEBRA_OIDC_CLIENT_SECRET "
            "are not set.",
        ),
        (
            {**FULL, "VERTEBRA_OIDC_CLIENT_SECRET": ""},
            "Single sign-on needs VERTEBRA_OIDC_ISSUER, VERTEBRA_OIDC_CLIENT_ID, "
            "VERTEBRA_OIDC_CLIENT_SECRET: VERTEBRA_OIDC_CLIENT_SECRET is not set.",
        ),
        (
            {"VERTEBRA_OIDC_BUTTON": "City"},
            "VERTEBRA_OIDC_BUTTON is set, but VERTEBRA_OIDC_ISSUER is not.",
        ),
        (
            {**FULL, "VERTEBRA_OIDC_ISSUER": "login.example.org"},
            "VERTEBRA_OIDC_ISSUER must be an https:// address, not 'login.example.org'.",
        ),
        (
            {**FULL, "VERTEBRA_OIDC_ISSUER": "http://login.example.org"},
            "VERTEBRA_OIDC_ISSUER must be an https:// address (plain http only on this "
            "machine), not 'http://login.example.org'.",
        ),
        (
            {**FULL, "VERTEBRA_OIDC_ISSUER": "https://login.example.org/?tenant=1"},
            "VERTEBRA_OIDC_ISSUER must have no query or fragment: "
            "'https://login.example.org/?tenant=1'.",
        ),
        (
            {**FULL, "VERTEBRA_OIDC_CLIENT_ID": "a\x00b"},
            "VERTEBRA_OIDC_CLIENT_ID holds a control character.",
        ),
        (
            {**FULL, "VERTEBRA_OIDC_BUTTON": "x" * 61},
            "VERTEBRA_OIDC_BUTTON must be at most 60 characters long.",
        ),
    ],
)
def test_a_bad_configuration_is_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SSOConfigError) as raised:
        oidc_config(environ)
    assert str(raised.value) == message


def test_a_command_stops_with_the_variable_named_and_no_traceback(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "VERTEBRA_DATA_DIR": str(tmp_path),
        "VERTEBRA_OIDC_ISSUER": "https://login.example.org",
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "vertebra"), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "vertebra: Single sign-on needs VERTEBRA_OIDC_ISSUER, VERTEBRA_OIDC_CLIENT_ID, "
        "VERTEBRA_OIDC_CLIENT_SECRET: VERTEBRA_OIDC_CLIENT_ID, VERTEBRA_OIDC_CLIENT_SECRET "
        "are not set.\n"
    )
