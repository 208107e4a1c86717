"""A new city with its first admin invited (vertebra.cities.team.found_city)."""

from __future__ import annotations

from typing import Any

import pytest

from vertebra.accounts.models import User
from vertebra.cities import team
from vertebra.cities.models import City, Invitation, MembershipEvent

pytestmark = pytest.mark.django_db


def test_a_new_city_invites_its_first_admin_even_with_an_account() -> None:
    User.objects.create_user("lead@bilbao.eus", "a-long-pass-2026")
    city, invitation, token = team.found_city(
        slug="bilbao", name=" Bilbao ", country="Spain", admin_email="Lead@Bilbao.eus", by=None
    )
    assert (city.slug, city.name, city.country) == ("bilbao", "Bilbao", "Spain")
    assert (invitation.email, invitation.role) == ("lead@bilbao.eus", "admin")
    assert team.invitation_by_token(token) == invitation
    assert list(MembershipEvent.objects.values_list("kind", "email", "role")) == [
        ("invited", "lead@bilbao.eus", "admin")
    ]


def test_a_short_name_taken_a_moment_ago_is_named_and_nothing_is_written(
    monkeypatch: Any,
) -> None:
    City.objects.create(slug="bilbao", name="Bilbao")
    # The check before writing saw no such city: another request created it in between.
    monkeypatch.setattr(team, "city_problems", lambda **_kwargs: {})
    real_filter = City.objects.filter

    def filter_missing_the_other(*args: Any, **kwargs: Any) -> Any:
        return (
            real_filter(*args, **kwargs).none()
            if kwargs == {"slug": "bilbao"}
            else (real_filter(*args, **kwargs))
        )

    monkeypatch.setattr(City.objects, "filter", filter_missing_the_other)
    with pytest.raises(team.CityProblems) as raised:
        team.found_city(
            slug="bilbao", name="Bilbao", country="", admin_email="lead@bilbao.eus", by=None
        )
    assert raised.value.problems == {"slug": "A city with the short name 'bilbao' exists already."}
    assert (City.objects.count(), Invitation.objects.count()) == (1, 0)
