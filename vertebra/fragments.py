"""Rendered page parts kept for reuse, so that a page seen again costs a lookup, not a rendering.

A part's key names everything that shows in it: the assessment's revision (a counter on
the assessment that every write bumps in its own transaction, see
``vertebra.assessments.domain.count_change``), the model version, the language, the time zone
and what the person may do. Any saved change gives a new key, so a part is never shown
out of date for the data in it. People's names are the one thing outside the key: a renamed
or removed account starts a new *generation* of kept parts (``forget_all``), a number kept in
the same cache as the parts and named in every key, so the old parts are never looked up
again.

Parts live in the "fragments" cache (settings.CACHES): one per server process by default, or
Redis shared by every server process with ``VERTEBRA_CACHE_URL``. The generation lives
beside them, so a rename through one server shows on the next page from every server that
shares the cache (with the memory cache, other processes show it within
``FRAGMENT_SECONDS``). A cache that does not answer is passed over: the page is rendered
whole and nothing is kept (a warning is logged; /readyz says the cache is down).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from redis.exceptions import RedisError

# Stands for the per-request CSRF field in kept parts. A raw "<" never comes from escaped
# text, so it cannot be forged by anything a person typed.
CSRF_PLACEHOLDER = "<!--vertebra:csrf-input-->"

logger = logging.getLogger(__name__)

# What a cache that does not answer raises (Redis down or too slow).
CACHE_DOWN = (RedisError, OSError)
GENERATION_KEY = "generation"


def _generation() -> str:
    """The current generation of kept parts. Never expires; a new random one when the cache
    lost it (restarted, or evicted it), so that no part of an earlier generation matches."""
    cache = caches["fragments"]
    value = cache.get(GENERATION_KEY)
    if not isinstance(value, str):
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return str(value)


def generation() -> str:
    """The current generation, for parts kept outside this module's keys (the public pages'
    bytes): a key with it is not looked up again after ``forget_all``."""
    return _generation()


def _name(kind: str, key: tuple[Hashable, ...]) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=20).hexdigest()
    return f"{kind}:{digest}"


def _full_name(kind: str, key: tuple[Hashable, ...], generation: str) -> str:
    # Every part has texts or times: the active language and time zone are in every key.
    return _name(kind, (*key, get_language(), timezone.get_current_timezone_name(), generation))


# What of an assessment shows in its kept parts, as ``values_list`` names: its revision and its
# own fields as the request loaded them (so before the data they stand for), its city and
# model version. One list for both ways of reading it: from a loaded assessment (below), and
# from the database without loading it (``access.assessment_states``).
STATE_FIELDS = (
    "uuid",
    "revision",
    "city__slug",
    "title",
    "date",
    "status",
    "previous_id",
    "created_at",
    "created_by_id",
    "finalized_at",
    "finalized_by_id",
    "framework_version_id",
    "framework_version__digest",
)


def assessment_state(assessment: Any) -> tuple[Hashable, ...]:
    """:data:`STATE_FIELDS` of a loaded assessment. It comes from the scoping path, with its
    city and model version set."""
    state = []
    for name in STATE_FIELDS:
        value = assessment
        for part in name.split("__"):
            value = getattr(value, part)
        state.append(value)
    return tuple(state)


def tag(kind: str, key: tuple[Hashable, ...]) -> str:
    """An HTTP entity tag for the part: equal exactly when the part is the same."""
    return '"' + _full_name(kind, key, "").partition(":")[2] + '"'


def look_up(kind: str, key: tuple[Hashable, ...]) -> str | None:
    """The kept part for the key, if there is one."""
    return look_up_many(kind, [key]).get(key)


def look_up_many(kind: str, keys: list[tuple[Hashable, ...]]) -> dict[tuple[Hashable, ...], str]:
    """The kept parts for those of the keys that have one, in one round trip to the cache."""
    try:
        generation = _generation()
        names = {_full_name(kind, key, generation): key for key in keys}
        found: dict[str, Any] = caches["fragments"].get_many(list(names))
    except CACHE_DOWN:
        logger.warning("The cache of kept page parts does not answer", exc_info=True)
        return {}
    return {names[name]: value for name, value in found.items() if isinstance(value, str)}


def keep(kind: str, key: tuple[Hashable, ...], value: str) -> None:
    keep_many(kind, {key: value})


def keep_many(kind: str, parts: dict[tuple[Hashable, ...], str]) -> None:
    try:
        generation = _generation()
        caches["fragments"].set_many(
            {_full_name(kind, key, generation): value for key, value in parts.items()}
        )
    except CACHE_DOWN:
        logger.warning("The cache of kept page parts does not answer", exc_info=True)


def kept(kind: str, key: tuple[Hashable, ...], build: Callable[[], str]) -> str:
    """The part for the key, built by ``build`` the first time it is needed."""
    value = look_up(kind, key)
    if value is None:
        value = build()
        keep(kind, key, value)
    return value


def with_csrf(html: str, csrf_input: str) -> str:
    """A kept part with this request's CSRF field in place of the placeholder."""
    return html.replace(CSRF_PLACEHOLDER, csrf_input)


def csrf_input(request: HttpRequest) -> str:
    """This request's hidden CSRF field, as ``{% csrf_token %}`` writes it."""
    return str(
        format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
    )


def forget_all(**_: Any) -> None:
    """Start a new generation: no part kept before is looked up again (they expire)."""
    try:
        caches["fragments"].set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except CACHE_DOWN:
        logger.warning("The cache of kept page parts does not answer", exc_info=True)


def _person_changed(update_fields: frozenset[str] | None = None, **_: Any) -> None:
    """A person's name or address shows in kept parts: drop them when either may have changed."""
    if update_fields is None or {"name", "email"} & set(update_fields):
        forget_all()


def connect_signals() -> None:
    from vertebra.accounts.models import User

    post_save.connect(_person_changed, sender=User, dispatch_uid="vertebra-fragments-user-saved")
    post_delete.connect(forget_all, sender=User, dispatch_uid="vertebra-fragments-user-deleted")
