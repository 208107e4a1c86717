"""Requests whose address carries a NUL character are refused before any view runs.

PostgreSQL's text cannot hold NUL, so such a value in a path or query would otherwise fail
deep inside a database lookup. Pages answer 400; the API answers 422 in its one error
shape, as for any value it cannot accept.
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
                # A value the API cannot accept: the API's validation status and error shape.
                return JsonResponse(
                    {"error": {"code": "validation_error", "message": message, "details": {}}},
                    status=422,
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)
