"""The versioned JSON API (``/api/v1/``): one NinjaAPI with token auth and one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from vertebra.api import errors
from vertebra.api.auth import TokenAuth
from vertebra.api.docs import Docs
from vertebra.api.endpoints import (
    action_steps,
    analyses,
    answers,
    assessments,
    cities,
    evidence,
    exports,
    frameworks,
    plans,
)
from vertebra.api.links import NAMESPACE
from vertebra.api.parser import StorableJsonParser
from vertebra.api.rendering import RENDERER

DESCRIPTION = """
Everything a person can see or do in Vertebra's pages, a script can do here, with the same
rules: a personal token (create one under *Account > API tokens*) acts with exactly its
person's cities and roles.

Send it as `Authorization: Bearer <token>`. Every object carries its own `url`; lists are
paginated (`limit`, `offset`) with `count`, `next` and `previous`. Every error is
`{"error": {"code", "message", "details"}}`. Updates of answers and actions need the
`version` you read (or an `If-Match` header) and are refused with 409 and the current value
when someone saved in between.
"""

api = NinjaAPI(
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
    frameworks,
    cities,
    assessments,
    answers,
    evidence,
    plans,
    action_steps,
    analyses,
    exports,
):
    api.add_router("", module.router)
