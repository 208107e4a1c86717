"""The one path to city data: a person reaches only the cities they are a member of."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from vertebra.accounts.models import User
from vertebra.cities.models import City, Membership
from vertebra.cities.scoping import membership_among, membership_for, memberships_of

pytestmark = pytest.mark.django_db


def _world() -> User:
    person = User.objects.create_user("lead@example.org", "a-long-password")
    for slug, name, role in (("riga", "Riga", "viewer"), ("bilbao", "Bilbao", "admin")):
        Membership.objects.create(
            city=City.objects.create(slug=slug, name=name), user=person, role=role
        )
    City.objects.create(slug="porto", name="Porto")
    return person


def test_memberships_are_the_persons_own_by_city_name() -> None:
    person = _world()
    assert [(m.city.name, m.role) for m in memberships_of(person)] == [
        ("Bilbao", "admin"),
        ("Riga", "viewer"),
    ]
    assert memberships_of(AnonymousUser()) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("slug", ["porto", "nowhere"])
def test_a_city_without_membership_is_not_found_either_way(slug: str) -> None:
    person = _world()
    with pytest.raises(Http404):
        membership_among(memberships_of(person), slug)
    with pytest.raises(Http404):
        membership_for(user=person, city_slug=slug)


def test_both_ways_give_the_same_membership() -> None:
    person = _world()
    assert membership_among(memberships_of(person), "riga") == membership_for(
        user=person, city_slug="riga"
    )
