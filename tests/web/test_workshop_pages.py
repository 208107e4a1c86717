"""The facilitator's workshop pages: opening, the list, the workshop with its join code."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.conftest import World
from vertebra.workshops import domain
from vertebra.workshops.models import Workshop

pytestmark = pytest.mark.django_db


def _open(world: World, **data: object) -> Workshop:
    return domain.create_workshop(
        assessment=world.assessment,
        user=world.people["admin"],
        data={
            "title": "Leadership",
            "date": dt.date(2026, 5, 4),
            "policies": ["L1"],
            "stakeholder_types": list(world.city.stakeholder_types)[:2],
            **data,
        },
    )


def test_editor_opens_a_workshop_and_is_sent_to_its_page(world: World) -> None:
    kinds = list(world.city.stakeholder_types)[:2]
    response = world.client("editor").post(
        world.url("workshops/new/"),
        {
            "title": "Leadership",
            "date": "2026-05-04",
            "policies": ["L1", "L2"],
            "stakeholder_types": kinds,
            "anonymous": "on",
        },
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == world.url(f"workshops/{workshop.uuid}/")
    assert (
        workshop.title,
        workshop.date,
        workshop.policies,
        workshop.stakeholder_types,
        workshop.anonymous,
        workshop.created_by,
    ) == ("Leadership", dt.date(2026, 5, 4), ["L1", "L2"], kinds, True, world.people["editor"])


def test_opening_names_each_wrong_field_and_writes_nothing(world: World) -> None:
    response = world.client("admin").post(
        world.url("workshops/new/"),
        {"title": "  ", "date": "4 May", "policies": ["L1", "ZZ"], "stakeholder_types": []},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "title": ["This field is required."],
        "date": ["Enter a valid date."],
        "policies": ["Select a valid choice. ZZ is not one of the available choices."],
        "stakeholder_types": ["This field is required."],
    }
    assert Workshop.objects.count() == 0


def test_workshop_page_shows_the_join_code_and_its_qr_code_as_inline_svg(world: World) -> None:
    workshop = _open(world)
    response = world.client("admin").get(world.url(f"workshops/{workshop.uuid}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f'<p class="join-code" id="join-code" aria-label="Join code">{workshop.join_code}</p>'
        in (html)
    )
    address = f"http://testserver/join/{workshop.join_code}/"
    assert "<svg viewBox=" in html
    assert f"<title>{address}</title>" in html
    assert "http" not in html.split('id="join-qr">')[1].split("</svg>")[0].replace(address, "")


def test_workshop_list_shows_each_workshop_with_its_participants(world: World) -> None:
    first = _open(world, title="Leadership")
    domain.close(workshop=_open(world, title="Finance"))
    domain.join(
        workshop=first,
        data={"name": "Ana", "stakeholder_type": first.stakeholder_types[0]},
        address="10.0.0.1",
    )
    response = world.client("editor").get(world.url("workshops/"))
    rows = [(w.title, w.status, w.joined) for w in response.context["workshops"]]
    assert sorted(rows) == [("Finance", "closed", 0), ("Leadership", "open", 1)]
    assert f"<code>{first.join_code}</code>" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("editor", 200), ("contributor", 403), ("viewer", 403), ("outsider", 404)],
)
def test_facilitator_pages_by_persona(world: World, persona: str, status: int) -> None:
    workshop = _open(world)
    client = world.client(persona)
    for suffix in ("workshops/", "workshops/new/", f"workshops/{workshop.uuid}/"):
        assert client.get(world.url(suffix)).status_code == status, suffix
    response = client.post(
        world.url("workshops/new/"),
        {
            "title": "X",
            "date": "2026-05-04",
            "policies": ["L1"],
            "stakeholder_types": workshop.stakeholder_types,
        },
    )
    assert response.status_code == (302 if status == 200 else status)
    assert Workshop.objects.count() == (2 if status == 200 else 1)


def test_outsider_does_not_reach_another_citys_workshop(world: World) -> None:
    workshop = _open(world)
    response = world.client("outsider").get(world.url(f"workshops/{workshop.uuid}/"))
    assert response.status_code == 404
