"""The one path to city data: every view, API endpoint and command goes through here.

A person who is not a member of a city gets ``Http404`` for anything of that city, so that
the existence of other cities' data never leaks; a member without the needed role gets
``PermissionDenied`` (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from vertebra.cities.models import City, Membership, Role

if TYPE_CHECKING:
    from vertebra.accounts.models import User


def cities_for(user: User) -> QuerySet[City]:
    if not user.is_authenticated:
        return City.objects.none()
    return City.objects.filter(memberships__user=user).order_by("name")


def membership_for(*, user: User, city_slug: str) -> Membership:
    """The caller's membership in the city, or 404 when there is none."""
    if not user.is_authenticated:
        raise Http404("No such city.")
    try:
        return Membership.objects.select_related("city").get(user=user, city__slug=city_slug)
    except Membership.DoesNotExist:
        raise Http404("No such city.") from None


def memberships_of(user: User) -> list[Membership]:
    """All the person's memberships with their cities, by city name (the pages' menu)."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.select_related("city").filter(user=user).order_by("city__name"))


def membership_among(memberships: list[Membership], city_slug: str) -> Membership:
    """The membership in the city from ``memberships_of``, or 404 when there is none."""
    for membership in memberships:
        if membership.city.slug == city_slug:
            return membership
    raise Http404("No such city.")


def require_role(membership: Membership, *roles: Role) -> None:
    if membership.role not in roles:
        raise PermissionDenied("Your role in this city does not allow this.")


def require_write(membership: Membership) -> None:
    require_role(membership, Role.ADMIN, Role.EDITOR)


def require_admin(membership: Membership) -> None:
    require_role(membership, Role.ADMIN)
