"""The API's errors, each answered as a problem document (RFC 9457; see vertebra.problems).

Every failure, from a missing token to a server error, is answered in this shape so that a
script needs one way of reading problems: ``status``, a stable ``code`` (its ``type`` is
``/api/v1/problems/<code>``), ``detail`` for people and ``details``, which names the failing
fields for validation errors (``{"title": "Field required"}``) and carries the current value
on conflicts (``{"current": {...}}``).

Errors raised before the API's handlers (Django's, the middleware's) are turned into the same
documents by vertebra.api.middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja.errors import AuthenticationError, HttpError, ValidationError

from vertebra.assessments.domain import (
    AnswerConflictError,
    AnswerValidationError,
    AssessmentLockedError,
)
from vertebra.faults import explain, fault_of
from vertebra.problems import kind_of, problem_response
from vertebra.workshops.domain import (
    JoinRefusedError,
    TooManyJoinsError,
    WorkshopClosedError,
    WorkshopStateError,
    WorkshopValidationError,
)

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("vertebra.api")

INVALID = gettext_noop("Some values are not valid; see details for each field.")


class ApiError(Exception):
    """A failure with a status, a stable code, a message for people and optional details."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = kind_of(status, code).code
        self.message = message
        self.details = dict(details or {})


def error_response(
    status: int, message: str, *, code: str | None = None, details: Mapping[str, Any] | None = None
) -> HttpResponse:
    """The problem document for an error (see :func:`vertebra.problems.problem_response`)."""
    return problem_response(status, message, code=code, details=details)


def field_path(loc: Sequence[Any]) -> str:
    """``("body", "payload", "answers", 3, "status")`` -> ``"answers.3.status"``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in {"payload", "filters", "data", "body"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def validation_details(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    details: dict[str, str] = {}
    for error in errors:
        path = field_path(error.get("loc", ()))
        message = str(error.get("msg", _("Invalid value.")))
        details[path] = f"{details[path]} {message}" if path in details else message
    return details


def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, _("Something went wrong on the server. The error has been logged."))


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's default handlers with ones that answer problem documents."""

    def handle(exc_class: type[Exception]) -> Callable[[Callable[..., HttpResponse]], Any]:
        def register(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            api.add_exception_handler(exc_class, func)
            return func

        return register

    @handle(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.message, code=exc.code, details=exc.details)

    @handle(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            422,
            _(INVALID),
            details=validation_details(exc.errors),
        )

    @handle(AnswerValidationError)
    def _answer_validation(request: HttpRequest, exc: AnswerValidationError) -> HttpResponse:
        return error_response(422, _(INVALID), details=exc.errors)

    @handle(AssessmentLockedError)
    def _locked(request: HttpRequest, exc: AssessmentLockedError) -> HttpResponse:
        return error_response(409, str(exc), code="assessment_final")

    @handle(AnswerConflictError)
    def _conflict(request: HttpRequest, exc: AnswerConflictError) -> HttpResponse:
        from vertebra.api.concurrency import stale
        from vertebra.api.serializers import answer_json

        current = answer_json(request, exc.current.assessment, exc.current)
        failure = stale(request, str(exc), current)
        return error_response(
            failure.status, failure.message, code=failure.code, details=failure.details
        )

    @handle(WorkshopValidationError)
    def _workshop_validation(request: HttpRequest, exc: WorkshopValidationError) -> HttpResponse:
        return error_response(422, _(INVALID), details=exc.errors)

    @handle(WorkshopClosedError)
    def _workshop_closed(request: HttpRequest, exc: WorkshopClosedError) -> HttpResponse:
        return error_response(403, str(exc), code="workshop_closed")

    @handle(WorkshopStateError)
    def _workshop_state(request: HttpRequest, exc: WorkshopStateError) -> HttpResponse:
        return error_response(409, str(exc))

    @handle(JoinRefusedError)
    def _join_refused(request: HttpRequest, exc: JoinRefusedError) -> HttpResponse:
        return error_response(404, str(exc))

    @handle(TooManyJoinsError)
    def _too_many_joins(request: HttpRequest, exc: TooManyJoinsError) -> HttpResponse:
        response = error_response(429, str(exc))
        response["Retry-After"] = "60"
        return response

    @handle(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(
            413,
            _("The request is too large: send at most %(limit)s of data (files excepted).")
            % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
        )

    @handle(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        from vertebra.api.auth import asked_as_participant

        if asked_as_participant(request):
            return error_response(
                401,
                _(
                    "Send the participant_token you got when you joined this workshop as "
                    "'Authorization: Bearer <participant_token>'."
                ),
            )
        return error_response(
            401,
            _(
                "Send a valid personal token as 'Authorization: Bearer <token>'. "
                "Create one under Account > API tokens."
            ),
        )

    @handle(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, str(exc) or _("Your role in this city does not allow this."))

    @handle(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, str(exc) or _("Not found."))

    @handle(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, ApiError):  # raised by our body parser, wrapped by django-ninja
            return error_response(
                cause.status, cause.message, code=cause.code, details=cause.details
            )
        message = exc.message
        if exc.status_code == 400:
            message = _("The request body is not valid JSON.")
        return error_response(exc.status_code, message)

    handle(Exception)(server_error)

    @handle(DatabaseError)
    @handle(OSError)
    def _fault(request: HttpRequest, exc: Exception) -> HttpResponse:
        """A full disk or a database that cannot take the write: 507 or 503 (vertebra.faults)."""
        fault = fault_of(exc)
        if fault is None:
            return server_error(request, exc)
        logger.error("%s on %s %s: %s", fault.code, request.method, request.path, exc, exc_info=exc)
        message, advice = explain(fault, writing=request.method not in ("GET", "HEAD"))
        response = error_response(fault.status, f"{message} {advice}", code=fault.code)
        if fault.retry_after is not None:
            response["Retry-After"] = str(fault.retry_after)
        return response


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any address under /api/v1/ that is not an endpoint."""
    return error_response(404, _("There is no API endpoint at this address."))
