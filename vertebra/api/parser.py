"""JSON bodies whose text every database can store, sent as JSON.

A body sent with another content type (a form, plain text) is refused with 415 before it is
read as JSON.

PostgreSQL's text cannot hold the NUL character, and no database can store half of a UTF-16
surrogate pair, which JSON's \\u escapes can express. Such text is refused here with a
problem document (422), naming where it is, before anything reaches the database.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser
from ninja.types import DictStrAny

from vertebra.api.errors import ApiError


def unstorable_text(value: Any, path: str = "body") -> dict[str, str]:
    """The places in a parsed JSON document whose text cannot be stored."""
    found: dict[str, str] = {}
    if isinstance(value, str):
        problem = None
        if "\x00" in value:
            problem = _("Text may not contain the NUL character (\\u0000).")
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problem = _("Text contains broken Unicode (half of a surrogate pair).")
        if problem:
            found[path] = problem
    elif isinstance(value, dict):
        for key, item in value.items():
            found.update(unstorable_text(key, f"{path}.{key}"))
            found.update(unstorable_text(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(unstorable_text(item, f"{path}.{index}"))
    return found


def is_json(content_type: str) -> bool:
    """``application/json`` or any ``+json`` type, whatever its parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class StorableJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = request.headers.get("Content-Type", "")
        if not is_json(content_type):
            raise ApiError(
                415,
                _("Send the body as JSON, with 'Content-Type: application/json' (got %(type)s).")
                % {"type": repr(content_type[:80]) if content_type else _("no Content-Type")},
            )
        document = json.loads(request.body)
        problems = unstorable_text(document)
        if problems:
            raise ApiError(422, _("Some text in the request cannot be stored."), details=problems)
        return cast(DictStrAny, document)
