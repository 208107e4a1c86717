"""The API's router: every writing operation names the verb (vertebra.access) it needs.

``@router.patch(path, verb=Verb.EDIT_ANSWERS, ...)`` authenticates the token and checks the
caller's role in the path's city before django-ninja reads and validates the body (see
vertebra.api.auth). A writing operation without a verb fails at import, so no endpoint can
answer a non-member's or a viewer's request with anything but 404 or 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Router

from vertebra.access import Verb
from vertebra.api.auth import TokenAuth

READING = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiRouter(Router):
    def api_operation(
        self, methods: list[str], path: str, *, verb: Verb | None = None, **kwargs: Any
    ) -> Callable[..., Any]:
        writing = set(methods) - READING
        if writing and verb is None:
            raise TypeError(f"{'/'.join(methods)} {path}: a writing operation needs verb=")
        if verb is not None:
            if "{city}" not in path:
                raise TypeError(f"{path}: a verb is checked in the path's {{city}}")
            kwargs["auth"] = TokenAuth(verb)
        return super().api_operation(methods, path, **kwargs)

    def post(self, path: str, *, verb: Verb, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self.api_operation(["POST"], path, verb=verb, **kwargs)

    def put(self, path: str, *, verb: Verb, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self.api_operation(["PUT"], path, verb=verb, **kwargs)

    def patch(self, path: str, *, verb: Verb, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self.api_operation(["PATCH"], path, verb=verb, **kwargs)

    def delete(self, path: str, *, verb: Verb, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self.api_operation(["DELETE"], path, verb=verb, **kwargs)
