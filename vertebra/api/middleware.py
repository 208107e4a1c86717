"""Errors under ``/api/`` answered before (or around) the API's own handlers, as problem
documents too.

Django and the middleware answer some requests before any endpoint runs: an address that is
no endpoint, a method an endpoint does not accept (django-ninja's 405), a body too large, a
request refused by a security check, a crash in a middleware. This middleware, the outermost,
turns every such error response of a request under ``/api/`` into a problem document of its
status (vertebra.problems), keeping its headers (``Allow``, ``Retry-After``), so that a client
meets one error format whatever refused its request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vertebra.problems import is_problem, kind_of, problem_response

PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def as_problem(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` as a problem document of its status, when it is an error that is not one."""
    status = response.status_code
    if status < 400 or is_problem(response):
        return response
    details: dict[str, object] = {}
    if status == 404:
        detail = _("There is no API endpoint at this address.")
    elif status == 405:
        allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
        detail = _("%(method)s is not allowed here. Allowed: %(allowed)s.") % {
            "method": request.method,
            "allowed": ", ".join(allowed),
        }
        details["allowed"] = allowed
    else:
        detail = str(kind_of(status).description)
    problem = problem_response(status, detail, details=details)
    for header in KEPT_HEADERS:
        if header in response and header not in problem:
            problem[header] = response[header]
    return problem


class ProblemDetailsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PREFIX):
            return as_problem(request, response)
        return response
