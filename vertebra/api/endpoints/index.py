"""Where a client starts: the index of the API's entry points, who the token acts as, and
the kinds of problems (the ``type`` of every error document points at its kind here)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from vertebra.api.auth import caller, caller_token
from vertebra.api.links import NAMESPACE, api_url
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    IndexOut,
    MeOut,
    Problem,
    ProblemKindList,
    ProblemKindOut,
    reading,
)
from vertebra.problems import KINDS, TYPE_PREFIX, Kind

router = ApiRouter(tags=["index"])


@router.get("/", response=reading({200: IndexOut}), summary="The API's entry points")
def get_index(request: HttpRequest) -> dict[str, Any]:
    """Links to where a client starts: its cities, itself, the maturity models, the OpenAPI
    document, the documentation and the kinds of errors."""
    return {
        "cities": api_url(request, "cities"),
        "me": api_url(request, "me"),
        "frameworks": api_url(request, "frameworks"),
        "openapi": request.build_absolute_uri(reverse(f"{NAMESPACE}:openapi-json")),
        "docs": request.build_absolute_uri(reverse(f"{NAMESPACE}:openapi-view")),
        "problems": api_url(request, "problems"),
    }


@router.get("/me", response=reading({200: MeOut}), summary="Who the token acts as")
def get_me(request: HttpRequest) -> dict[str, Any]:
    """The person the token acts as, and the token (never its key)."""
    user, token = caller(request), caller_token(request)
    return {
        "url": api_url(request, "me"),
        "email": user.email,
        "name": user.name,
        "cities_url": api_url(request, "cities"),
        "token": {
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
        },
    }


def _kind(kind: Kind) -> dict[str, Any]:
    return {
        "type": TYPE_PREFIX + kind.code,
        "code": kind.code,
        "status": kind.status,
        "title": str(kind.title),
        "description": str(kind.description),
    }


@router.get(
    "/problems",
    auth=None,
    response={200: ProblemKindList},
    summary="The kinds of errors",
)
def list_problem_kinds(request: HttpRequest) -> dict[str, Any]:
    """Every kind of error the API answers, as its problem documents name it (no token needed)."""
    return {"results": [_kind(kind) for kind in KINDS.values()]}


@router.get(
    "/problems/{code}",
    auth=None,
    response={200: ProblemKindOut, 404: Problem},
    summary="One kind of error",
)
def get_problem_kind(request: HttpRequest, code: str) -> dict[str, Any]:
    """What an error of this kind means and what to do (no token needed)."""
    if code not in KINDS:
        raise Http404(_("No such kind of problem."))
    return _kind(KINDS[code])
