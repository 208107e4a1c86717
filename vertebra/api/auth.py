"""``Authorization: Bearer <token>``: the token acts as its person, with their cities and roles."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from vertebra.accounts.models import User
from vertebra.api.tokens import user_for_key


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_key(token.strip())


def caller(request: HttpRequest) -> User:
    """The person behind the request's token (set by :class:`TokenAuth`)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
