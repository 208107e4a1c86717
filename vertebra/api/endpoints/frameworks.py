"""Maturity models: the list of loaded versions, and one version with its whole model."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query

from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import FrameworkDetail, FrameworkPage, PageQuery, reading
from vertebra.api.serializers import framework_json
from vertebra.frameworks.domain import framework_of
from vertebra.frameworks.models import FrameworkVersion

router = ApiRouter(tags=["frameworks"])


@router.get("/frameworks", response=reading({200: FrameworkPage}), summary="List maturity models")
def list_frameworks(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Every loaded version of every maturity model, newest version first."""
    versions = FrameworkVersion.objects.annotate(n=Count("objectives")).order_by(
        "framework_id", "-version"
    )
    return paginate(request, versions, page, lambda fv: framework_json(request, fv, fv.n))


@router.get(
    "/frameworks/{framework_id}/{version}",
    response=reading({200: FrameworkDetail}),
    summary="Read one maturity model version",
)
def get_framework(request: HttpRequest, framework_id: str, version: int) -> dict[str, Any]:
    """One version with its whole model: stages, dimensions, policies and objectives."""
    fv = (
        FrameworkVersion.objects.annotate(n=Count("objectives"))
        .filter(framework_id=framework_id, version=version)
        .first()
    )
    if fv is None:
        raise Http404(_("No such maturity model version."))
    data = framework_json(request, fv, fv.n)
    data["model"] = framework_of(fv)
    return data
