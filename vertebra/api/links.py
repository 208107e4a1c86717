"""Absolute API addresses, so that every object carries the "url" where it can be read."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

NAMESPACE = "api-v1"


def api_root(request: HttpRequest) -> str:
    """``https://host/api/v1/``, computed once per request."""
    root: str | None = getattr(request, "_vertebra_api_root", None)
    if root is None:
        openapi = reverse(f"{NAMESPACE}:openapi-json")
        root = request.build_absolute_uri(openapi.removesuffix("openapi.json"))
        request._vertebra_api_root = root  # type: ignore[attr-defined]
    return root


def api_url(request: HttpRequest, *parts: object) -> str:
    return api_root(request) + "/".join(map(str, parts))


def city_url(request: HttpRequest, slug: str, *parts: object) -> str:
    return api_url(request, "cities", slug, *parts)


def assessment_url(request: HttpRequest, slug: str, uuid: object, *parts: object) -> str:
    return api_url(request, "cities", slug, "assessments", uuid, *parts)


def page_url(request: HttpRequest, *, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(request.path) + "?" + urlencode(sorted(query.items()))
