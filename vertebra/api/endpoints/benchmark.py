"""Opt-in benchmarking (vertebra.sharing.benchmark): how many other participating cities
stand at each stage of a model version, and where the caller's city stands. No response names
a city or holds a row per city."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query

from vertebra.api.benchmark_schemas import BenchmarkOut, BenchmarkQuery
from vertebra.api.errors import ApiError
from vertebra.api.links import city_url
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import Problem, reading
from vertebra.api.scope import membership
from vertebra.frameworks.models import FrameworkVersion
from vertebra.sharing.benchmark import BenchmarkError, Row, benchmark_for

router = ApiRouter(tags=["benchmark"])


def _row(row: Row) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "counts": [{"stage": stage, "cities": n} for stage, n in row.counts],
        "stage": row.stage,
        "position": row.position,
    }


@router.get(
    "/cities/{city}/benchmark",
    response=reading({200: BenchmarkOut, 403: Problem, 409: Problem}),
    summary="The benchmark of a model version among participating cities",
)
def get_benchmark(request: HttpRequest, city: str, query: Query[BenchmarkQuery]) -> Any:
    """For the participating cities of the model version, this city excluded: per policy,
    dimension and overall, how many stand at each stage, and where this city stands against
    their median. 403 (`not_opted_in`) when the city does not take part; 409
    (`not_enough_cities`) while fewer than 5 other cities contribute, with no figures."""
    member = membership(request, city)
    version = FrameworkVersion.objects.filter(
        framework_id=query.framework, version=query.version
    ).first()
    if version is None:
        raise ApiError(404, _("No such model version."))
    try:
        figures = benchmark_for(city=member.city, framework_version=version)
    except BenchmarkError as error:
        status = 403 if error.code == "not_opted_in" else 409
        raise ApiError(status, str(error), code=error.code) from None
    return {
        "url": city_url(request, member.city.slug, "benchmark")
        + f"?framework={version.framework_id}&version={version.version}",
        "framework": version.framework_id,
        "version": version.version,
        "other_cities": figures.other_cities,
        "contributes": figures.contributes,
        "overall": _row(figures.overall),
        "dimensions": [_row(r) for r in figures.dimensions],
        "policies": [_row(r) for r in figures.policies],
    }
