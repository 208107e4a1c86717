"""The city's public page for citizens, its open data (JSON, CSV) and its badge: no sign-in.

A city has them only while it publishes an assessment (``access.public_city``: 404 otherwise,
the same as for a city that does not exist). What they show is ``sharing.public.public_record``.
Each answer is kept per (city, public revision, language, format) for a short while; the
revision moves in the transaction that publishes or withdraws, and is read on every request,
so a withdrawn assessment is never served again. Browsers and proxies revalidate every time
(``Cache-Control: no-cache`` with an ``ETag``): a repeat visit is a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from vertebra import access, fragments
from vertebra.cities.models import City
from vertebra.explanations import stage_label
from vertebra.frameworks.domain import shape_of
from vertebra.l10n import day
from vertebra.reports.exports import csv_bytes
from vertebra.sharing.models import PublicProfile
from vertebra.sharing.public import public_record
from vertebra.web.presenters import cell_state_label

# How long a kept public answer may be reused while nothing was published or withdrawn (the
# action plan's summary may lag this much behind a change of an action).
KEPT_SECONDS = 60


def _record(city: City, profile: PublicProfile) -> dict[str, Any]:
    return public_record(city=city, profile=profile, published=access.published_assessments(city))


def _served(
    request: HttpRequest, city_slug: str, kind: str, make: Callable[[City, PublicProfile], bytes]
) -> HttpResponse:
    city = access.public_city(city_slug)
    profile = city.public_profile
    key = f"public:{fragments.generation()}:{city.pk}:{profile.revision}:{get_language()}:{kind}"
    cache = caches["fragments"]
    body = cache.get(key)
    if body is None:
        body = make(city, profile)
        cache.set(key, body, KEPT_SECONDS)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    response["Vary"] = "Accept-Language, Cookie"
    response["X-Content-Type-Options"] = "nosniff"
    if kind == "csv":
        response["Content-Disposition"] = f'attachment; filename="{city.slug}-resilience.csv"'
    return response


CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
}


def _day(value: str | None) -> str:
    return day(dt.date.fromisoformat(value)) if value else ""


def _page(request: HttpRequest) -> Callable[[City, PublicProfile], bytes]:
    def make(city: City, profile: PublicProfile) -> bytes:
        record = _record(city, profile)
        names = {s["code"]: s["name"] for s in record["stages"]}
        # Dates as the visitor's language writes them (the open data keeps ISO 8601).
        for row in [record["assessment"], *record["cycles"]]:
            row["date_shown"] = _day(row["date"])
        for policy in record["assessment"]["policies"]:
            policy["target_date_shown"] = _day(policy["target_date"])
            for key in ("due_from", "due_until"):
                policy["plan"][f"{key}_shown"] = _day(policy["plan"][key])
            for cell in policy["matrix"]:
                cell["label"] = cell_state_label(cell["state"])
        return render_to_string(
            "web/public.html",
            {
                "public_city": city,
                "record": record,
                "stage_names": names,
                "include_costs": profile.include_costs,
            },
            request=request,
        ).encode()

    return make


@require_GET
def public_page(request: HttpRequest, city_slug: str) -> HttpResponse:
    return _served(request, city_slug, "html", _page(request))


@require_GET
def public_json(request: HttpRequest, city_slug: str) -> HttpResponse:
    def make(city: City, profile: PublicProfile) -> bytes:
        record = _record(city, profile)
        return json.dumps(record, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False).encode()

    return _served(request, city_slug, "json", make)


CSV_HEADER = [
    "framework",
    "version",
    "licence",
    "assessment",
    "date",
    "level",
    "code",
    "name",
    "stage",
    "target",
    "target_date",
    "actions",
    "due_from",
    "due_until",
    "costs",
]


@require_GET
def public_csv(request: HttpRequest, city_slug: str) -> HttpResponse:
    def make(city: City, profile: PublicProfile) -> bytes:
        record = _record(city, profile)
        model, a = record["model"], record["assessment"]
        head = [
            model["framework"],
            model["version"],
            record["licence"]["id"],
            a["title"],
            a["date"],
        ]
        rows: list[list[Any]] = [[*head, "city", "", city.name, a["stage"], *[None] * 6]]
        for d in a["dimensions"]:
            rows.append([*head, "dimension", d["code"], d["name"], d["stage"], *[None] * 6])
        for p in a["policies"]:
            plan = p["plan"]
            costs = " ".join(f"{c['amount']} {c['currency']}" for c in plan.get("costs", []))
            rows.append(
                [
                    *head,
                    "policy",
                    p["code"],
                    p["name"],
                    p["stage"],
                    p["target"],
                    p["target_date"],
                    plan["actions"],
                    plan["due_from"],
                    plan["due_until"],
                    costs,
                ]
            )
        return csv_bytes(CSV_HEADER, rows)

    return _served(request, city_slug, "csv", make)


@require_GET
def public_badge(request: HttpRequest, city_slug: str) -> HttpResponse:
    def make(city: City, profile: PublicProfile) -> bytes:
        latest = access.published_assessments(city)[-1]
        stage = (latest.snapshot or {}).get("overall", {}).get("stage")
        shape = shape_of(latest.framework_version)
        label = stage_label(shape, stage)
        return render_to_string(
            "web/public_badge.svg",
            {"city_name": city.name, "stage": label, "width": 150 + 7 * len(label)},
        ).encode()

    return _served(request, city_slug, "svg", make)
