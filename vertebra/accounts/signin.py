"""Sign-in protection (django-axes): whose failures count together, and lifting a lock.

Failures are counted per email address, written as people are stored (trimmed, lower case),
so ``Ana@City.example`` and ``ana@city.example `` count against the same address. Counting
does not depend on whether an account with that address exists, so the answer to a locked
address never tells whether it does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def normalized_email(email: str) -> str:
    return email.strip().lower()


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The address a sign-in attempt is counted against (``AXES_USERNAME_CALLABLE``)."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    if not isinstance(value, str):
        return None
    return normalized_email(value)


def failures_of(email: str) -> int:
    """Failed sign-ins counted against ``email`` that still count (within the lock time)."""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = (
        AccessAttempt.objects.filter(
            username=normalized_email(email), attempt_time__gte=since
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return int(total)


def is_locked(email: str) -> bool:
    return failures_of(email) >= settings.SIGNIN_FAILURE_LIMIT


def unlock(email: str) -> int:
    """Forget the failed sign-ins of ``email``; the number of records removed."""
    from axes.models import AccessAttempt

    removed, _ = AccessAttempt.objects.filter(username=normalized_email(email)).delete()
    return int(removed)
