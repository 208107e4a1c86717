"""Faults of the machine, told apart from bugs: a full disk, a database that cannot take a write.

Such a fault is not the person's mistake and not a bug in Vertebra, and trying again later
usually works. Pages (vertebra.middleware) and the API (vertebra.api.errors) answer it with
the same statuses and codes:

- 507 ``storage_full``: the disk or quota is full (ENOSPC, EDQUOT), for a file or for the
  database itself (SQLite's "database or disk is full", PostgreSQL's ``disk_full``);
- 503 ``database_unavailable`` with ``Retry-After``: the database is locked, read-only, out
  of reach or failing to read or write its files (``OperationalError`` and PostgreSQL's
  read-only transaction, shutdown and resource errors).

Anything else is a bug and stays a 500.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from django.db import DatabaseError, OperationalError
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 30

# PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": read-only transaction,
# insufficient resources (class 53), operator intervention (class 57P: shutdown, starting up).
DISK_FULL_SQLSTATE = "53100"
UNAVAILABLE_SQLSTATES = ("25006", "53", "57P")
FULL_TEXTS = ("database or disk is full", "no space left on device", "disk quota exceeded")


@dataclass(frozen=True)
class Fault:
    status: int
    code: str
    retry_after: int | None = None


STORAGE_FULL = Fault(507, "storage_full")
DATABASE_UNAVAILABLE = Fault(503, "database_unavailable", RETRY_AFTER_SECONDS)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from or during (Django wraps driver errors)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 5:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _sqlstate(exc: BaseException) -> str:
    for cause in _causes(exc):
        code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(code, str):
            return code
    return ""


def fault_of(exc: BaseException) -> Fault | None:
    """The fault ``exc`` stands for, or None when it is not a fault of the machine."""
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return STORAGE_FULL
    if not isinstance(exc, DatabaseError):
        return None
    sqlstate = _sqlstate(exc)
    text = str(exc).lower()
    if sqlstate == DISK_FULL_SQLSTATE or any(full in text for full in FULL_TEXTS):
        return STORAGE_FULL
    if isinstance(exc, OperationalError) or sqlstate.startswith(UNAVAILABLE_SQLSTATES):
        return DATABASE_UNAVAILABLE
    return None


def explain(fault: Fault, *, writing: bool) -> tuple[str, str]:
    """What happened and what to do, for people: (message, advice)."""
    if fault is STORAGE_FULL:
        cause = _("the server's storage is full")
        advice = _("Try again later, and tell your administrator: space must be freed.")
    else:
        cause = (
            _("the database cannot take changes right now")
            if writing
            else _("the database is not available right now")
        )
        advice = _("Try again in a minute. If it keeps happening, tell your administrator.")
    if writing:
        return _("Your change was NOT saved: %(cause)s.") % {"cause": cause}, advice
    return _("This cannot be shown right now: %(cause)s.") % {"cause": cause}, advice
