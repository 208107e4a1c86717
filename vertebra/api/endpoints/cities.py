"""The cities the caller belongs to, with their role in each."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from vertebra.api.auth import caller
from vertebra.api.pagination import paginate
from vertebra.api.schemas import CityOut, CityPage, PageQuery, reading
from vertebra.api.scope import membership
from vertebra.api.serializers import city_json
from vertebra.cities.models import Membership
from vertebra.cities.scoping import cities_for

router = Router(tags=["cities"])


@router.get("/cities", response=reading({200: CityPage}), summary="List my cities")
def list_cities(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The cities the caller is a member of, by name, with the caller's role in each."""
    user = caller(request)
    memberships = (
        Membership.objects.select_related("city")
        .filter(user=user, city__in=cities_for(user))
        .order_by("city__name", "city__slug")
    )
    return paginate(request, memberships, page, lambda m: city_json(request, m))


@router.get("/cities/{city}", response=reading({200: CityOut}), summary="Read one of my cities")
def get_city(request: HttpRequest, city: str) -> dict[str, Any]:
    return city_json(request, membership(request, city))
