"""The rules of a city's team, whatever the interface: single-use invitations that expire,
the last admin kept, every change recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vertebra.accounts.models import User
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, Membership, MembershipEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def city() -> City:
    return City.objects.create(slug="bristol", name="Bristol")


@pytest.fixture
def admin(city: City) -> User:
    user = User.objects.create_user("lead@bristol.example", "pw-long-enough-1", name="Lead")
    Membership.objects.create(city=city, user=user, role="admin")
    return user


def kinds(city: City) -> list[tuple[str, str, str, str]]:
    return [
        (e.kind, e.email, e.role, e.previous_role)
        for e in MembershipEvent.objects.filter(city=city).order_by("at", "id")
    ]


def test_an_invitation_link_works_once_and_only_its_secret_is_stored(
    city: City, admin: User
) -> None:
    invitation, token = team.invite(
        city=city, email=" Ana@Bristol.example ", role="editor", by=admin
    )
    assert invitation.email == "ana@bristol.example"
    assert token not in invitation.token_digest and invitation.token_digest == team.digest(token)
    assert team.invitation_by_token(token) == invitation
    user = team.join_as_new_person(invitation=invitation, name="Ana", password="a-Long-walk-42")
    assert user.check_password("a-Long-walk-42") and user.name == "Ana"
    assert Membership.objects.get(city=city, user=user).role == "editor"
    assert team.invitation_by_token(token) is None
    with pytest.raises(team.TeamError, match="used, withdrawn or has expired"):
        team.accept(invitation=invitation, user=admin)
    assert kinds(city) == [
        ("invited", "ana@bristol.example", "editor", ""),
        ("joined", "ana@bristol.example", "editor", ""),
    ]


def test_an_invitation_expires_after_seven_days(city: City, admin: User) -> None:
    invitation, token = team.invite(city=city, email="ana@bristol.example", role="viewer", by=admin)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert team.invitation_by_token(token) is None
    with pytest.raises(team.TeamError):
        team.accept(invitation=invitation, user=admin)
    assert not Membership.objects.filter(city=city, user__email="ana@bristol.example").exists()


def test_resending_makes_the_old_link_stop_working(city: City, admin: User) -> None:
    invitation, old = team.invite(city=city, email="ana@bristol.example", role="viewer", by=admin)
    new = team.resend(invitation=invitation, by=admin)
    assert team.invitation_by_token(old) is None
    assert team.invitation_by_token(new) == invitation
    again, newest = team.invite(city=city, email="ana@bristol.example", role="editor", by=admin)
    assert again.pk == invitation.pk and again.role == "editor"
    assert team.invitation_by_token(new) is None and team.invitation_by_token(newest) == again
    assert Invitation.objects.filter(city=city).count() == 1


def test_a_withdrawn_invitation_cannot_be_used(city: City, admin: User) -> None:
    invitation, token = team.invite(city=city, email="ana@bristol.example", role="viewer", by=admin)
    team.withdraw(invitation=invitation, by=admin)
    assert team.invitation_by_token(token) is None
    with pytest.raises(team.TeamError):
        team.withdraw(invitation=invitation, by=admin)
    assert kinds(city)[-1] == ("invitation_withdrawn", "ana@bristol.example", "viewer", "")


def test_a_new_persons_password_is_checked_against_their_own_email_and_name(
    city: City, admin: User
) -> None:
    invitation, _ = team.invite(
        city=city, email="anastasia@bristol.example", role="viewer", by=admin
    )
    with pytest.raises(ValidationError) as raised:
        team.join_as_new_person(invitation=invitation, name="", password="anastasia")
    assert set(raised.value.message_dict) == {"name", "password"}
    assert any("too similar" in m for m in raised.value.message_dict["password"])
    assert not User.objects.filter(email="anastasia@bristol.example").exists()
    invitation.refresh_from_db()
    assert invitation.is_open


def test_a_member_cannot_be_invited_again(city: City, admin: User) -> None:
    with pytest.raises(team.TeamError, match="already a member"):
        team.invite(city=city, email="LEAD@bristol.example", role="viewer", by=admin)
    with pytest.raises(team.TeamError, match="not a valid email"):
        team.invite(city=city, email="not an address", role="viewer", by=admin)
    with pytest.raises(team.TeamError, match="Unknown role"):
        team.invite(city=city, email="ana@bristol.example", role="owner", by=admin)
    assert not Invitation.objects.exists()


def test_the_last_admin_can_be_neither_demoted_nor_removed(city: City, admin: User) -> None:
    membership = Membership.objects.get(user=admin)
    with pytest.raises(team.LastAdminError, match="last admin"):
        team.change_role(membership=membership, role="editor", by=admin)
    with pytest.raises(team.LastAdminError):
        team.remove(membership=membership, by=admin)
    assert Membership.objects.get(user=admin).role == "admin"
    other = User.objects.create_user("ben@bristol.example", "x")
    second = Membership.objects.create(city=city, user=other, role="editor")
    team.change_role(membership=second, role="admin", by=admin)
    team.change_role(membership=membership, role="viewer", by=other)
    team.remove(membership=Membership.objects.get(user=admin), by=other)
    assert list(Membership.objects.filter(city=city).values_list("user__email", "role")) == [
        ("ben@bristol.example", "admin")
    ]
    assert kinds(city) == [
        ("role_changed", "ben@bristol.example", "admin", "editor"),
        ("role_changed", "lead@bristol.example", "viewer", "admin"),
        ("removed", "lead@bristol.example", "", "viewer"),
    ]
