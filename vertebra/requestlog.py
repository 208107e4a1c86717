"""Every request's id, and one log line per request (``VERTEBRA_LOG_FORMAT=json``).

The id is the incoming ``X-Request-ID`` when a load balancer or a client gave a plausible
one (letters, digits and ``-_.:``, at most 128 characters), else a new one; it goes back in
the response's ``X-Request-ID``, so one request can be followed from nginx to the log. The
line says when, which request, the method, the route's pattern (not the path: no ids or
names from it), the status, the duration in milliseconds, the city's short name and the
person's id: no other personal data, no query string, no body.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("vertebra.requests")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The URL keywords that name a city: the pages' and the API's.
CITY_KEYWORDS = ("city_slug", "city")


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def person_id_of(request: HttpRequest) -> int | None:
    for who in (getattr(request, "user", None), getattr(request, "auth", None)):
        if getattr(who, "is_authenticated", False) and isinstance(getattr(who, "pk", None), int):
            return int(who.pk)  # type: ignore[union-attr]
    return None


def route_of(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    return "/" + match.route.lstrip("^")


def city_of(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    for keyword in CITY_KEYWORDS:
        value = match.kwargs.get(keyword)
        if isinstance(value, str):
            return value
    return ""


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_of(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "fields": {
                        "request_id": request_id,
                        "method": request.method,
                        "route": route_of(request),
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "city": city_of(request),
                        "person": person_id_of(request),
                    }
                },
            )
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the time, the level, the logger, and either a request's
    fields or the message (with its traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
            if record.exc_info:
                line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
