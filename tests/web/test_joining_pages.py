"""The participant's pages: entering the code, joining without an account, rating."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.web.conftest import World
from vertebra.workshops import domain
from vertebra.workshops.models import Participant, Rating, Workshop

pytestmark = pytest.mark.django_db


def _open(world: World, title: str = "Leadership") -> Workshop:
    return domain.create_workshop(
        assessment=world.assessment,
        user=world.people["admin"],
        data={
            "title": title,
            "date": dt.date(2026, 5, 4),
            "policies": ["L1", "L2"],
            "stakeholder_types": list(world.city.stakeholder_types)[:2],
        },
    )


def _joined(workshop: Workshop, name: str = "Ana") -> Client:
    client = Client()
    response = client.post(
        f"/join/{workshop.join_code}/",
        {"name": name, "stakeholder_type": workshop.stakeholder_types[1]},
    )
    assert response.status_code == 302
    return client


def test_entering_a_code_as_typed_leads_to_its_join_page(world: World) -> None:
    response = Client().post("/join/", {"code": " abc-def "})
    assert (response.status_code, response["Location"]) == (302, "/join/ABCDEF/")


def test_joining_keeps_the_credential_in_the_session_and_leads_to_the_first_policy(
    world: World,
) -> None:
    workshop = _open(world)
    client = Client()
    response = client.post(
        f"/join/{workshop.join_code.lower()}/",
        {"name": " Ana ", "stakeholder_type": workshop.stakeholder_types[1]},
    )
    participant = Participant.objects.get()
    assert response["Location"] == f"/join/{workshop.join_code}/policies/L1/"
    assert (participant.workshop, participant.name, participant.stakeholder_type) == (
        workshop,
        "Ana",
        workshop.stakeholder_types[1],
    )
    key = client.session["workshop_credentials"][workshop.join_code]
    assert domain.digest(key) == participant.token_digest
    page = client.get(response["Location"])
    assert page.status_code == 200
    l1 = [c for c in domain.covered_codes(workshop) if c.startswith("L1")]
    assert [o["code"] for o in page.context["objectives"]] == l1
    assert len(l1) == 11


def test_joining_names_each_wrong_field_and_writes_nothing(world: World) -> None:
    workshop = _open(world)
    response = Client().post(
        f"/join/{workshop.join_code}/", {"name": "", "stakeholder_type": "Pirates"}
    )
    assert response.status_code == 400
    assert response.context["errors"] == {
        "name": "This field is required.",
        "stakeholder_type": "Choose one of this workshop's stakeholder types: "
        + ", ".join(workshop.stakeholder_types)
        + ".",
    }
    assert Participant.objects.count() == 0


def test_a_closed_and_an_unknown_code_get_the_same_page(world: World) -> None:
    workshop = _open(world)
    domain.close(workshop=workshop)
    pages = [
        Client().get(f"/join/{workshop.join_code}/"),
        Client().get("/join/ZZZZZZ/"),
        Client().post("/join/ZZZZZZ/", {"name": "Ana", "stakeholder_type": "x"}),
    ]
    assert [p.status_code for p in pages] == [404, 404, 404]
    texts = {p.content.decode().split('id="join-refused">')[1].split("<")[0] for p in pages}
    assert texts == {"No open workshop has this code. Check the code on the screen."}
    assert Participant.objects.count() == 0


def test_a_participant_rates_an_objective_as_through_the_api(world: World) -> None:
    workshop = _open(world)
    client = _joined(workshop)
    response = client.post(
        f"/join/{workshop.join_code}/objectives/L1S2/",
        {"status": "in_progress", "progress": "40", "comment": "Half done."},
    )
    assert response["Location"] == f"/join/{workshop.join_code}/policies/L1/#objective-L1S2"
    assert list(Rating.objects.values_list("objective_code", "status", "progress", "comment")) == [
        ("L1S2", "in_progress", 40, "Half done.")
    ]
    client.post(f"/join/{workshop.join_code}/objectives/L1S2/", {"status": "unknown"})
    assert list(Rating.objects.values_list("status", "progress", "comment")) == [
        ("unknown", None, "")
    ]


def test_a_wrong_rating_is_named_on_the_page_and_nothing_is_written(world: World) -> None:
    workshop = _open(world)
    client = _joined(workshop)
    response = client.post(
        f"/join/{workshop.join_code}/objectives/L1S2/",
        {"status": "in_progress", "progress": "250", "comment": "Typed."},
    )
    assert response.status_code == 400
    item = next(o for o in response.context["objectives"] if o["code"] == "L1S2")
    assert item["errors"] == {"progress": "Give a whole number from 0 to 100."}
    assert item["shown"]["comment"] == "Typed."
    assert Rating.objects.count() == 0


def test_a_participant_reaches_only_their_own_workshop(world: World) -> None:
    mine, other = _open(world, "Mine"), _open(world, "Other")
    client = _joined(mine)
    assert client.get(f"/join/{other.join_code}/policies/L1/")["Location"] == (
        f"/join/{other.join_code}/"
    )
    response = client.post(f"/join/{other.join_code}/objectives/L1S1/", {"status": "achieved"})
    assert response.status_code == 302
    assert Rating.objects.count() == 0
    # Nor the facilitator's pages, nor the API with the session.
    assert client.get(world.url(f"workshops/{mine.uuid}/")).status_code == 302
    assert client.get(world.url()).status_code == 302


def test_after_closing_the_participant_pages_say_so_and_take_no_rating(world: World) -> None:
    workshop = _open(world)
    client = _joined(workshop)
    domain.close(workshop=workshop)
    page = client.get(f"/join/{workshop.join_code}/policies/L1/")
    posted = client.post(f"/join/{workshop.join_code}/objectives/L1S1/", {"status": "achieved"})
    assert [page.status_code, posted.status_code] == [403, 403]
    assert "This workshop is closed" in posted.content.decode()
    assert Rating.objects.count() == 0


def test_an_objective_outside_the_workshop_is_not_found(world: World) -> None:
    workshop = _open(world)
    client = _joined(workshop)
    assert client.post(f"/join/{workshop.join_code}/objectives/P9S9/", {}).status_code == 404
    assert client.get(f"/join/{workshop.join_code}/policies/P9/").status_code == 404
    assert Rating.objects.count() == 0
