"""The people suggested in the comment box and the Responsible field: the city's members only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.notify.factories import make_cities, person
from vertebra.cities.models import Membership, Role

pytestmark = pytest.mark.django_db


def suggest(user, city: str, q: str = "") -> tuple[int, object]:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(f"/cities/{city}/people/", {"q": q})
    if response.status_code != 200:
        return response.status_code, None
    return 200, response.json()["people"]


def test_members_whose_name_or_email_or_a_word_of_the_name_starts_with_the_text() -> None:
    c = make_cities()
    assert suggest(c.bruno, "porto") == (
        200,
        [
            {"name": "Ana Lopes", "email": "ana@porto.example", "handle": "Ana Lopes"},
            {"name": "Bruno", "email": "bruno@porto.example", "handle": "Bruno"},
            {"name": "Carla Dias", "email": "carla@both.example", "handle": "Carla Dias"},
        ],
    )
    assert suggest(c.bruno, "porto", "lop") == (
        200,
        [{"name": "Ana Lopes", "email": "ana@porto.example", "handle": "Ana Lopes"}],
    )
    assert suggest(c.bruno, "porto", "CARLA@") == (
        200,
        [{"name": "Carla Dias", "email": "carla@both.example", "handle": "Carla Dias"}],
    )
    assert suggest(c.bruno, "porto", "zz") == (200, [])


def test_no_other_citys_people_are_ever_suggested() -> None:
    c = make_cities()
    assert suggest(c.ana, "porto", "dmitri") == (200, [])
    assert [p["email"] for p in suggest(c.carla, "riga")[1]] == [  # type: ignore[union-attr]
        "carla@both.example",
        "dmitri@riga.example",
    ]


def test_people_outside_the_city_get_not_found_and_visitors_are_sent_to_sign_in() -> None:
    c = make_cities()
    assert suggest(c.dmitri, "porto", "a") == (404, None)
    assert suggest(c.ana, "nowhere", "a") == (404, None)
    response = Client().get("/cities/porto/people/?q=a")
    assert (response.status_code, response["Location"]) == (
        302,
        "/login/?next=/cities/porto/people/%3Fq%3Da",
    )


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN])
def test_every_member_may_see_who_is_in_their_city(role: Role) -> None:
    c = make_cities()
    Membership.objects.filter(user=c.carla, city=c.porto).update(role=role)
    assert suggest(c.carla, "porto", "bru")[1] == [
        {"name": "Bruno", "email": "bruno@porto.example", "handle": "Bruno"}
    ]


def test_a_shared_or_missing_name_is_mentioned_by_email() -> None:
    c = make_cities()
    for email, name in (("ana.b@porto.example", "ana lopes"), ("nameless@porto.example", "")):
        Membership.objects.create(city=c.porto, user=person(email, name), role=Role.VIEWER)
    assert [p["handle"] for p in suggest(c.bruno, "porto")[1]] == [  # type: ignore[union-attr]
        "ana.b@porto.example",
        "ana@porto.example",
        "Bruno",
        "Carla Dias",
        "nameless@porto.example",
    ]


def test_suggestions_are_few_and_a_long_text_is_cut() -> None:
    c = make_cities()
    for i in range(12):
        Membership.objects.create(
            city=c.porto, user=person(f"p{i:02}@porto.example", f"Pat {i:02}"), role=Role.VIEWER
        )
    assert len(suggest(c.bruno, "porto", "pat")[1]) == 8  # type: ignore[arg-type]
    assert suggest(c.bruno, "porto", "a" * 10_000) == (200, [])


def test_the_comment_box_and_responsible_field_ask_for_suggestions() -> None:
    c = make_cities()
    client = Client()
    client.force_login(c.ana)
    html = client.get(
        f"/cities/porto/assessments/{c.porto_draft.uuid}/policies/L1/"
    ).content.decode()
    assert 'data-people-url="/cities/porto/people/"' in html
    assert 'data-people="mention"' in html
    assert 'data-people="name"' in html
    assert "/static/web/js/mentions.js" in html
