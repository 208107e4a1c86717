"""What the plan and comparison pages compute, as data: gaps to the targets, sequencing
warnings, the projected stage per policy over time, the council totals (all from
vertebra.planning) and the comparison of two cycles (vertebra.reports.compare)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query

from vertebra.api.analysis_schemas import (
    ComparisonOut,
    GapsOut,
    ProjectionOut,
    TotalsOut,
    WarningsOut,
)
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import assessment_url
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import ComparisonQuery, reading
from vertebra.api.scope import assessment_in, membership
from vertebra.assessments.models import Assessment
from vertebra.planning.domain import plan_of
from vertebra.planning.roadmap import NO_POLICY, NO_YEAR, TotalsRow
from vertebra.reports.compare import DifferentModelsError, StageChange, compare

router = ApiRouter(tags=["analyses"])

PLAN = "/cities/{city}/assessments/{assessment_id}/plan"


def _url(request: HttpRequest, assessment: Assessment, *parts: object) -> str:
    return assessment_url(request, assessment.city.slug, assessment.uuid, *parts)


def _action_url(request: HttpRequest, assessment: Assessment, action: Any) -> str:
    return _url(request, assessment, "actions", action.uuid)


@router.get(PLAN + "/gaps", response=reading({200: GapsOut}), summary="Read the gaps to targets")
def get_plan_gaps(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """Per policy, today's stage, the target and the objectives still to reach it, each with the
    open actions for it: the plan page's table."""
    assessment = assessment_in(membership(request, city), assessment_id)
    plan = plan_of(assessment)
    gaps = plan.gaps()
    return {
        "url": _url(request, assessment, "plan", "gaps"),
        "assessment": _url(request, assessment),
        "uncovered": gaps.uncovered,
        "policies": [
            {
                "policy": p.code,
                "name": plan.shape.policy_name[p.code],
                "stage": p.result.stage,
                "target": p.result.target,
                "target_date": p.target_date,
                "to_target": [
                    {
                        "code": o.code,
                        "stage": o.stage,
                        "text": o.text,
                        "actions": [_action_url(request, assessment, a) for a in o.actions],
                    }
                    for o in p.objectives
                ],
            }
            for p in gaps.policies
        ],
    }


@router.get(
    PLAN + "/warnings", response=reading({200: WarningsOut}), summary="Read sequencing warnings"
)
def get_plan_warnings(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """Open actions due before the open lower-stage objectives of their policy: under the staged
    rule, finishing higher-stage work first does not raise the stage."""
    assessment = assessment_in(membership(request, city), assessment_id)
    plan = plan_of(assessment)
    shape = plan.shape
    return {
        "url": _url(request, assessment, "plan", "warnings"),
        "assessment": _url(request, assessment),
        "warnings": [
            {
                "action": _action_url(request, assessment, w.action),
                "action_title": w.action.title,
                "objective": w.objective,
                "policy": shape.objective_policy[w.objective],
                "due_date": w.due_date,
                "blocking": [{"objective": c, "due_date": d} for c, d in w.blocking],
            }
            for w in plan.warnings()
        ],
    }


@router.get(
    PLAN + "/projection",
    response=reading({200: ProjectionOut}),
    summary="Read the projected stage per policy over time",
)
def get_plan_projection(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """The roadmap: the stage of each policy over time if planned and in-progress actions
    finish on their due dates, and when (and whether) each target is reached."""
    assessment = assessment_in(membership(request, city), assessment_id)
    plan = plan_of(assessment)
    result = plan.projection()
    shape = plan.shape
    return {
        "url": _url(request, assessment, "plan", "projection"),
        "assessment": _url(request, assessment),
        "dates": list(result.dates),
        "policies": [
            {
                "policy": p.code,
                "name": shape.policy_name[p.code],
                "stage": p.stage,
                "target": p.target,
                "target_date": p.target_date,
                "steps": [{"date": s.date, "stage": s.stage} for s in p.steps],
                "final_stage": p.final_stage,
                "target_met_now": p.target_met_now,
                "reaches_target_on": p.reaches_target_on,
                "late": p.late,
                "unplanned": list(p.unplanned),
            }
            for p in (result.policies[code] for code in shape.policy_codes)
        ],
    }


def _figures(row: TotalsRow) -> dict[str, Any]:
    return {
        "count": row.count,
        "costs": {currency: f"{amount:.2f}" for currency, amount in row.cost_list},
        "without_cost": row.without_cost,
    }


@router.get(PLAN + "/totals", response=reading({200: TotalsOut}), summary="Read council totals")
def get_plan_totals(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """Actions that are not cancelled and their estimated costs (per currency, never
    converted), by policy, stage, due year and status, and overall."""
    assessment = assessment_in(membership(request, city), assessment_id)
    result = plan_of(assessment).totals()
    return {
        "url": _url(request, assessment, "plan", "totals"),
        "assessment": _url(request, assessment),
        "by_policy": [
            {"policy": None if r.key == NO_POLICY else r.key, **_figures(r)}
            for r in result.by_policy
        ],
        "by_stage": [
            {"stage": None if r.key == NO_POLICY else r.key, **_figures(r)} for r in result.by_stage
        ],
        "by_year": [
            {"year": None if r.key == NO_YEAR else r.key, **_figures(r)} for r in result.by_year
        ],
        "by_status": [{"status": r.key, **_figures(r)} for r in result.by_status],
        "overall": _figures(result.overall),
    }


# --- comparison of two cycles --------------------------------------------------------------


def _older_of(member: Any, newer: Assessment, older_id: uuid.UUID | None) -> Assessment:
    """The assessment to compare with: the one named, else the cycle ``newer`` continues, else
    the latest one of the same model before it (as the comparison page chooses)."""
    if older_id is not None:
        if older_id == newer.uuid:
            message = _("Choose another assessment than the one compared.")
            raise ApiError(422, _(INVALID), details={"older": message})
        try:
            return assessment_in(member, older_id)
        except Http404:
            message = _("No assessment with this id in this city.")
            raise ApiError(422, _(INVALID), details={"older": message}) from None
    if newer.previous is not None:
        return assessment_in(member, newer.previous.uuid)
    earlier = (
        member.city.assessments.filter(
            date__lt=newer.date,
            framework_version__framework_id=newer.framework_version.framework_id,
        )
        .order_by("-date", "-created_at", "-id")
        .values_list("uuid", flat=True)
        .first()
    )
    if earlier is None:
        message = _("There is no earlier assessment of this city; name one with 'older'.")
        raise ApiError(422, _(INVALID), details={"older": message})
    return assessment_in(member, earlier)


def _change(change: StageChange | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "code": change.code,
        "name": change.name,
        "old": change.old,
        "new": change.new,
        "direction": "up" if change.direction > 0 else "down",
    }


@router.get(
    "/cities/{city}/assessments/{assessment_id}/comparison",
    response=reading({200: ComparisonOut}),
    summary="Compare an assessment with an earlier cycle",
)
def get_comparison(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, query: Query[ComparisonQuery]
) -> Any:
    """What changed from ``older`` (by default the cycle this one continues, else the latest
    earlier assessment) to this assessment: the city's stage, and the dimensions, policies and
    answers that changed."""
    member = membership(request, city)
    newer = assessment_in(member, assessment_id)
    older = _older_of(member, newer, query.older)
    try:
        result = compare(older=older, newer=newer)
    except DifferentModelsError as exc:
        raise ApiError(422, _(INVALID), details={"older": str(exc)}) from None
    changes = result.model_changes
    return {
        "url": _url(request, newer, "comparison") + f"?older={older.uuid}",
        "older": _url(request, older),
        "newer": _url(request, newer),
        "same_model": result.same_model,
        "unchanged": result.unchanged,
        "overall_old": result.older_profile.overall.stage,
        "overall_new": result.newer_profile.overall.stage,
        "overall": _change(result.overall),
        "dimensions": [_change(c) for c in result.dimensions],
        "policies": [_change(c) for c in result.policies],
        "objectives": [
            {"code": c.code, "text": c.text, "policy": c.policy, "old": c.old, "new": c.new}
            for c in result.objectives
        ],
        "model_changes": None
        if changes is None
        else {
            "older_version": older.framework_version.version,
            "newer_version": newer.framework_version.version,
            "added": [{"code": c.code, "text": c.new_text} for c in changes.added],
            "removed": [{"code": c.code, "text": c.old_text} for c in changes.removed],
            "changed": [
                {"code": c.code, "old_text": c.old_text, "new_text": c.new_text}
                for c in changes.changed
            ],
        },
    }
