"""What an API error looks like: a problem document (RFC 9457, ``application/problem+json``).

Every error under ``/api/`` is one of the kinds below, whatever raised it: the API's own
handlers (vertebra.api.errors), django-ninja (validation, methods), or Django and the
middleware before any view ran (a body too large, an address that is no endpoint). Each
kind has a stable code and a ``type`` URI, ``/api/v1/problems/<code>``, where the kind is
described. A document::

    {"type": "/api/v1/problems/validation_error", "title": "The request has invalid values",
     "status": 422, "detail": "Some values are not valid; see details for each field.",
     "code": "validation_error", "details": {"title": "Field required"}}

``code`` and ``details`` are extension members: the code and the details (failing fields,
the current value on a conflict, the allowed methods) that the API's errors always carried.

:func:`problem_response` is the one way to write one; code outside the API (middleware that
refuses a request before its view) calls it for requests under ``/api/``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.translation import gettext_lazy

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "/api/v1/problems/"


@dataclass(frozen=True)
class Kind:
    code: str
    status: int
    title: Any  # a lazy translation
    description: Any


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "bad_request",
            400,
            gettext_lazy("The request cannot be read"),
            gettext_lazy("The body is not valid JSON, or the request is malformed."),
        ),
        Kind(
            "not_authenticated",
            401,
            gettext_lazy("A valid token is needed"),
            gettext_lazy(
                "No token was sent, or it is unknown or revoked. Send a personal token as "
                "'Authorization: Bearer <token>'."
            ),
        ),
        Kind(
            "permission_denied",
            403,
            gettext_lazy("Your role does not allow this"),
            gettext_lazy("Your role in the city does not allow this action."),
        ),
        Kind(
            "workshop_closed",
            403,
            gettext_lazy("The workshop is closed"),
            gettext_lazy(
                "The workshop was closed: its ratings are kept and can no longer be changed, "
                "and its participants' credentials no longer work."
            ),
        ),
        Kind(
            "not_found",
            404,
            gettext_lazy("Not found"),
            gettext_lazy(
                "There is no such object, no endpoint at this address, or the object belongs "
                "to a city you are not a member of."
            ),
        ),
        Kind(
            "method_not_allowed",
            405,
            gettext_lazy("Method not allowed"),
            gettext_lazy(
                "The address does not accept this method; details.allowed and the Allow "
                "header list those it accepts."
            ),
        ),
        Kind(
            "conflict",
            409,
            gettext_lazy("Changed by someone else"),
            gettext_lazy(
                "Someone saved since you read (the version in the body is stale); "
                "details.current holds the current value. Nothing was saved."
            ),
        ),
        Kind(
            "assessment_final",
            409,
            gettext_lazy("The assessment is final"),
            gettext_lazy("A final assessment is read-only. Nothing was saved."),
        ),
        Kind(
            "last_admin",
            409,
            gettext_lazy("The city's last admin"),
            gettext_lazy(
                "A city always keeps an admin: make someone else admin before demoting or "
                "removing the last one. Nothing was changed."
            ),
        ),
        Kind(
            "precondition_failed",
            412,
            gettext_lazy("The precondition failed"),
            gettext_lazy(
                "The If-Match header names no current version of the object (a weak tag "
                "never matches); details.current holds the current value. Nothing was saved."
            ),
        ),
        # Benchmarking (vertebra.sharing.benchmark).
        Kind(
            "not_opted_in",
            403,
            gettext_lazy("The city does not take part in benchmarking"),
            gettext_lazy(
                "A city that has not opted in sees no benchmark figures and contributes none; "
                "its admins can opt in on the city's Sharing page."
            ),
        ),
        Kind(
            "not_enough_cities",
            409,
            gettext_lazy("Not enough cities yet"),
            gettext_lazy(
                "Benchmark figures are shown only when at least 5 other cities that use the "
                "model version take part. No figures are given until then."
            ),
        ),
        Kind(
            "payload_too_large",
            413,
            gettext_lazy("The request is too large"),
            gettext_lazy("The body is larger than the server accepts. Nothing was saved."),
        ),
        Kind(
            "unsupported_media_type",
            415,
            gettext_lazy("Unsupported content type"),
            gettext_lazy(
                "The body is not of a type this address accepts: JSON bodies need "
                "'Content-Type: application/json', uploads multipart form data."
            ),
        ),
        Kind(
            "validation_error",
            422,
            gettext_lazy("The request has invalid values"),
            gettext_lazy("Some values are not valid; details maps each failing field to why."),
        ),
        Kind(
            "precondition_required",
            428,
            gettext_lazy("The version you read is needed"),
            gettext_lazy(
                "An update must say which version it changes: the 'version' field or an "
                "If-Match header, so that nobody's changes are overwritten unseen."
            ),
        ),
        Kind(
            "too_many_requests",
            429,
            gettext_lazy("Too many requests"),
            gettext_lazy("Slow down; try again after the seconds in Retry-After."),
        ),
        Kind(
            "server_error",
            500,
            gettext_lazy("Server error"),
            gettext_lazy("A fault on the server. It is logged; no internals are shown."),
        ),
        Kind(
            "database_unavailable",
            503,
            gettext_lazy("The database is not available"),
            gettext_lazy(
                "The database cannot take the request now. Nothing was saved; send the same "
                "request again after the seconds in Retry-After."
            ),
        ),
        Kind(
            "storage_full",
            507,
            gettext_lazy("The server's storage is full"),
            gettext_lazy(
                "The server's disk or quota is full. Nothing was saved and no partial file "
                "was left; try again later."
            ),
        ),
    )
}

# The kind of an error known only by its status (errors raised before the API's own code).
KIND_OF_STATUS: dict[int, Kind] = {}
for _kind in KINDS.values():
    KIND_OF_STATUS.setdefault(_kind.status, _kind)


def kind_of(status: int, code: str | None = None) -> Kind:
    if code is not None and code in KINDS:
        return KINDS[code]
    if status in KIND_OF_STATUS:
        return KIND_OF_STATUS[status]
    return KINDS["server_error"] if status >= 500 else KINDS["bad_request"]


def problem(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem document for an error of ``status`` (its kind named by ``code``)."""
    kind = kind_of(status, code)
    return {
        "type": TYPE_PREFIX + kind.code,
        "title": str(kind.title),
        "status": status,
        "detail": detail,
        "code": kind.code,
        "details": dict(details or {}),
    }


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """An error answered as a problem document, with the headers its status calls for."""
    body = json.dumps(problem(status, detail, code=code, details=details), cls=DjangoJSONEncoder)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="vertebra"'
    return response


def is_problem(response: HttpResponse) -> bool:
    return str(response.get("Content-Type", "")).startswith(CONTENT_TYPE)
