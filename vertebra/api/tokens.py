"""Creating, checking and revoking personal API tokens.

A token is ``vt_`` followed by 43 URL-safe characters from ``secrets`` (256 bits). Only its
SHA-256 is stored, so a leaked database does not leak working tokens; a high-entropy key
needs no slow password hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from typing import TYPE_CHECKING

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.api.models import ApiToken
from vertebra.text import clean_text

if TYPE_CHECKING:
    from vertebra.accounts.models import User

logger = logging.getLogger("vertebra.api")

TOKEN_PREFIX = "vt_"  # noqa: S105 (not a secret: the visible start of every token)
PREFIX_SHOWN = 10
# ``last_used_at`` is written at most this often, so that reading does not turn into writing.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_NAME = 100


class TokenInputError(ValueError):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the person; the plain key is returned here and never again."""
    name = clean_text(name, single_line=True).strip()
    if not name:
        raise TokenInputError(_("Give the token a name, e.g. the script that will use it."))
    if len(name) > MAX_NAME:
        raise TokenInputError(
            _("A token name has at most %(limit)d characters.") % {"limit": MAX_NAME}
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_key(key), prefix=key[:PREFIX_SHOWN]
    )
    return token, key


def user_for_key(key: str) -> User | None:
    """The active person a key belongs to, or None for an unknown, revoked or malformed key."""
    token = token_for_key(key)
    return token.user if token is not None else None


def token_for_key(key: str) -> ApiToken | None:
    """The active token of an active person with this key, with its person, or None."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    _record_use(token)
    return token


def _record_use(token: ApiToken) -> None:
    """Note when the token was last used, at most once a minute; never fail the request for it.

    This is bookkeeping: a database that cannot take the write right now (locked, read-only,
    full) must not turn a read into an error. The savepoint keeps PostgreSQL's transaction
    usable after the failed write.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError as error:
        logger.warning("Could not record the use of API token %s: %s", token.prefix, error)


def revoke_token(*, user: User, token_id: uuid.UUID) -> ApiToken | None:
    """Revoke one of the person's own tokens; None when it is not theirs or does not exist."""
    token = ApiToken.objects.filter(user=user, uuid=token_id).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
