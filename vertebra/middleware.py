"""Requests whose address carries a NUL character are refused before any view runs.

PostgreSQL's text cannot hold NUL, so such a value in a path or query would otherwise fail
deep inside a database lookup. The API answers in its one error shape.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = _("The address contains a NUL character, which is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "bad_request", "message": message, "details": {}}},
                    status=400,
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)
