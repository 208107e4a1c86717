"""Request bodies are bounded before they are read, and parsed in one place.

Each address takes a body of at most a known size: the evidence uploads and the import of
answers their files' limits (plus room for the form around the file), the API's update of
many answers the size of an import, and every other page or endpoint ``MAX_BODY_BYTES``.
``BoundedBodiesMiddleware`` runs before anything reads a body and

- refuses a ``Content-Length`` over the address's limit with 413, before reading a byte;
- reads a body sent in chunks (no ``Content-Length``) only up to that limit, then refuses it;
- parses a form (urlencoded or multipart) at once, so that a malformed one (no boundary, a
  broken part, too many fields or files) is 400 with a message here, instead of an error deep
  in a view, and a file sent to an address that takes none is refused before it is stored.

Pages get a short page (htmx a message in place); under ``/api/`` the API's error rendering.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    ImproperlyConfigured,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.utils.translation import gettext as _
from gunicorn.http.errors import ParseException

# Room for the form around a file: its other fields, the parts' headers and boundaries.
FORM_ROOM = 64 * 1024
READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limit:
    bytes: int
    files: bool = False


def _upload_limits() -> dict[str, Limit]:
    """The addresses (URL names) that take more than a small body."""
    from vertebra.reports.imports import MAX_IMPORT_BYTES

    attachment = Limit(settings.MAX_ATTACHMENT_BYTES + FORM_ROOM, files=True)
    return {
        "web:attachment_upload": attachment,
        "api-v1:upload_attachment": attachment,
        "reports:import": Limit(MAX_IMPORT_BYTES + FORM_ROOM, files=True),
        # Many answers in one request: as large as an import of them.
        "api-v1:update_answers": Limit(MAX_IMPORT_BYTES),
    }


def largest_body_bytes() -> int:
    """The largest request body any address takes: a proxy in front (nginx's
    ``client_max_body_size``, docs/DEPLOY.md) lets this much through, and Vertebra refuses
    more, address by address, with its own message."""
    return max([settings.MAX_BODY_BYTES, *(limit.bytes for limit in _upload_limits().values())])


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


@functools.cache
def _names_by_route() -> dict[str, str]:
    """The routes (as ``ResolverMatch.route`` gives them) of the addresses that take more.
    Keyed by route, not name: the API serves a list and an upload on one route."""
    names = set(_upload_limits())
    routes = {name: route for name, route in _routes(get_resolver().url_patterns)}
    missing = sorted(names - set(routes))
    if missing:
        raise ImproperlyConfigured(f"Body limits name addresses that do not exist: {missing}")
    return {routes[name]: name for name in names}


def limit_for(request: HttpRequest) -> Limit:
    try:
        route = get_resolver().resolve(request.path_info).route
    except Resolver404:
        route = ""
    name = _names_by_route().get(route)
    return _upload_limits()[name] if name else Limit(settings.MAX_BODY_BYTES)


class FileRefused(MultiPartParserError):
    """A file part in a form sent to an address that takes no file."""


class RefuseFiles(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise FileRefused(kwargs.get("file_name") or (args[1] if len(args) > 1 else ""))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return raw_data  # never reached: new_file refuses

    def file_complete(self, file_size: int) -> None:
        return None


class Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _too_large(limit: Limit) -> Refusal:
    if limit.files:
        message = _(
            "The request is too large: this address takes at most %(limit)s, the file included."
        )
    else:
        message = _("The request is too large: this address takes at most %(limit)s.")
    return Refusal(413, message % {"limit": filesizeformat(limit.bytes)})


def _declared_length(request: HttpRequest) -> int | None:
    value = request.META.get("CONTENT_LENGTH", "")
    if value in ("", None):
        return None
    try:
        length = int(value)
    except ValueError:
        length = -1
    if length < 0:
        raise Refusal(400, _("The Content-Length header is not a whole number of bytes."))
    return length


def _read_chunked(request: HttpRequest, limit: Limit) -> None:
    """A body without a length (sent in chunks): read up to the limit, refuse the rest, and
    hand what was read to Django as a body of known length."""
    stream = request.META["wsgi.input"]
    data = bytearray()
    try:
        while chunk := stream.read(min(READ_CHUNK, limit.bytes + 1 - len(data))):
            data += chunk
            if len(data) > limit.bytes:
                raise _too_large(limit)
    except (OSError, ParseException):  # the server's reader: a broken chunk, a lost client
        raise Refusal(400, _("The body sent in chunks is malformed or ended early.")) from None
    request.META["CONTENT_LENGTH"] = str(len(data))
    request._stream = LimitedStream(io.BytesIO(bytes(data)), len(data))  # type: ignore[assignment]


def _parse_form(request: HttpRequest, limit: Limit) -> None:
    if not limit.files:
        request.upload_handlers = [RefuseFiles(request)]
    try:
        request.POST  # noqa: B018 - parsed here, once, for every later reader
    except FileRefused as refused:
        raise Refusal(
            400,
            _("This address takes no files, but the form sent one (%(name)s).")
            % {"name": str(refused) or "?"},
        ) from None
    except MultiPartParserError:
        raise Refusal(
            400,
            _(
                "The form could not be read: its multipart body is malformed (a missing or "
                "wrong boundary, or a broken part)."
            ),
        ) from None
    except RequestDataTooBig:
        raise Refusal(
            413,
            _("The form's fields are too large: at most %(limit)s besides its file.")
            % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
        ) from None
    except SuspiciousOperation:
        # DATA_UPLOAD_MAX_NUMBER_FIELDS or DATA_UPLOAD_MAX_NUMBER_FILES.
        raise Refusal(
            400,
            _(
                "The form has too many fields or files: at most %(fields)d fields and "
                "%(files)d file."
            )
            % {
                "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
            },
        ) from None
    except BadRequest:
        raise Refusal(400, _("The form must be sent as UTF-8 text.")) from None
    except UnreadablePostError:
        raise Refusal(400, _("The request ended before the length it announced.")) from None


class BoundedBodiesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._check(request)
        except Refusal as refusal:
            return self._refuse(request, refusal)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        length = _declared_length(request)
        chunked = (
            length is None and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        )
        multipart = request.method == "POST" and request.content_type == "multipart/form-data"
        if not length and not chunked and not multipart:
            return  # no body (most requests): nothing to bound or parse
        limit = limit_for(request)
        if chunked:
            _read_chunked(request, limit)
        elif length is not None and length > limit.bytes:
            raise _too_large(limit)
        if request.method == "POST" and request.content_type in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
        ):
            _parse_form(request, limit)

    @staticmethod
    def _refuse(request: HttpRequest, refusal: Refusal) -> HttpResponse:
        from vertebra.middleware import _alert, is_htmx, standalone_page

        response: HttpResponse
        if request.path.startswith("/api/"):
            from vertebra.api.errors import error_response

            response = error_response(refusal.status, refusal.message)
        elif is_htmx(request):
            response = _alert(
                request,
                refusal.status,
                _("%(reason)s Nothing was saved.") % {"reason": refusal.message},
            )
        else:
            advice = _("Nothing was saved. Go back, change what you sent, and send it again.")
            response = standalone_page(refusal.status, _("Not saved"), refusal.message, advice, "/")
        return response
