"""HTTP validators: lost-write safety (the version a client read comes in the body or an
If-Match header) and cheap polling (If-None-Match against an entity tag)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vertebra.api.errors import INVALID, ApiError


def etag(version: int) -> str:
    return f'"{version}"'


def none_match(request: HttpRequest, tag: str) -> bool:
    """Whether If-None-Match names ``tag`` or ``*``: the client's copy is still current.

    Weak tags are compared as strong ones, as HTTP allows for GET."""
    header = request.headers.get("If-None-Match", "")
    sent = {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
    return tag in sent or "*" in sent


def not_modified(tag: str) -> HttpResponse:
    """304 with no body: the client's copy, named by its tag, is what a read would answer."""
    response = HttpResponse(status=304)
    response["ETag"] = tag
    return response


def expected_version(request: HttpRequest, body_version: int | None) -> int:
    """The version the client read, from ``body_version`` or If-Match; 428 when neither."""
    header = request.headers.get("If-Match", "").strip()
    if header:
        text = header.removeprefix("W/").strip().strip('"')
        if not text.isdigit():
            raise ApiError(
                422, _(INVALID), details={"If-Match": _('Send the ETag you read, e.g. "3".')}
            )
        header_version = int(text)
        if body_version is not None and body_version != header_version:
            raise ApiError(
                422,
                _(INVALID),
                details={"version": _("The version and the If-Match header disagree.")},
            )
        return header_version
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
