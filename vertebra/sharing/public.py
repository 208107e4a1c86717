"""The public page for citizens: what a city chose to publish, as a page, JSON, CSV and badge.

An admin publishes final assessments and may withdraw them; each change is recorded
(``SharingEvent``) and moves the city's public revision, which keys the kept public pages, in
the same transaction. :func:`public_record` is the one description of what is public, which
the page, the open data and the badge all show: the stages per policy and dimension, the
matrix, the trend over the published cycles and a summary of the action plan by policy
(counts, target stages and dates). It holds no person's name, no evidence, notes, links or
file names, and costs only when the city includes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.assessments.domain import profile_of
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City
from vertebra.frameworks.domain import shape_of
from vertebra.planning.domain import actions_of
from vertebra.sharing.models import (
    LICENCE_URLS,
    Licence,
    Publication,
    PublicProfile,
    SharingEvent,
)

NO_POLICY = ""  # actions that serve no objective


class PublishError(Exception):
    """A publication that cannot be made; the message says why."""


def _bump(city: City, **choices: Any) -> PublicProfile:
    profile, _created = PublicProfile.objects.get_or_create(city=city)
    PublicProfile.objects.filter(pk=profile.pk).update(revision=F("revision") + 1, **choices)
    profile.refresh_from_db()
    return profile


def _event(
    city: City, kind: str, by: User | None, assessment: Assessment, detail: str = ""
) -> None:
    SharingEvent.objects.create(
        city=city,
        kind=kind,
        assessment=assessment,
        detail=detail,
        by=by,
        by_email=by.email if by is not None else "",
        at=timezone.now(),
    )


def check_choices(licence: Any, include_costs: Any) -> dict[str, str]:
    """The problems of a licence and the costs choice, by field."""
    errors: dict[str, str] = {}
    if licence not in Licence.values:
        errors["licence"] = _("Choose one of the licences offered: %(licences)s.") % {
            "licences": ", ".join(Licence.values)
        }
    if not isinstance(include_costs, bool):
        errors["include_costs"] = _("Say yes or no.")
    return errors


def publish(
    *, assessment: Assessment, by: User | None, licence: str, include_costs: bool
) -> Publication:
    """Publish a final assessment of the city under ``licence`` (the city's licence for all its
    published data). A draft cannot be published: it still changes."""
    errors = check_choices(licence, include_costs)
    if errors:
        raise PublishError(" ".join(errors.values()))
    if not assessment.is_final:
        raise PublishError(_("Only a final assessment can be published: finalize it first."))
    with transaction.atomic():
        publication, created = Publication.objects.get_or_create(
            assessment=assessment,
            defaults={"city_id": assessment.city_id, "published_by": by},
        )
        _bump(assessment.city, licence=licence, include_costs=include_costs)
        if created:
            _event(assessment.city, SharingEvent.Kind.PUBLISHED, by, assessment, licence)
    return publication


def set_choices(*, city: City, licence: str, include_costs: bool) -> PublicProfile:
    """Change the licence and whether costs show, for everything the city publishes."""
    errors = check_choices(licence, include_costs)
    if errors:
        raise PublishError(" ".join(errors.values()))
    with transaction.atomic():
        return _bump(city, licence=licence, include_costs=include_costs)


def unpublish(*, assessment: Assessment, by: User | None) -> bool:
    """Withdraw a published assessment: from this moment no page or file shows it. False when
    it was not published."""
    with transaction.atomic():
        deleted, _rows = Publication.objects.filter(assessment=assessment).delete()
        if not deleted:
            return False
        _bump(assessment.city)
        _event(assessment.city, SharingEvent.Kind.UNPUBLISHED, by, assessment)
    return True


# --- what is public ------------------------------------------------------------------------


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _plan_summary(assessment: Assessment, *, include_costs: bool) -> dict[str, dict[str, Any]]:
    """Per policy: the number of actions (cancelled ones left out) by status, the range of
    their due dates and, when included, their estimated costs per currency."""
    summary: dict[str, dict[str, Any]] = {}
    for action in actions_of(assessment):
        if action.status == "cancelled":
            continue
        codes = sorted({o.policy_code for o in action.objectives.all()}) or [NO_POLICY]
        for code in codes:
            row = summary.setdefault(
                code, {"actions": 0, "by_status": {}, "due_from": None, "due_until": None}
            )
            row["actions"] += 1
            row["by_status"][action.status] = row["by_status"].get(action.status, 0) + 1
            if action.due_date is not None:
                if row["due_from"] is None or action.due_date < row["due_from"]:
                    row["due_from"] = action.due_date
                if row["due_until"] is None or action.due_date > row["due_until"]:
                    row["due_until"] = action.due_date
            if include_costs:
                costs = row.setdefault("costs", {})
                if action.cost is not None:
                    costs[action.currency] = costs.get(action.currency, Decimal(0)) + action.cost
    for row in summary.values():
        for key in ("due_from", "due_until"):
            row[key] = row[key].isoformat() if isinstance(row[key], dt.date) else None
        if "costs" in row:
            row["costs"] = [
                {"currency": currency, "amount": _money(amount)}
                for currency, amount in sorted(row["costs"].items())
            ]
    return summary


def public_record(
    *, city: City, profile: PublicProfile, published: Sequence[Assessment]
) -> dict[str, Any]:
    """Everything the city's public page, open data and badge show (``published``: its
    published assessments, oldest first, with their model versions and snapshots)."""
    latest = published[-1]
    fv = latest.framework_version
    shape = shape_of(fv)
    engine = profile_of(latest)
    snapshot = latest.snapshot or {}
    targets = {t.policy_code: t for t in latest.targets.all()}
    plan = _plan_summary(latest, include_costs=profile.include_costs)
    empty_plan = {"actions": 0, "by_status": {}, "due_from": None, "due_until": None}
    if profile.include_costs:
        empty_plan["costs"] = []
    policies = []
    for code in shape.policy_codes:
        result = engine.policies[code]
        target = targets.get(code)
        policies.append(
            {
                "code": code,
                "name": shape.policy_name[code],
                "dimension": shape.policy_dimension[code],
                "stage": snapshot.get("policies", {}).get(code, {}).get("stage", result.stage),
                "matrix": [
                    {
                        "stage": cell.stage,
                        "objectives": cell.total,
                        "achieved": cell.achieved,
                        "in_progress": cell.in_progress,
                        "not_applicable": cell.not_applicable,
                        "state": cell.state,
                    }
                    for cell in result.cells
                ],
                "target": target.stage_code if target else None,
                "target_date": target.target_date.isoformat()
                if target and target.target_date
                else None,
                "plan": plan.get(code, dict(empty_plan)),
            }
        )
    return {
        "city": {"name": city.name, "country": city.country},
        "licence": {"id": profile.licence, "url": LICENCE_URLS[Licence(profile.licence)]},
        "model": {"framework": fv.framework_id, "version": fv.version, "name": fv.name},
        "stages": [{"code": c, "name": shape.stage_names[c]} for c in shape.stage_codes],
        "assessment": {
            "title": latest.title,
            "date": latest.date.isoformat(),
            "stage": snapshot.get("overall", {}).get("stage", engine.overall.stage),
            "dimensions": [
                {
                    "code": code,
                    "name": shape.dimension_name[code],
                    "stage": snapshot.get("dimensions", {}).get(code, {}).get("stage"),
                }
                for code in shape.dimension_codes
            ],
            "policies": policies,
            "actions_without_policy": plan.get(NO_POLICY, dict(empty_plan)),
        },
        "cycles": [
            {
                "title": a.title,
                "date": a.date.isoformat(),
                "framework": a.framework_version.framework_id,
                "version": a.framework_version.version,
                "stage": (a.snapshot or {}).get("overall", {}).get("stage"),
                "dimensions": {
                    code: d.get("stage")
                    for code, d in (a.snapshot or {}).get("dimensions", {}).items()
                },
            }
            for a in published
        ],
    }
