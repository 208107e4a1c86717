"""The participant's pages: the revealed results, and city members joining with their account."""

from __future__ import annotations

import datetime as dt
import html as markup
import re

import pytest
from django.test import Client

from tests.web.conftest import World
from vertebra.workshops import domain
from vertebra.workshops.models import Participant, Rating, Workshop

pytestmark = pytest.mark.django_db


def _open(world: World, title: str = "Leadership", *, anonymous: bool = False) -> Workshop:
    return domain.create_workshop(
        assessment=world.assessment,
        user=world.people["admin"],
        data={
            "title": title,
            "date": dt.date(2026, 5, 4),
            "policies": ["L1", "L2"],
            "stakeholder_types": list(world.city.stakeholder_types)[:2],
            "anonymous": anonymous,
        },
    )


def _joined(workshop: Workshop, name: str, kind: int = 0, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post(
        f"/join/{workshop.join_code}/",
        {"name": name, "stakeholder_type": workshop.stakeholder_types[kind]},
    )
    assert response.status_code == 302
    return client


def _rate(client: Client, workshop: Workshop, code: str, status: str) -> None:
    response = client.post(f"/join/{workshop.join_code}/objectives/{code}/", {"status": status})
    assert response.status_code == 302


def _results_of(html: str, code: str) -> str:
    """The text of one objective's results section, tags and extra spaces removed."""
    found = re.search(
        rf'<section class="rate-results" id="results-{code}".*?</section>', html, re.S
    )
    assert found is not None, f"no results shown for {code}"
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


# --- the revealed results ---------------------------------------------------------------------


def _three_ratings(world: World, *, anonymous: bool = False) -> tuple[Workshop, Client]:
    workshop = _open(world, anonymous=anonymous)
    ana = _joined(workshop, "Ana Ferreira")
    ben = _joined(workshop, "Ben Okafor", kind=1)
    cy = _joined(workshop, "Cy Lindqvist", kind=1)
    _rate(ana, workshop, "L1S1", "achieved")
    _rate(ben, workshop, "L1S1", "achieved")
    _rate(cy, workshop, "L1S1", "not_started")
    _rate(ana, workshop, "L1S2", "in_progress")
    _rate(ben, workshop, "L1S2", "unknown")
    return workshop, ana


def test_before_the_reveal_a_participant_sees_only_their_own_ratings(world: World) -> None:
    workshop, ana = _three_ratings(world)
    page = ana.get(f"/join/{workshop.join_code}/policies/L1/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="rate-results"' not in html
    assert 'id="results-hidden"' in html
    assert [o.get("result") for o in page.context["objectives"]] == [None] * 11


def test_after_the_reveal_each_objective_shows_everyones_ratings(world: World) -> None:
    workshop, ana = _three_ratings(world)
    domain.reveal(workshop=workshop)
    html = ana.get(f"/join/{workshop.join_code}/policies/L1/").content.decode()
    assert 'id="results-revealed"' in html
    assert _results_of(html, "L1S1") == (
        "Everyone's ratings of L1S1 Not started: 1 In progress: 0 Achieved: 2 "
        "Not applicable: 0 Don't know: 0 3 ratings · Agreement: 67 % · To discuss"
    )
    assert _results_of(html, "L1S2") == (
        "Everyone's ratings of L1S2 Not started: 0 In progress: 1 Achieved: 0 "
        "Not applicable: 0 Don't know: 1 2 ratings · Agreement: 100 %"
    )
    assert _results_of(html, "L1M1") == (
        "Everyone's ratings of L1M1 Nobody has rated this objective yet."
    )
    # Only the objectives of the policy shown.
    assert len(re.findall(r'class="rate-results"', html)) == 11


def test_a_revealed_page_still_takes_ratings_and_shows_them_in_the_results(world: World) -> None:
    workshop, ana = _three_ratings(world)
    domain.reveal(workshop=workshop)
    _rate(ana, workshop, "L1S1", "not_started")
    html = ana.get(f"/join/{workshop.join_code}/policies/L1/").content.decode()
    assert _results_of(html, "L1S1").startswith(
        "Everyone's ratings of L1S1 Not started: 2 In progress: 0 Achieved: 1"
    )
    assert Rating.objects.filter(objective_code="L1S1", status="not_started").count() == 2


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_results_never_show_another_participants_name(world: World, anonymous: bool) -> None:
    workshop, ana = _three_ratings(world, anonymous=anonymous)
    domain.reveal(workshop=workshop)
    html = ana.get(f"/join/{workshop.join_code}/policies/L1/").content.decode()
    assert "Ana Ferreira" in html  # their own, at the top
    assert ("Ben Okafor" in html, "Cy Lindqvist" in html, "Okafor" in html) == (
        False,
        False,
        False,
    )


def test_the_results_are_of_this_workshop_only(world: World) -> None:
    workshop, ana = _three_ratings(world)
    other = _open(world, "Other")
    _rate(_joined(other, "Di"), other, "L1M1", "achieved")
    domain.reveal(workshop=workshop)
    html = ana.get(f"/join/{workshop.join_code}/policies/L1/").content.decode()
    assert _results_of(html, "L1M1") == (
        "Everyone's ratings of L1M1 Nobody has rated this objective yet."
    )


# --- city members joining with their account -------------------------------------------------


def test_a_city_member_joins_under_their_accounts_name_choosing_a_type(world: World) -> None:
    workshop = _open(world)
    member = world.people["viewer"]
    member.name = "Vera Viewer"
    member.save()
    client = world.client("viewer")
    page = client.get(f"/join/{workshop.join_code}/")
    html = page.content.decode()
    assert 'name="name"' not in html
    assert "You join with your account, as Vera Viewer." in html
    response = client.post(
        f"/join/{workshop.join_code}/",
        {"name": "Someone Else", "stakeholder_type": workshop.stakeholder_types[1]},
    )
    assert response["Location"] == f"/join/{workshop.join_code}/policies/L1/"
    assert list(Participant.objects.values_list("name", "stakeholder_type", "member")) == [
        ("Vera Viewer", workshop.stakeholder_types[1], member.pk)
    ]


def test_a_member_without_a_name_joins_under_their_email(world: World) -> None:
    workshop = _open(world)
    _joined(workshop, "", client=world.client("editor"))
    assert list(Participant.objects.values_list("name", "member")) == [
        ("editor@porto.example", world.people["editor"].pk)
    ]


def test_a_member_must_still_choose_a_stakeholder_type(world: World) -> None:
    workshop = _open(world)
    response = world.client("editor").post(f"/join/{workshop.join_code}/", {})
    assert response.status_code == 400
    assert response.context["errors"] == {
        "stakeholder_type": "Choose one of this workshop's stakeholder types: "
        + ", ".join(workshop.stakeholder_types)
        + "."
    }
    assert Participant.objects.count() == 0


def test_a_member_who_joins_again_gets_their_ratings_back_not_a_second_participant(
    world: World,
) -> None:
    workshop = _open(world)
    first = _joined(workshop, "", kind=1, client=world.client("contributor"))
    _rate(first, workshop, "L1S1", "achieved")
    old_key = first.session["workshop_credentials"][workshop.join_code]

    # Another browser (a phone) of the same person.
    phone = world.client("contributor")
    page = phone.get(f"/join/{workshop.join_code}/")
    assert 'id="join-again"' in page.content.decode()
    assert page.context["earlier"] == Participant.objects.get()
    response = phone.post(f"/join/{workshop.join_code}/", {})
    assert response["Location"] == f"/join/{workshop.join_code}/policies/L1/"
    rating_page = phone.get(response["Location"])
    shown = {o["code"]: o["shown"]["status"] for o in rating_page.context["objectives"]}
    assert shown["L1S1"] == "achieved"
    participant = Participant.objects.get()
    assert (participant.stakeholder_type, participant.member) == (
        workshop.stakeholder_types[1],
        world.people["contributor"],
    )
    assert Rating.objects.count() == 1
    # The credential was renewed: the first browser's one stops working.
    assert participant.token_digest != domain.digest(old_key)
    assert first.get(f"/join/{workshop.join_code}/policies/L1/")["Location"] == (
        f"/join/{workshop.join_code}/"
    )


def test_a_person_of_another_city_joins_as_a_guest(world: World) -> None:
    workshop = _open(world)
    client = world.client("outsider")
    page = client.get(f"/join/{workshop.join_code}/")
    assert 'name="name"' in page.content.decode()
    _joined(workshop, "Olga from Riga", client=client)
    _joined(workshop, "Olga again", client=world.client("outsider"))
    assert list(Participant.objects.values_list("name", "member")) == [
        ("Olga from Riga", None),
        ("Olga again", None),
    ]


def test_a_members_credential_reaches_only_this_workshops_rating_pages(world: World) -> None:
    mine, other = _open(world, "Mine"), _open(world, "Other")
    client = world.client("viewer")
    _joined(mine, "", client=client)
    assert client.get(f"/join/{mine.join_code}/policies/L1/").status_code == 200
    assert client.get(f"/join/{other.join_code}/policies/L1/")["Location"] == (
        f"/join/{other.join_code}/"
    )
    posted = client.post(f"/join/{other.join_code}/objectives/L1S1/", {"status": "achieved"})
    assert posted.status_code == 302
    assert Rating.objects.count() == 0
    # A viewer stays a viewer: the facilitator's page is still refused.
    assert client.get(world.url(f"workshops/{mine.uuid}/")).status_code == 403


@pytest.mark.parametrize(
    ("persona", "with_account"),
    [
        ("admin", True),
        ("editor", True),
        ("contributor", True),
        ("viewer", True),
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_who_joins_with_their_account_by_persona(
    world: World, persona: str, with_account: bool
) -> None:
    workshop = _open(world)
    client = world.client(persona)
    form = client.get(f"/join/{workshop.join_code}/").content.decode()
    assert ('name="name"' not in form) is with_account
    _joined(workshop, "Typed Name", client=client)
    participant = Participant.objects.get()
    expected = world.people[persona] if with_account else None
    name = world.people[persona].email if with_account else "Typed Name"
    assert (participant.member, participant.name) == (expected, name)
