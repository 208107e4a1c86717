"""The city's team in the pages: people and roles, invitations, the invitation page, new cities."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.smtp import body_of
from tests.web.conftest import World, make_person
from vertebra.accounts.models import User
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, Membership, MembershipEvent
from vertebra.l10n import moment

pytestmark = pytest.mark.django_db

PEOPLE = "/cities/porto/people/"
DOWN = "smtp://127.0.0.1:9"  # nothing listens on the discard port


def _link(message: Any) -> str:
    found = re.search(r"http://testserver(/invitations/[^/\s]+/)", body_of(message))
    assert found is not None, body_of(message)
    return found.group(1)


def _events(city: City) -> list[tuple[str, str, str, str, str]]:
    return list(
        MembershipEvent.objects.filter(city=city)
        .order_by("id")
        .values_list("kind", "email", "role", "previous_role", "by_email")
    )


@pytest.mark.parametrize("persona", ["admin", "editor", "contributor", "viewer"])
def test_every_member_sees_the_people_with_name_email_and_role(world: World, persona: str) -> None:
    User.objects.filter(email="editor@porto.example").update(name="Eda Editor")
    html = world.client(persona).get(PEOPLE).content.decode()
    members = re.findall(
        r'<tr id="member-[^"]+">\s*<th scope="row">([^<]*)</th>\s*<td>([^<]*)', html
    )
    assert members == [
        ("—", "admin@porto.example"),
        ("—", "contributor@porto.example"),
        ("Eda Editor", "editor@porto.example"),
        ("—", "viewer@porto.example"),
    ]
    assert "riga" not in html
    assert ("Invite someone" in html) is (persona == "admin")
    assert ("Pending invitations" in html) is (persona == "admin")
    assert ("The team's history" in html) is (persona == "admin")


def test_the_city_page_links_to_the_people(world: World) -> None:
    html = world.client("viewer").get("/cities/porto/").content.decode()
    assert f'<a href="{PEOPLE}" id="people-link">People</a>' in html


def test_outsiders_get_404_and_anonymous_visitors_log_in(world: World) -> None:
    response = world.client("outsider").get(PEOPLE)
    assert response.status_code == 404
    assert "porto.example" not in response.content.decode()
    response = world.client("anonymous").get(PEOPLE)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={PEOPLE}")


def test_an_admin_invites_by_email_and_the_message_names_city_role_inviter_link_and_expiry(
    world: World, mail_server: Any
) -> None:
    User.objects.filter(email="admin@porto.example").update(name="Ana Admin")
    response = world.client("admin").post(
        PEOPLE + "invite/", {"email": " New@Porto.example ", "role": "editor"}, follow=True
    )
    assert response.redirect_chain == [(PEOPLE, 302)]
    assert "The invitation was sent to new@porto.example." in response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new@porto.example",
        "editor",
        world.people["admin"],
    )
    assert invitation.sent_at is not None
    [message] = mail_server.wait_for(1)
    assert message["To"] == "new@porto.example"
    assert message["Subject"] == "You are invited to Porto in Vertebra"
    body = body_of(message)
    assert "Ana Admin invites you to join Porto in Vertebra as Editor." in body
    assert f"The link works once, until {moment(invitation.expires_at)} UTC." in body
    link = _link(message)
    assert team.invitation_by_token(link.split("/")[2]) == invitation
    assert _events(world.city) == [
        ("invited", "new@porto.example", "editor", "", "admin@porto.example")
    ]
    html = response.content.decode()
    assert "new@porto.example" in html
    assert "not sent" not in html


def test_an_invitation_whose_mail_server_is_down_is_kept_as_not_sent(
    world: World, settings: Any
) -> None:
    from vertebra.mail import email_settings

    for name, value in email_settings(DOWN).items():
        setattr(settings, name, value)
    response = world.client("admin").post(
        PEOPLE + "invite/", {"email": "new@porto.example", "role": "viewer"}, follow=True
    )
    html = response.content.decode()
    assert "The invitation to new@porto.example is kept but its email could not be sent" in html
    assert "Send it again from the pending invitations." in html
    invitation = Invitation.objects.get()
    assert invitation.sent_at is None
    assert '<span class="badge badge--draft">not sent</span>' in html


def test_resending_sends_a_new_link_and_the_old_one_stops_working(
    world: World, mail_server: Any
) -> None:
    admin = world.client("admin")
    admin.post(PEOPLE + "invite/", {"email": "new@porto.example", "role": "viewer"})
    invitation = Invitation.objects.get()
    response = admin.post(PEOPLE + f"invitations/{invitation.uuid}/resend/")
    assert response.status_code == 302
    first, second = mail_server.wait_for(2)
    assert _link(first) != _link(second)
    assert Client().get(_link(first)).status_code == 404
    assert Client().get(_link(second)).status_code == 200


def test_withdrawing_an_invitation_makes_its_link_fail(world: World, mail_server: Any) -> None:
    admin = world.client("admin")
    admin.post(PEOPLE + "invite/", {"email": "new@porto.example", "role": "viewer"})
    invitation = Invitation.objects.get()
    response = admin.post(PEOPLE + f"invitations/{invitation.uuid}/withdraw/", follow=True)
    assert "The invitation to new@porto.example was withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    page = Client().get(_link(mail_server.wait_for(1)[0]))
    assert page.status_code == 404
    assert "This invitation link does not work" in page.content.decode()
    assert [e[0] for e in _events(world.city)] == ["invited", "invitation_withdrawn"]


def test_an_invalid_invitation_is_refused_by_field_and_nothing_is_written(world: World) -> None:
    response = world.client("admin").post(
        PEOPLE + "invite/", {"email": "not an address", "role": "owner"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice. owner is not one of the available choices." in html
    assert Invitation.objects.count() == 0
    response = world.client("admin").post(
        PEOPLE + "invite/", {"email": "editor@porto.example", "role": "viewer"}
    )
    assert response.status_code == 400
    assert "editor@porto.example is already a member of this city." in response.content.decode()
    assert (Invitation.objects.count(), MembershipEvent.objects.count()) == (0, 0)


def test_an_admin_changes_a_role_and_it_is_recorded(world: World) -> None:
    editor = Membership.objects.get(user=world.people["editor"])
    response = world.client("admin").post(PEOPLE + f"{editor.uuid}/role/", {"role": "viewer"})
    assert (response.status_code, response["Location"]) == (302, PEOPLE)
    editor.refresh_from_db()
    assert editor.role == "viewer"
    assert _events(world.city) == [
        ("role_changed", "editor@porto.example", "viewer", "editor", "admin@porto.example")
    ]


def test_the_last_admin_is_neither_demoted_nor_removed_with_a_message_in_place(
    world: World,
) -> None:
    own = Membership.objects.get(user=world.people["admin"])
    admin = world.client("admin")
    for path, data in ((f"{own.uuid}/role/", {"role": "editor"}), (f"{own.uuid}/remove/", {})):
        response = admin.post(PEOPLE + path, data)
        assert response.status_code == 409
        html = response.content.decode()
        assert (
            "<strong>Nothing was changed.</strong> admin@porto.example is the city&#x27;s last "
            "admin: make someone else admin first."
        ) in html
        assert 'id="members"' in html
    own.refresh_from_db()
    assert own.role == "admin"
    assert MembershipEvent.objects.count() == 0


def test_removing_a_person_asks_first_then_removes_and_records(world: World) -> None:
    viewer = Membership.objects.get(user=world.people["viewer"])
    admin = world.client("admin")
    page = admin.get(PEOPLE + f"{viewer.uuid}/remove/")
    assert "Remove viewer@porto.example (viewer@porto.example, Viewer) from Porto?" in (
        page.content.decode()
    )
    assert Membership.objects.filter(pk=viewer.pk).exists()
    response = admin.post(PEOPLE + f"{viewer.uuid}/remove/")
    assert (response.status_code, response["Location"]) == (302, PEOPLE)
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert _events(world.city) == [
        ("removed", "viewer@porto.example", "", "viewer", "admin@porto.example")
    ]
    assert world.client("viewer").get("/cities/porto/").status_code == 404


def test_a_member_of_another_city_is_not_found_through_this_city(world: World) -> None:
    other = Membership.objects.get(user=world.people["outsider"])
    response = world.client("admin").post(PEOPLE + f"{other.uuid}/role/", {"role": "viewer"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.role == "admin"


@pytest.mark.parametrize("persona", ["editor", "contributor", "viewer"])
def test_only_admins_change_the_team(world: World, persona: str) -> None:
    viewer = Membership.objects.get(user=world.people["viewer"])
    client = world.client(persona)
    for path, data in (
        ("invite/", {"email": "new@porto.example", "role": "viewer"}),
        (f"{viewer.uuid}/role/", {"role": "editor"}),
        (f"{viewer.uuid}/remove/", {}),
    ):
        response = client.post(PEOPLE + path, data)
        assert response.status_code == 403
        assert "Your role in this city does not allow this." in response.content.decode()
    assert Membership.objects.filter(city=world.city).count() == 4
    assert (Invitation.objects.count(), MembershipEvent.objects.count()) == (0, 0)


# --- the invitation page -------------------------------------------------------------------


def _invite(world: World, email: str, role: str = "editor") -> str:
    _invitation, token = team.invite(
        city=world.city, email=email, role=role, by=world.people["admin"]
    )
    return f"/invitations/{token}/"


def test_a_new_person_chooses_name_and_password_and_lands_in_the_city(world: World) -> None:
    link = _invite(world, "new@porto.example")
    visitor = Client()
    page = visitor.get(link).content.decode()
    assert "admin@porto.example invites you to Porto in Vertebra as Editor." in page
    assert "Riga" not in page and "Review 2026" not in page
    response = visitor.post(
        link,
        {"name": "Nina New", "password": "a-Long-pass-2026", "password_again": "a-Long-pass-2026"},
    )
    assert (response.status_code, response["Location"]) == (302, "/cities/porto/")
    person = User.objects.get(email="new@porto.example")
    assert (person.name, person.check_password("a-Long-pass-2026")) == ("Nina New", True)
    assert Membership.objects.get(user=person).role == "editor"
    assert "Nina New" in visitor.get(PEOPLE).content.decode()
    assert visitor.get(link).status_code == 404


def test_every_problem_with_name_and_password_is_shown_at_once(world: World) -> None:
    link = _invite(world, "nina.new@porto.example")
    response = Client().post(link, {"name": "", "password": "porto", "password_again": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.findall(r'<p class="field__error" id="id_(\w+)_error">([^<]*)</p>', html)
    assert errors == [
        ("name", "Please give your name."),
        ("password", "The password is too similar to the email address."),
        ("password", "This password is too short. It must contain at least 8 characters."),
        ("password_again", "The two passwords differ."),
    ]
    assert not User.objects.filter(email="nina.new@porto.example").exists()
    assert MembershipEvent.objects.filter(kind="joined").count() == 0


def test_an_overlong_name_and_password_are_refused_in_words(world: World) -> None:
    link = _invite(world, "new@porto.example")
    huge = "x" * 5000
    response = Client().post(link, {"name": huge, "password": huge, "password_again": huge})
    assert response.status_code == 400
    errors = re.findall(
        r'<p class="field__error" id="id_(\w+)_error">([^<]*)</p>', response.content.decode()
    )
    assert errors == [
        ("name", "At most 150 characters."),
        ("password", "Ensure this value has at most 4096 characters (it has 5000)."),
        ("password_again", "Ensure this value has at most 4096 characters (it has 5000)."),
    ]
    assert not User.objects.filter(email="new@porto.example").exists()


def test_an_existing_person_logs_in_and_accepts_with_one_button(world: World) -> None:
    person = make_person("known@riga.example")
    link = _invite(world, "known@riga.example", role="viewer")
    page = Client().get(link).content.decode()
    assert f'href="/login/?next={link}"' in page
    assert 'name="password"' not in page
    client = Client()
    client.force_login(person)
    assert "Accept the invitation" in client.get(link).content.decode()
    response = client.post(link)
    assert (response.status_code, response["Location"]) == (302, "/cities/porto/")
    assert Membership.objects.get(user=person, city=world.city).role == "viewer"


def test_someone_signed_in_with_another_address_cannot_accept(world: World) -> None:
    link = _invite(world, "new@porto.example")
    response = world.client("outsider").post(link)
    assert response.status_code == 409
    assert "This invitation is for new@porto.example" in response.content.decode()
    assert not Membership.objects.filter(user=world.people["outsider"], city=world.city).exists()


@pytest.mark.parametrize("state", ["unknown", "used", "expired", "withdrawn"])
def test_a_link_that_does_not_work_gets_one_clear_page(world: World, state: str) -> None:
    from django.utils import timezone

    link = _invite(world, "new@porto.example")
    invitation = Invitation.objects.get()
    if state == "unknown":
        link = "/invitations/not-a-token/"
    elif state == "used":
        team.accept(invitation=invitation, user=make_person("new@porto.example"))
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    else:
        team.withdraw(invitation=invitation, by=None)
    response = Client().get(link)
    assert response.status_code == 404
    html = response.content.decode()
    assert "This invitation link does not work" in html
    assert "Porto" not in html and "porto.example" not in html


# --- a new city by the instance's operator -------------------------------------------------


def test_the_operator_creates_a_city_and_its_first_admin_is_invited(
    world: World, mail_server: Any
) -> None:
    operator = User.objects.create_superuser("operator@example.org", "pw")
    client = Client()
    client.force_login(operator)
    assert 'href="/instance/cities/new/"' in client.get("/").content.decode()
    response = client.post(
        "/instance/cities/new/",
        {"slug": "bilbao", "name": "Bilbao", "country": "Spain", "admin_email": "lead@bilbao.eus"},
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    city = City.objects.get(slug="bilbao")
    assert (city.name, city.country) == ("Bilbao", "Spain")
    invitation = Invitation.objects.get(city=city)
    assert (invitation.email, invitation.role, invitation.sent_at is not None) == (
        "lead@bilbao.eus",
        "admin",
        True,
    )
    [message] = mail_server.wait_for(1)
    assert "join Bilbao in Vertebra as Admin." in body_of(message)


def test_a_new_city_with_problems_names_each_and_writes_nothing(world: World) -> None:
    operator = User.objects.create_superuser("operator@example.org", "pw")
    client = Client()
    client.force_login(operator)
    response = client.post(
        "/instance/cities/new/",
        {"slug": "Porto!", "name": " ", "country": "", "admin_email": "nobody"},
    )
    assert response.status_code == 400
    errors = re.findall(
        r'<p class="field__error" id="id_(\w+)_error">([^<]*)', response.content.decode()
    )
    assert errors == [
        (
            "slug",
            "&#x27;Porto!&#x27; is not a valid short name: use lower-case letters, digits and "
            "hyphens (at most 64), starting with a letter or digit",
        ),
        ("name", "the city&#x27;s name is empty"),
        ("admin_email", "&#x27;nobody&#x27; is not a valid email address."),
    ]
    assert (City.objects.count(), Invitation.objects.count()) == (2, 0)
    response = client.post(
        "/instance/cities/new/",
        {"slug": "porto", "name": "Porto", "country": "", "admin_email": "a@b.example"},
    )
    html = response.content.decode()
    assert "A city with the short name &#x27;porto&#x27; exists already." in html
    response = client.post(
        "/instance/cities/new/",
        {"slug": "bilbao", "name": "Bilbao", "country": "", "admin_email": " "},
    )
    assert "Give the first admin&#x27;s email address." in response.content.decode()
    assert (City.objects.count(), Invitation.objects.count()) == (2, 0)


@pytest.mark.parametrize("persona", ["admin", "viewer", "anonymous"])
def test_the_new_city_page_is_for_the_operator_only(world: World, persona: str) -> None:
    client = world.client(persona)
    assert 'href="/instance/cities/new/"' not in client.get("/").content.decode()
    response = client.post(
        "/instance/cities/new/",
        {"slug": "bilbao", "name": "Bilbao", "country": "", "admin_email": "lead@bilbao.eus"},
    )
    assert response.status_code == (401 if persona == "anonymous" else 404)
    assert not City.objects.filter(slug="bilbao").exists()


def test_the_people_page_takes_the_same_queries_however_large_the_team(world: World) -> None:
    admin = world.client("admin")
    admin.get(PEOPLE)  # the session's first request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(PEOPLE).status_code == 200
        return len(captured)

    small = queries()
    for n in range(6):
        person = make_person(f"member{n}@porto.example", world.city, "viewer")
        team.invite(city=world.city, email=f"guest{n}@porto.example", role="viewer", by=person)
    assert queries() == small
