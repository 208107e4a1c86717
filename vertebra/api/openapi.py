"""The OpenAPI document as the server behaves, completed in one place after django-ninja built it.

django-ninja describes the bodies; what the API does around them is added here, for every
operation alike, so that no decorator has to repeat it:

- ``operationId``: the view's name in camelCase (``update_answer`` -> ``updateAnswer``),
  unique across the API, so that generated clients have usable method names;
- errors: every status from 400 up is a problem document, ``application/problem+json``;
- reads: ``If-None-Match`` in, ``ETag`` out, and 304 with no body;
- writes that take ``If-Match`` (those that can answer 412): the header in, ``ETag`` out;
- writes with a JSON body: 415 for a body of another type;
- ``201 Created``: the ``Location`` header;
- file downloads: their content types, ``format: binary`` but for JSON (an operation says
  so with ``openapi_extra=files(...)``);
- response keys: one per status (django-ninja would keep an integer key beside the string
  key of an ``openapi_extra``, which JSON writes as two ``"200"`` members).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from vertebra.problems import CONTENT_TYPE as PROBLEM_TYPE

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
BINARY = {"type": "string", "format": "binary"}

_ETAG = {
    "description": "The version of what was read or written: send it back as If-Match to "
    "change it, or as If-None-Match to be answered 304 while it is unchanged.",
    "schema": {"type": "string"},
}
_LOCATION = {"description": "The address of what was created.", "schema": {"type": "string"}}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you have: 304 with no body while it is still current.",
    "schema": {"type": "string"},
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The ETag you read (e.g. "3"), or *: 412 when it is not the current '
    "version (a weak tag never matches). Instead of, or with, the body's version.",
    "schema": {"type": "string"},
}


def operation_id(name: str) -> str:
    """``update_answer`` -> ``updateAnswer``."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def files(content_types: Iterable[str], description: str) -> dict[str, Any]:
    """``openapi_extra`` for an operation that answers a file in one of ``content_types``."""
    return {"x-files": {"description": description, "content_types": list(content_types)}}


def _merged(responses: dict[Any, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key, value in responses.items():
        into = merged.setdefault(str(key), {})
        into.update(value)
    return dict(sorted(merged.items()))


def _complete_operation(method: str, operation: dict[str, Any]) -> None:
    responses = _merged(operation["responses"])
    files_extra = operation.pop("x-files", None)
    if files_extra is not None:
        responses["200"] = {
            "description": files_extra["description"],
            # Binary types first: a generated client reads the answer as the first type it
            # knows, and a file is bytes whatever its type.
            "content": {
                kind: {"schema": {"type": "object"} if kind == "application/json" else BINARY}
                for kind in sorted(
                    files_extra["content_types"],
                    key=lambda k: ("json" in k, k.startswith("text/")),
                )
            },
        }
    for status, response in responses.items():
        if int(status) >= 400:
            response["content"] = {PROBLEM_TYPE: {"schema": PROBLEM_REF}}
    parameters = operation.setdefault("parameters", [])
    if method == "get":
        parameters.append(_IF_NONE_MATCH)
        responses["200"].setdefault("headers", {})["ETag"] = _ETAG
        responses["304"] = {
            "description": "Not Modified: the ETag sent as If-None-Match is still current.",
            "headers": {"ETag": _ETAG},
        }
    if "412" in responses:
        parameters.append(_IF_MATCH)
        for status in ("200", "201"):
            if status in responses:
                responses[status].setdefault("headers", {})["ETag"] = _ETAG
    if "201" in responses:
        responses["201"].setdefault("headers", {})["Location"] = _LOCATION
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        responses["415"] = {
            "description": "Unsupported Media Type: send the body as application/json.",
            "content": {PROBLEM_TYPE: {"schema": PROBLEM_REF}},
        }
    operation["responses"] = dict(sorted(responses.items()))


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """The document django-ninja built, completed as the module's docstring says."""
    seen: dict[str, str] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            _complete_operation(method, operation)
            op_id = operation["operationId"]
            if op_id in seen or not re.fullmatch(r"[a-z][A-Za-z0-9]*", op_id):
                raise ValueError(f"{method} {path}: operationId {op_id!r} is used or malformed")
            seen[op_id] = path
    return document
