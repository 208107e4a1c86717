"""The versioned JSON API (``/api/v1/``): token auth, and every error a problem document."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from vertebra.api import errors
from vertebra.api.auth import TokenAuth
from vertebra.api.docs import Docs
from vertebra.api.endpoints import (
    action_steps,
    analyses,
    answers,
    assessments,
    benchmark,
    cities,
    evidence,
    exports,
    frameworks,
    index,
    plans,
    references,
    reviews,
    team,
    workshops,
)
from vertebra.api.links import NAMESPACE
from vertebra.api.openapi import complete, operation_id
from vertebra.api.parser import StorableJsonParser
from vertebra.api.rendering import RENDERER

DESCRIPTION = """
Everything a person can see or do in Vertebra's pages, a script can do here, with the same
rules: a personal token (create one under *Account > API tokens*) acts with exactly its
person's cities and roles.

Send it as `Authorization: Bearer <token>`. Every object carries its own `url`; lists are
paginated (`limit`, `offset`) with `count`, `next` and `previous`. Every error is a
problem document (RFC 9457, `application/problem+json`): `type`, `title`, `status`,
`detail`, and the stable `code` and `details`. Updates of answers and actions need the
`version` you read (or an `If-Match` header) and are refused with 409 (412 for If-Match)
and the current value when someone saved in between. Every read carries an `ETag`; send it
as `If-None-Match` to get 304 while nothing changed.
"""


class VertebraAPI(NinjaAPI):
    """django-ninja with the API's own operation ids, OpenAPI completion and ``Location``."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation_id(operation.view_func.__name__)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete(schema)
        return schema

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        """As django-ninja's, and a 201 carries the new object's address as ``Location``
        (its ``url``, unless the operation named another)."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if response.status_code == 201 and not response.has_header("Location"):
            url = data.get("url") if isinstance(data, dict) else None
            if url:
                response["Location"] = url
        return response


api = VertebraAPI(
    title="Vertebra API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace=NAMESPACE,
    auth=TokenAuth(),
    docs=Docs(settings={"persistAuthorization": False, "validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=StorableJsonParser(),
    renderer=RENDERER,
)
errors.install(api)
for module in (
    index,
    frameworks,
    cities,
    assessments,
    answers,
    evidence,
    plans,
    action_steps,
    analyses,
    references,  # the assessment through crosswalks (the UNDRR Ten Essentials)
    exports,
    team,  # the city's team: members and invitations
    workshops,  # workshops: the facilitator's and the participants'
    reviews,  # critical-friend review: the city's side and the reviewer's
    benchmark,  # opt-in benchmarking among cities
):
    api.add_router("", module.router)
