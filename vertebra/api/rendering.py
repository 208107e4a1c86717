"""Responses written ahead of ninja's own rendering, for reads whose JSON is kept for reuse.

``validated_json`` does what ninja does with an operation's result: validate it against the
response schema, dump it, and render it with the API's renderer. So a kept response is
byte for byte what the operation would have answered, and the OpenAPI document still
describes it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.renderers import JSONRenderer
from pydantic import BaseModel

# The API's renderer (vertebra.api.api passes it to NinjaAPI): kept responses and ninja's
# own are rendered by the same object.
RENDERER = JSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"


def validated_json(request: HttpRequest, schema: type[BaseModel], data: Any) -> str:
    context = {"request": request, "response_status": 200}
    validated = schema.model_validate(data, context=context)
    return str(RENDERER.render(request, validated.model_dump(context=context), response_status=200))


def json_response(body: str) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPE)
