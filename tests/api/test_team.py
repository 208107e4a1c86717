"""The city's team in the API: members and their roles, invitations (admins only)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.api.conftest import FORBIDDEN, INVALID, NO_CITY, World, error
from tests.smtp import body_of
from vertebra.cities import team
from vertebra.cities.models import Invitation, Membership, MembershipEvent

pytestmark = pytest.mark.django_db

MEMBERS = "/api/v1/cities/north/members"
INVITATIONS = "/api/v1/cities/north/invitations"
DOWN = "smtp://127.0.0.1:9"


def _send(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def _uuid(world: World, persona: str) -> str:
    return str(Membership.objects.get(city=world.city, user=world.people[persona]).uuid)


def test_members_list_each_with_url_email_name_and_role(world: World) -> None:
    world.people["editor"].name = "Eda Editor"
    world.people["editor"].save()
    data = world.client("admin").get(MEMBERS).json()
    assert data["count"] == 4
    assert [(m["email"], m["name"], m["role"]) for m in data["results"]] == [
        ("admin@north.example", "", "admin"),
        ("contributor@north.example", "", "contributor"),
        ("editor@north.example", "Eda Editor", "editor"),
        ("viewer@north.example", "", "viewer"),
    ]
    editor = data["results"][2]
    assert editor["id"] == _uuid(world, "editor")
    assert editor["url"] == world.url(f"{MEMBERS}/{editor['id']}")
    assert world.client("admin").get(editor["url"]).json() == editor


def test_changing_a_role_answers_the_member_and_records_it(world: World) -> None:
    member = _uuid(world, "viewer")
    response = _send(world.client("admin"), "PATCH", f"{MEMBERS}/{member}", {"role": "editor"})
    assert response.status_code == 200
    assert (response.json()["email"], response.json()["role"]) == ("viewer@north.example", "editor")
    assert Membership.objects.get(uuid=member).role == "editor"
    assert list(MembershipEvent.objects.values_list("kind", "role", "previous_role")) == [
        ("role_changed", "editor", "viewer")
    ]


def test_an_unknown_role_is_refused_by_field(world: World) -> None:
    member = _uuid(world, "viewer")
    response = _send(world.client("admin"), "PATCH", f"{MEMBERS}/{member}", {"role": "owner"})
    assert response.status_code == 422
    assert set(response.json()["details"]) == {"role"}
    assert Membership.objects.get(uuid=member).role == "viewer"


def test_removing_a_member_is_204_and_recorded(world: World) -> None:
    member = _uuid(world, "viewer")
    response = _send(world.client("admin"), "DELETE", f"{MEMBERS}/{member}")
    assert (response.status_code, response.content) == (204, b"")
    assert not Membership.objects.filter(uuid=member).exists()
    assert list(MembershipEvent.objects.values_list("kind", "email", "previous_role")) == [
        ("removed", "viewer@north.example", "viewer")
    ]


@pytest.mark.parametrize(("method", "body"), [("PATCH", {"role": "viewer"}), ("DELETE", None)])
def test_the_last_admin_is_409_and_nothing_changes(world: World, method: str, body: Any) -> None:
    own = _uuid(world, "admin")
    response = _send(world.client("admin"), method, f"{MEMBERS}/{own}", body)
    assert (response.status_code, response.json()) == (
        409,
        error(
            "last_admin",
            "admin@north.example is the city's last admin: make someone else admin first.",
        ),
    )
    assert Membership.objects.get(uuid=own).role == "admin"
    assert MembershipEvent.objects.count() == 0


def test_another_citys_member_is_not_found(world: World) -> None:
    other = str(Membership.objects.get(user=world.people["outsider"]).uuid)
    response = _send(world.client("admin"), "PATCH", f"{MEMBERS}/{other}", {"role": "viewer"})
    assert response.status_code == 404
    assert Membership.objects.get(uuid=other).role == "admin"


def test_inviting_is_201_with_location_and_the_email_is_sent(
    world: World, mail_server: Any
) -> None:
    response = _send(
        world.client("admin"), "POST", INVITATIONS, {"email": "New@North.example", "role": "editor"}
    )
    assert response.status_code == 201
    data = response.json()
    invitation = Invitation.objects.get()
    assert response["Location"] == data["url"] == world.url(f"{INVITATIONS}/{invitation.uuid}")
    assert (data["email"], data["role"], data["invited_by"], data["sent"]) == (
        "new@north.example",
        "editor",
        "admin@north.example",
        True,
    )
    assert data["send_problem"] is None
    [message] = mail_server.wait_for(1)
    link = re.search(r"http://testserver/invitations/([^/\s]+)/", body_of(message))
    assert link is not None
    assert team.invitation_by_token(link.group(1)) == invitation
    listed = world.client("admin").get(INVITATIONS).json()
    assert [i["email"] for i in listed["results"]] == ["new@north.example"]
    assert world.client("admin").get(data["url"]).json()["id"] == str(invitation.uuid)


def test_a_mail_server_that_is_down_still_gives_201_with_sent_false(
    world: World, settings: Any
) -> None:
    from vertebra.mail import email_settings

    for name, value in email_settings(DOWN).items():
        setattr(settings, name, value)
    response = _send(
        world.client("admin"), "POST", INVITATIONS, {"email": "new@north.example", "role": "viewer"}
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["sent"], data["sent_at"]) == (False, None)
    assert data["send_problem"].startswith(
        "The invitation to new@north.example is kept but its email could not be sent"
    )
    assert Invitation.objects.get().sent_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not an address", "role": "viewer"}, "email"),
        ({"email": "editor@north.example", "role": "viewer"}, "email"),
        ({"email": "new@north.example", "role": "owner"}, "role"),
        ({"email": "new@north.example", "role": "viewer", "extra": 1}, "extra"),
    ],
)
def test_a_bad_invitation_names_the_field_and_writes_nothing(
    world: World, body: dict[str, Any], field: str
) -> None:
    response = _send(world.client("admin"), "POST", INVITATIONS, body)
    assert response.status_code == 422
    assert response.json()["detail"] == INVALID
    assert list(response.json()["details"]) == [field]
    assert (Invitation.objects.count(), MembershipEvent.objects.count()) == (0, 0)


def test_withdrawing_an_invitation_is_204_and_its_link_stops_working(world: World) -> None:
    invitation, token = team.invite(
        city=world.city, email="new@north.example", role="viewer", by=None
    )
    response = _send(world.client("admin"), "DELETE", f"{INVITATIONS}/{invitation.uuid}")
    assert response.status_code == 204
    assert team.invitation_by_token(token) is None
    assert MembershipEvent.objects.filter(kind="invitation_withdrawn").count() == 1
    # Withdrawing again changes nothing: 204, and no second event.
    again = _send(world.client("admin"), "DELETE", f"{INVITATIONS}/{invitation.uuid}")
    assert (again.status_code, again.content) == (204, b"")
    assert MembershipEvent.objects.filter(kind="invitation_withdrawn").count() == 1
    assert world.client("admin").get(f"{INVITATIONS}/{invitation.uuid}").status_code == 404


def test_an_accepted_invitation_cannot_be_withdrawn(world: World) -> None:
    invitation, _token = team.invite(
        city=world.city, email="new@north.example", role="viewer", by=None
    )
    team.join_as_new_person(invitation=invitation, name="Nia", password="a-long-pass-2026")
    response = _send(world.client("admin"), "DELETE", f"{INVITATIONS}/{invitation.uuid}")
    assert (response.status_code, response.json()) == (
        409,
        error("conflict", "This invitation was accepted or withdrawn already."),
    )
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_another_citys_invitation_is_not_found(world: World) -> None:
    theirs, _token = team.invite(
        city=world.other_city, email="new@south.example", role="viewer", by=None
    )
    for method in ("GET", "DELETE"):
        response = _send(world.client("admin"), method, f"{INVITATIONS}/{theirs.uuid}")
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


@pytest.mark.parametrize("persona", ["editor", "contributor", "viewer", "outsider"])
def test_only_the_citys_admins_reach_the_team(world: World, persona: str) -> None:
    invitation, _token = team.invite(
        city=world.city, email="new@north.example", role="viewer", by=None
    )
    member = _uuid(world, "viewer")
    client = world.client(persona)
    expected = (404, NO_CITY) if persona == "outsider" else (403, FORBIDDEN)
    for method, path, body in (
        ("GET", MEMBERS, None),
        ("GET", f"{MEMBERS}/{member}", None),
        ("PATCH", f"{MEMBERS}/{member}", {"role": "admin"}),
        ("DELETE", f"{MEMBERS}/{member}", None),
        ("GET", INVITATIONS, None),
        ("GET", f"{INVITATIONS}/{invitation.uuid}", None),
        ("POST", INVITATIONS, {"email": "x@north.example", "role": "admin"}),
        ("POST", f"{INVITATIONS}/{invitation.uuid}/resend", None),
        ("DELETE", f"{INVITATIONS}/{invitation.uuid}", None),
    ):
        response = _send(client, method, path, body)
        assert (response.status_code, response.json()) == expected, (method, path)
    assert Membership.objects.get(uuid=member).role == "viewer"
    assert Invitation.objects.filter(withdrawn_at=None).count() == 1
    assert MembershipEvent.objects.count() == 1


def test_resending_sends_a_new_link_and_the_old_one_stops_working(
    world: World, mail_server: Any
) -> None:
    invitation, old = team.invite(
        city=world.city, email="new@north.example", role="viewer", by=None
    )
    response = _send(world.client("admin"), "POST", f"{INVITATIONS}/{invitation.uuid}/resend")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["sent"]) == (str(invitation.uuid), True)
    [message] = mail_server.wait_for(1)
    link = re.search(r"http://testserver/invitations/([^/\s]+)/", body_of(message))
    assert link is not None and link.group(1) != old
    assert team.invitation_by_token(old) is None
    assert team.invitation_by_token(link.group(1)) == invitation
    assert list(MembershipEvent.objects.values_list("kind", "by_email")) == [
        ("invitation_resent", "admin@north.example"),
        ("invited", ""),
    ]
