"""What a load balancer and a monitoring system ask a server (docs/DEPLOY.md, "The checks").

- ``GET /healthz``: the process answers (200, always, with no database or cache used);
- ``GET /readyz``: the database is reachable and migrated, the cache and the file storage
  are reachable: 200, or 503 naming what is down;
- ``GET /metrics``: Prometheus metrics (django-prometheus), for a request bearing
  ``VERTEBRA_METRICS_TOKEN`` or coming from ``VERTEBRA_METRICS_ALLOW``; for anyone else a
  plain 404, as for an address that does not exist.

None of them needs a session or says anything of a city or a person.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vertebra.storage import storage_reachable

logger = logging.getLogger(__name__)

_migrated = False  # once true in a process, it stays true: a process's own migrations do not change


def database_state() -> str:
    """ "ok", "unreachable" or "not migrated"."""
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                return "not migrated"
            _migrated = True
    except DatabaseError:
        logger.warning("The database does not answer", exc_info=True)
        return "unreachable"
    return "ok"


def cache_state() -> str:
    try:
        for alias in ("default", "fragments"):
            caches[alias].get("readyz")
    except Exception:
        logger.warning("The cache does not answer", exc_info=True)
        return "unreachable"
    return "ok"


def storage_state() -> str:
    return "ok" if storage_reachable() else "unreachable"


CHECKS: dict[str, Callable[[], str]] = {
    "database": database_state,
    "cache": cache_state,
    "storage": storage_state,
}


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    checks = {name: check() for name, check in CHECKS.items()}
    down = [name for name, state in checks.items() if state != "ok"]
    return JsonResponse(
        {"status": "down" if down else "ok", "down": down, "checks": checks},
        status=503 if down else 200,
    )


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOW)


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404()
    from django_prometheus.exports import ExportToDjangoView

    response: HttpResponse = ExportToDjangoView(request)
    return response
