"""The API's router: every writing operation names the verb (vertebra.access) it needs.

``@router.patch(path, verb=Verb.EDIT_ANSWERS, ...)`` authenticates the token and checks the
caller's role in the path's city before django-ninja reads and validates the body (see
vertebra.api.auth). A writing operation without a verb fails at import, so no endpoint can
answer a non-member's or a viewer's request with anything but 404 or 403.

A critical friend is no member of the city: their operations name ``guest=REVIEWER`` (the
token's person must be the reviewer of the path's open ``{my_review_id}``, or 404, before the
body is read).

A workshop's participants have no account: their operations name ``guest=PARTICIPANT``
(the participant's credential for the path's ``{join_code}``, vertebra.api.auth) or, to join,
``guest=ANYONE`` (no credential; the domain function limits the rate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Router

from vertebra.access import Verb
from vertebra.api.auth import REVIEWER_PARAMETER, ParticipantAuth, ReviewerAuth, TokenAuth

READING = frozenset({"GET", "HEAD", "OPTIONS"})
PARTICIPANT = "participant"
ANYONE = "anyone"
# A critical friend's operations, under the path's {my_review_id} (vertebra.api.auth).
REVIEWER = "reviewer"


class ApiRouter(Router):
    def api_operation(
        self,
        methods: list[str],
        path: str,
        *,
        verb: Verb | None = None,
        guest: str | None = None,
        **kwargs: Any,
    ) -> Callable[..., Any]:
        writing = set(methods) - READING
        if guest == REVIEWER:
            if verb is not None or f"{{{REVIEWER_PARAMETER}}}" not in path or "{city}" in path:
                raise TypeError(
                    f"{path}: a reviewer's operation is under {{{REVIEWER_PARAMETER}}}, no verb"
                )
            kwargs["auth"] = ReviewerAuth()
            return super().api_operation(methods, path, **kwargs)
        if guest is not None:
            if verb is not None or "{join_code}" not in path or "{city}" in path:
                raise TypeError(f"{path}: a guest's operation is under {{join_code}}, no verb")
            kwargs["auth"] = ParticipantAuth() if guest == PARTICIPANT else None
            return super().api_operation(methods, path, **kwargs)
        if writing and verb is None:
            raise TypeError(f"{'/'.join(methods)} {path}: a writing operation needs verb=")
        if verb is not None:
            if "{city}" not in path:
                raise TypeError(f"{path}: a verb is checked in the path's {{city}}")
            kwargs["auth"] = TokenAuth(verb)
        return super().api_operation(methods, path, **kwargs)

    def get(self, path: str, *, guest: str | None = None, **kwargs: Any) -> Callable[..., Any]:
        return self.api_operation(["GET"], path, guest=guest, **kwargs)

    def post(
        self, path: str, *, verb: Verb | None = None, guest: str | None = None, **kwargs: Any
    ) -> Callable[..., Any]:
        return self.api_operation(["POST"], path, verb=verb, guest=guest, **kwargs)

    def put(
        self, path: str, *, verb: Verb | None = None, guest: str | None = None, **kwargs: Any
    ) -> Callable[..., Any]:
        return self.api_operation(["PUT"], path, verb=verb, guest=guest, **kwargs)

    def patch(
        self, path: str, *, verb: Verb | None = None, guest: str | None = None, **kwargs: Any
    ) -> Callable[..., Any]:
        return self.api_operation(["PATCH"], path, verb=verb, guest=guest, **kwargs)

    def delete(
        self, path: str, *, verb: Verb | None = None, guest: str | None = None, **kwargs: Any
    ) -> Callable[..., Any]:
        return self.api_operation(["DELETE"], path, verb=verb, guest=guest, **kwargs)
