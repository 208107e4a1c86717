"""Comparing assessment cycles of one city: what changed between two, and stages over all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.cities.models import City
from vertebra.frameworks.domain import VersionChanges, objective_titles, shape_of, version_changes
from vertebra.maturity import Profile, Shape, profile

# How far along a status is: an objective that moves to a lower rank went back.
STATUS_RANK = {
    AnswerStatus.NOT_STARTED.value: 0,
    AnswerStatus.IN_PROGRESS.value: 1,
    AnswerStatus.ACHIEVED.value: 2,
    AnswerStatus.NOT_APPLICABLE.value: 2,
}


@dataclass(frozen=True)
class StatusChange:
    code: str
    text: str
    policy: str
    old: str
    new: str

    @property
    def went_back(self) -> bool:
        """A regression: achieved (or not applicable) no more, or in progress no more."""
        return STATUS_RANK.get(self.new, 0) < STATUS_RANK.get(self.old, 0)


@dataclass(frozen=True)
class StageChange:
    code: str
    name: str
    old: str | None
    new: str | None
    # +1 when the newer cycle stands higher, -1 when lower.
    direction: int


class DifferentModelsError(ValueError):
    """Two assessments on different maturity models have nothing to compare."""

    def __init__(self, older: Assessment, newer: Assessment) -> None:
        super().__init__(
            _(
                "“%(older)s” uses the maturity model %(older_model)s and “%(newer)s” uses "
                "%(newer_model)s: only assessments of the same model can be compared."
            )
            % {
                "older": older.title,
                "newer": newer.title,
                "older_model": older.framework_version.name,
                "newer_model": newer.framework_version.name,
            }
        )


@dataclass(frozen=True)
class Comparison:
    older: Assessment
    newer: Assessment
    shape: Shape
    same_model: bool
    older_profile: Profile
    newer_profile: Profile
    objectives: list[StatusChange]
    policies: list[StageChange]
    dimensions: list[StageChange]
    overall: StageChange | None
    # Between two versions of the model: the objectives added, removed and changed.
    model_changes: VersionChanges | None = None

    @property
    def unchanged(self) -> bool:
        return not (self.objectives or self.policies or self.dimensions or self.overall)


def _level(shape: Shape, stage: str | None) -> int:
    return -1 if stage is None else shape.stage_index[stage]


def _stage_change(
    shape: Shape, code: str, name: str, old: str | None, new: str | None
) -> StageChange | None:
    if old == new:
        return None
    direction = 1 if _level(shape, new) > _level(shape, old) else -1
    return StageChange(code=code, name=name, old=old, new=new, direction=direction)


def _statuses(assessment: Assessment) -> dict[str, str]:
    return dict(
        Answer.objects.filter(assessment=assessment)
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("objective__code", "status")
    )


def compare_statuses(
    *,
    older: Assessment,
    newer: Assessment,
    shape: Shape,
    older_statuses: dict[str, str],
    newer_statuses: dict[str, str],
    objective_texts: dict[str, str],
) -> Comparison:
    """The comparison from statuses already loaded (the PDF has them at hand).

    Raises :class:`DifferentModelsError` for assessments of two different models."""
    if older.framework_version.framework_id != newer.framework_version.framework_id:
        raise DifferentModelsError(older, newer)
    same_model = older.framework_version_id == newer.framework_version_id
    codes = set(shape.objective_codes)
    old_known = {c: s for c, s in older_statuses.items() if c in codes}
    old_p = profile(shape, old_known)
    new_p = profile(shape, newer_statuses)
    objectives = []
    for code in shape.objective_codes:
        old = older_statuses.get(code, AnswerStatus.NOT_STARTED.value)
        new = newer_statuses.get(code, AnswerStatus.NOT_STARTED.value)
        if old != new:
            objectives.append(
                StatusChange(
                    code=code,
                    text=objective_texts.get(code, ""),
                    policy=shape.objective_policy[code],
                    old=old,
                    new=new,
                )
            )
    policies = [
        change
        for code, p in new_p.policies.items()
        if (change := _stage_change(shape, code, p.name, old_p.policies[code].stage, p.stage))
    ]
    dimensions = [
        change
        for code, d in new_p.dimensions.items()
        if (change := _stage_change(shape, code, d.name, old_p.dimensions[code].stage, d.stage))
    ]
    overall = _stage_change(shape, "overall", "", old_p.overall.stage, new_p.overall.stage)
    return Comparison(
        older=older,
        newer=newer,
        shape=shape,
        same_model=same_model,
        older_profile=old_p,
        newer_profile=new_p,
        objectives=objectives,
        policies=policies,
        dimensions=dimensions,
        overall=overall,
        model_changes=None
        if same_model
        else version_changes(older.framework_version, newer.framework_version),
    )


def compare(*, older: Assessment, newer: Assessment) -> Comparison:
    """What changed from ``older`` to ``newer`` (two assessments of the same city and model).

    Both come through the city scoping helper. Objectives are matched by code; with different
    versions of the model the newer one's is used, codes it lacks are left out, and
    ``model_changes`` lists the objectives the newer version added, removed or changed.
    Raises :class:`DifferentModelsError` for assessments of two different models.
    """
    if older.city_id != newer.city_id:
        raise ValueError(_("Only assessments of the same city can be compared."))
    shape = shape_of(newer.framework_version)
    texts = objective_titles(newer.framework_version)
    return compare_statuses(
        older=older,
        newer=newer,
        shape=shape,
        older_statuses=_statuses(older),
        newer_statuses=_statuses(newer),
        objective_texts=texts,
    )


@dataclass(frozen=True)
class TrendPoint:
    assessment: Assessment
    shape: Shape
    profile: Profile


def trend(city: City) -> list[TrendPoint]:
    """Every assessment of the city, oldest first, with its profile (a fixed number of queries)."""
    assessments = list(
        Assessment.objects.filter(city=city).with_framework().order_by("date", "created_at")
    )
    statuses: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(assessment__city=city)
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("assessment_id", "objective__code", "status")
    )
    for assessment_id, code, status in rows:
        statuses[assessment_id][code] = status
    points = []
    for a in assessments:
        shape = shape_of(a.framework_version)
        points.append(TrendPoint(assessment=a, shape=shape, profile=profile(shape, statuses[a.pk])))
    return points


def _stage_label(shape: Shape, code: str | None) -> str:
    return _("no stage yet") if code is None else shape.stage_names[code]


def present(comparison: Comparison) -> dict[str, object]:
    """The comparison with names and labels filled in, for templates (web page and PDF)."""
    shape = comparison.shape
    labels = dict(AnswerStatus.choices)

    def stage_row(change: StageChange) -> dict[str, object]:
        return {
            "code": change.code,
            "name": change.name,
            "old": _stage_label(shape, change.old),
            "new": _stage_label(shape, change.new),
            "up": change.direction > 0,
        }

    changes = comparison.model_changes
    return {
        "older": comparison.older,
        "newer": comparison.newer,
        "same_model": comparison.same_model,
        "model_changes": None
        if changes is None
        else {
            "older_version": comparison.older.framework_version.version,
            "newer_version": comparison.newer.framework_version.version,
            "added": changes.added,
            "removed": changes.removed,
            "changed": changes.changed,
            "none": changes.none,
        },
        "unchanged": comparison.unchanged,
        "overall": stage_row(comparison.overall) if comparison.overall else None,
        "overall_old": _stage_label(shape, comparison.older_profile.overall.stage),
        "overall_new": _stage_label(shape, comparison.newer_profile.overall.stage),
        "dimensions": [stage_row(c) for c in comparison.dimensions],
        "policies": [stage_row(c) for c in comparison.policies],
        "objectives": [
            {
                "code": c.code,
                "text": c.text,
                "policy": c.policy,
                "old": labels.get(c.old, c.old),
                "new": labels.get(c.new, c.new),
                "old_code": c.old,
                "new_code": c.new,
                "went_back": c.went_back,
            }
            for c in comparison.objectives
        ],
        "regressions": sum(1 for c in comparison.objectives if c.went_back),
    }
