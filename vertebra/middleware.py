"""Requests refused or failed before or around the views, each with an honest status.

Requests whose address carries a NUL character are refused before any view runs.

PostgreSQL's text cannot hold NUL, so such a value in a path or query would otherwise fail
deep inside a database lookup. Pages answer 400; the API answers 422 as a problem document (vertebra.problems), as for any value it cannot accept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from vertebra.assessments.domain import AssessmentLockedError
from vertebra.faults import Fault, explain, fault_of
from vertebra.problems import problem_response

logger = logging.getLogger("vertebra.faults")


class RejectNulCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = _("The address contains a NUL character, which is not allowed.")
            if request.path.startswith("/api/"):
                # A value the API cannot accept: the API's validation status, as a problem.
                return problem_response(422, message, code="validation_error")
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _local_path(url: str, request: HttpRequest) -> str:
    """``url`` as a path on this site, or "" when it points elsewhere (or is missing)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _alert(
    request: HttpRequest, status: int, message: str, *, link: str = "", link_text: str = ""
) -> HttpResponse:
    """An htmx answer that adds a message at the top of the request's target and keeps the
    rest of it (the form as typed); app.js swaps these statuses and drops older alerts."""
    context = {"message": message, "link": link, "link_text": link_text}
    response = HttpResponse(render_to_string("web/_alert.html", context), status=status)
    response["HX-Reswap"] = "afterbegin show:top"
    return response


def standalone_page(status: int, title: str, message: str, advice: str, back: str) -> HttpResponse:
    """The short page that says what was not done and where to go back to. Rendered without a
    request context, it reads neither the database nor the session (which may be what failed)."""
    context = {"title": title, "message": message, "advice": advice, "back": back}
    return HttpResponse(render_to_string("fault.html", context), status=status)


class PrivatePagesMiddleware:
    """A signed-in person's pages are private and never stored: Back shows the page as it is
    now, not a copy from before a save (which then met a conflict that blamed the person)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and "Cache-Control" not in response
            and response.get("Content-Type", "").startswith("text/html")
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


class HonestFailuresMiddleware:
    """Failures answered with a status that says what happened and a message that says what
    to do, in pages and htmx fragments alike (the API has its own handlers, vertebra.api.errors):

    - a fault of the machine (vertebra.faults): 503 with Retry-After, or 507, and a short page
      or fragment saying the change was NOT saved, never a bare 500 or a traceback;
    - a refusal (PermissionDenied) asked by htmx: 403 with the reason as a fragment (pages get
      the 403 page);
    - an ended session on anything but a plain page load: 401 and how to log in again without
      losing what was typed. A plain GET still redirects to the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 302 and self._to_login(request, response):
            return self._session_ended(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        fault = fault_of(exception)
        if fault is not None:
            logger.error(
                "%s on %s %s: %s",
                fault.code,
                request.method,
                request.path,
                exception,
                exc_info=exception,
            )
            return self._fault(request, fault)
        if isinstance(exception, AssessmentLockedError) and not request.path.startswith("/api/"):
            return self._locked(request, exception)
        if isinstance(exception, PermissionDenied) and is_htmx(request):
            reason = str(exception) or _("Your role in this city does not allow this.")
            return _alert(request, 403, _("%(reason)s Nothing was saved.") % {"reason": _(reason)})
        return None

    @staticmethod
    def _to_login(request: HttpRequest, response: HttpResponse) -> bool:
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return False
        if request.method in ("GET", "HEAD") and not is_htmx(request):
            return False
        login = resolve_url(settings.LOGIN_URL)
        return str(response.get("Location", "")).startswith(f"{login}?")

    @staticmethod
    def _session_ended(request: HttpRequest) -> HttpResponse:
        login = resolve_url(settings.LOGIN_URL)
        if is_htmx(request):
            page = _local_path(request.headers.get("HX-Current-URL", ""), request)
            link = f"{login}?{urlencode({'next': page})}" if page else login
            return _alert(
                request,
                401,
                _(
                    "Your session has ended, so this change was NOT saved. Log in again in a "
                    "new tab, then save here again: what you typed is still on this page."
                ),
                link=link,
                link_text=_("Log in (opens a new tab)"),
            )
        page = _local_path(request.headers.get("Referer", ""), request)
        context = {
            "message": _(
                "Your session has ended, so your change was NOT saved. Log in again, then go "
                "back to the page with your browser's Back button and send it again."
            ),
            "login_url": f"{login}?{urlencode({'next': page})}" if page else login,
        }
        return render(request, "session_ended.html", context, status=401)

    @staticmethod
    def _locked(request: HttpRequest, exception: AssessmentLockedError) -> HttpResponse:
        """A write the assessment's state refuses (it is final): 409 and the reason, for a
        page that was opened before the state changed."""
        message = _("%(reason)s Nothing was saved.") % {"reason": exception}
        if is_htmx(request):
            return _alert(request, 409, message)
        back = _local_path(request.headers.get("Referer", ""), request) or "/"
        return standalone_page(409, _("Not saved"), message, "", back)

    @staticmethod
    def _fault(request: HttpRequest, fault: Fault) -> HttpResponse:
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        message, advice = explain(fault, writing=writing)
        title = _("Not saved") if writing else _("Not available right now")
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = problem_response(fault.status, f"{message} {advice}", code=fault.code)
        elif is_htmx(request):
            kept = _("What you typed is still in the form.") if writing else ""
            response = _alert(
                request, fault.status, " ".join(p for p in (message, advice, kept) if p)
            )
        else:
            back = _local_path(request.headers.get("Referer", ""), request) or "/"
            response = standalone_page(fault.status, title, message, advice, back)
        if fault.retry_after is not None:
            response["Retry-After"] = str(fault.retry_after)
        response["Cache-Control"] = "no-store"
        return response
