"""The cities the caller belongs to, with their role in each, and each city's settings."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query

from vertebra import access
from vertebra.access import Verb
from vertebra.api.auth import caller
from vertebra.api.concurrency import if_match, precondition_failed
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import city_url
from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    CityOut,
    CityPage,
    PageQuery,
    StakeholderTypesIn,
    StakeholderTypesOut,
    reading,
    writing,
)
from vertebra.api.scope import membership
from vertebra.api.serializers import CITY_FIELDS, city_json, city_values_json
from vertebra.cities.models import City
from vertebra.planning.domain import PlanningValidationError, set_stakeholder_types

router = ApiRouter(tags=["cities"])


@router.get("/cities", response=reading({200: CityPage}), summary="List my cities")
def list_cities(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The cities the caller is a member of, by name, with the caller's role in each."""
    rows = access.memberships(caller(request)).values(*CITY_FIELDS)
    return paginate(request, rows, page, lambda row: city_values_json(request, row))


@router.get("/cities/{city}", response=reading({200: CityOut}), summary="Read one of my cities")
def get_city(request: HttpRequest, city: str) -> dict[str, Any]:
    return city_json(request, membership(request, city))


def _types_etag(types: list[str]) -> str:
    digest = hashlib.sha256(json.dumps(types).encode()).hexdigest()[:16]
    return f'"{digest}"'


def _types(request: HttpRequest, city: City, response: HttpResponse) -> dict[str, Any]:
    types = list(city.stakeholder_types)
    response["ETag"] = _types_etag(types)
    return {"url": city_url(request, city.slug, "stakeholder-types"), "stakeholder_types": types}


@router.get(
    "/cities/{city}/stakeholder-types",
    response=reading({200: StakeholderTypesOut}),
    summary="Read a city's stakeholder types",
)
def get_stakeholder_types(request: HttpRequest, city: str, response: HttpResponse) -> Any:
    """The types an action's stakeholders can be chosen from; the ETag header identifies this
    list for a later change."""
    return _types(request, membership(request, city).city, response)


@router.put(
    "/cities/{city}/stakeholder-types",
    verb=Verb.MANAGE_CITY,
    response=writing({200: StakeholderTypesOut}, 412),
    summary="Set a city's stakeholder types",
)
def replace_stakeholder_types(
    request: HttpRequest, city: str, payload: StakeholderTypesIn, response: HttpResponse
) -> Any:
    """Replace the whole list (admins only). Types still used by actions cannot be removed.
    With ``If-Match`` (the ETag you read), a list changed in between is refused with 412 and
    the current list in ``details.current``."""
    member = membership(request, city, verb=Verb.MANAGE_CITY)
    the_city = member.city
    current = list(the_city.stakeholder_types)
    if if_match(request, _types_etag(current)) is False:
        raise precondition_failed(current)
    try:
        set_stakeholder_types(city=the_city, types=payload.stakeholder_types)
    except PlanningValidationError as exc:
        raise ApiError(422, _(INVALID), details=exc.errors) from None
    return _types(request, the_city, response)
