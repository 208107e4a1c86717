"""HTTP validators (RFC 9110, section 13), the same for every endpoint.

- Reads: every successful read carries an ``ETag`` (the object's version for answers and
  actions, else a digest of the body) and answers a matching ``If-None-Match`` with 304 and
  no body (:func:`conditional`, wrapped around every endpoint by vertebra.api.urls).
- Writes: the version a client read comes in the body (``version``) or as ``If-Match``
  (:func:`expected_version`). ``If-Match`` is compared strongly: ``"3"`` matches version 3,
  a weak ``W/"3"`` never matches, ``*`` matches any existing object. A failed ``If-Match`` is
  412 ``precondition_failed``; a stale ``version`` in the body is 409 ``conflict``; neither is
  428 ``precondition_required``. Both carry the current value in ``details.current``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import set_response_etag
from django.utils.translation import gettext as _

from vertebra.api.errors import ApiError

# Set on a request whose write is conditioned by its If-Match header (not a body version):
# a change by someone else is then 412, also when it lands between the check and the save.
_BY_HEADER = "_vertebra_if_match"


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def none_match(request: HttpRequest, tag: str) -> bool:
    """Whether If-None-Match names ``tag`` or ``*``: the client's copy is still current.

    If-None-Match compares weakly (RFC 9110, 13.1.2): ``W/"3"`` names ``"3"``."""
    sent = {part.removeprefix("W/") for part in _tags(request.headers.get("If-None-Match", ""))}
    return tag.removeprefix("W/") in sent or "*" in sent


def if_match(request: HttpRequest, tag: str) -> bool | None:
    """None without If-Match; else whether it names ``tag`` (strongly) or is ``*``."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    sent = _tags(header)
    if sent == ["*"]:
        return True
    return not tag.startswith("W/") and tag in sent


def not_modified(tag: str) -> HttpResponse:
    """304 with no body: the client's copy, named by its tag, is what a read would answer."""
    response = HttpResponse(status=304)
    response["ETag"] = tag
    return response


def conditional(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap an endpoint: a successful read gets an ETag (unless it set its own), and a
    matching If-None-Match gets 304 with no body."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if not response.has_header("ETag") and isinstance(response, HttpResponse):
                set_response_etag(response)  # streamed files set their own
            tag = response.get("ETag")
            if tag and none_match(request, tag):
                return not_modified(tag)
        return response

    return wrapper


def precondition_failed(current: Any) -> ApiError:
    return ApiError(
        412,
        _(
            "The If-Match header does not name the current version of this object: someone "
            "changed it since you read it (or the tag is weak). Nothing was saved. Read it "
            "again and repeat your change."
        ),
        details={"current": current},
    )


def stale(request: HttpRequest, message: str, current: Any) -> ApiError:
    """Someone saved in between: 412 when the client's If-Match said which version it
    changes, 409 ``conflict`` when the body's ``version`` did."""
    if getattr(request, _BY_HEADER, False):
        return precondition_failed(current)
    return ApiError(409, message, code="conflict", details={"current": current})


def expected_version(
    request: HttpRequest,
    body_version: int | None,
    *,
    current: int,
    current_json: Callable[[], Any],
) -> int:
    """The version the client read: 412 when If-Match names another one than ``current``,
    428 when the client sent neither If-Match nor ``body_version``."""
    matched = if_match(request, etag(current))
    if matched is False:
        raise precondition_failed(current_json())
    if matched:
        if body_version is not None:
            return body_version  # the body says which version; a stale one is a conflict
        setattr(request, _BY_HEADER, True)
        return current
    if body_version is None:
        raise ApiError(
            428,
            _(
                "Send the version you read (the 'version' field or an If-Match header), "
                "so that nobody's changes are overwritten unseen."
            ),
            details={"version": _("Required.")},
        )
    return body_version
