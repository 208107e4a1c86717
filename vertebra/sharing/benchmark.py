"""Opt-in benchmarking: how many cities stand at each stage, and where this city stands.

What a city shares is exactly :func:`consent_text`: the stage of each policy, each dimension
and the city in its latest final assessment of each model version; never names, evidence,
notes, people or plans. A city that has not opted in contributes nothing and sees nothing.

Counts are kept per model version in ``BenchmarkFigures`` and recomputed from the entries in
the transaction that opts a city in or out or finalizes an assessment, with the figures' row
locked, so two changes at once never leave a count that misses one of them. Serving reads the
figures' row and the asking city's own entry: the city's own contribution is taken out of the
counts it is shown, and figures are shown only when at least :data:`MIN_OTHER_CITIES` other
cities contribute. No result names a city or holds a row per city.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.assessments.models import Assessment, AssessmentStatus
from vertebra.cities.models import City
from vertebra.frameworks.domain import shape_of
from vertebra.frameworks.models import FrameworkVersion
from vertebra.maturity import Shape
from vertebra.sharing.models import BenchmarkEntry, BenchmarkFigures, SharingEvent

# Figures are shown only when at least this many cities, the asking city excluded, contribute.
MIN_OTHER_CITIES = 5
NO_STAGE = ""  # the stage key of "no stage reached yet" in the counts


class BenchmarkError(Exception):
    """Why a city is shown no figures; ``code`` names it for the API."""

    code = "benchmark"


class NotOptedInError(BenchmarkError):
    code = "not_opted_in"

    def __init__(self) -> None:
        super().__init__(
            _(
                "This city does not take part in benchmarking. Its admins can opt in on the "
                "city's Sharing page; until then it sees no figures and contributes none."
            )
        )


class NotEnoughCitiesError(BenchmarkError):
    code = "not_enough_cities"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Not enough cities yet: figures are shown once at least %(count)d other cities "
                "that use this model version take part."
            )
            % {"count": MIN_OTHER_CITIES}
        )


def consent_text() -> str:
    """What an admin agrees to when opting the city in, in the active language."""
    return _(
        "Our city shares, with the other cities on this server that also take part, the "
        "maturity stage of each policy, each dimension and the city as a whole in our latest "
        "final assessment of each model version. Nothing else is shared: not the city's name, "
        "no answers, evidence, notes, files, people or action plans. Other cities see only "
        "how many cities stand at each stage, and only when at least %(count)d cities besides "
        "their own take part. We can stop at any time: our stages then leave the figures at "
        "once."
    ) % {"count": MIN_OTHER_CITIES}


# --- contributions -------------------------------------------------------------------------


def stages_of(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The stage codes of a final assessment's snapshot: all that a city contributes."""
    return {
        "overall": snapshot["overall"]["stage"],
        "dimensions": {code: d["stage"] for code, d in snapshot["dimensions"].items()},
        "policies": {code: p["stage"] for code, p in snapshot["policies"].items()},
    }


def _latest_final(city_id: int, framework_version_id: int) -> Assessment | None:
    return (
        Assessment.objects.filter(
            city=city_id,
            framework_version=framework_version_id,
            status=AssessmentStatus.FINAL,
        )
        .order_by("-date", "-finalized_at", "-id")
        .only("pk", "snapshot")
        .first()
    )


def _locked_figures(framework_version_id: int) -> BenchmarkFigures:
    """The version's figures row, held until the transaction ends."""
    BenchmarkFigures.objects.get_or_create(framework_version_id=framework_version_id)
    return BenchmarkFigures.objects.select_for_update().get(
        framework_version_id=framework_version_id
    )


def recount(figures: BenchmarkFigures) -> None:
    """Count the entries of the figures' model version again (the row is locked)."""
    overall: dict[str, int] = {}
    dimensions: dict[str, dict[str, int]] = {}
    policies: dict[str, dict[str, int]] = {}
    contributors = 0
    rows = BenchmarkEntry.objects.filter(framework_version=figures.framework_version_id)
    for stages in rows.values_list("stages", flat=True).iterator(chunk_size=2000):
        contributors += 1
        key = stages["overall"] or NO_STAGE
        overall[key] = overall.get(key, 0) + 1
        for group, found in (("dimensions", dimensions), ("policies", policies)):
            for code, stage in stages[group].items():
                counts = found.setdefault(code, {})
                counts[stage or NO_STAGE] = counts.get(stage or NO_STAGE, 0) + 1
    figures.contributors = contributors
    figures.counts = {"overall": overall, "dimensions": dimensions, "policies": policies}
    figures.save(update_fields=["contributors", "counts", "updated_at"])


def _refresh(city_id: int, framework_version_id: int) -> None:
    """The city's entry for the version from its latest final assessment, and the recount."""
    figures = _locked_figures(framework_version_id)
    latest = _latest_final(city_id, framework_version_id)
    if latest is None or latest.snapshot is None:
        BenchmarkEntry.objects.filter(city=city_id, framework_version=framework_version_id).delete()
    else:
        BenchmarkEntry.objects.update_or_create(
            city_id=city_id,
            framework_version_id=framework_version_id,
            defaults={"assessment_id": latest.pk, "stages": stages_of(latest.snapshot)},
        )
    recount(figures)


def _versions_with_final(city_id: int) -> list[int]:
    return sorted(
        set(
            Assessment.objects.filter(city=city_id, status=AssessmentStatus.FINAL).values_list(
                "framework_version_id", flat=True
            )
        )
    )


def _event(city: City, kind: str, by: User | None, detail: str = "") -> None:
    SharingEvent.objects.create(
        city=city,
        kind=kind,
        detail=detail,
        by=by,
        by_email=by.email if by is not None else "",
        at=timezone.now(),
    )


def opt_in(*, city: City, by: User | None) -> bool:
    """Opt the city in (recorded with who, when and the consent text); at once, its latest
    final assessment of each model version counts. False when it already took part."""
    with transaction.atomic():
        locked = City.objects.select_for_update().get(pk=city.pk)
        if locked.share_for_benchmarking:
            return False
        City.objects.filter(pk=city.pk).update(share_for_benchmarking=True)
        city.share_for_benchmarking = True
        _event(city, SharingEvent.Kind.OPTED_IN, by, consent_text())
        for version_id in _versions_with_final(city.pk):
            _refresh(city.pk, version_id)
    return True


def opt_out(*, city: City, by: User | None) -> bool:
    """Opt the city out: its stages leave every figure in the same transaction. False when
    it did not take part."""
    with transaction.atomic():
        locked = City.objects.select_for_update().get(pk=city.pk)
        if not locked.share_for_benchmarking:
            return False
        City.objects.filter(pk=city.pk).update(share_for_benchmarking=False)
        city.share_for_benchmarking = False
        _event(city, SharingEvent.Kind.OPTED_OUT, by)
        versions = sorted(
            set(
                BenchmarkEntry.objects.filter(city=city.pk).values_list(
                    "framework_version_id", flat=True
                )
            )
        )
        for version_id in versions:
            figures = _locked_figures(version_id)
            BenchmarkEntry.objects.filter(city=city.pk, framework_version=version_id).delete()
            recount(figures)
    return True


def on_finalized(sender: Any, *, assessment: Assessment, **kwargs: Any) -> None:
    """A finalization in an opted-in city counts at once (inside finalize's transaction)."""
    del sender, kwargs
    # The city's row is held, so an opt-out in progress is waited for and then seen.
    sharing = City.objects.select_for_update().filter(pk=assessment.city_id)
    if any(sharing.values_list("share_for_benchmarking", flat=True)):
        _refresh(assessment.city_id, assessment.framework_version_id)


def rebuild_all() -> None:
    """Every entry and count again from the final assessments of the opted-in cities (after a
    restore, whose rows may come from an older version)."""
    with transaction.atomic():
        BenchmarkEntry.objects.all().delete()
        BenchmarkFigures.objects.all().delete()
        pairs = (
            Assessment.objects.filter(
                status=AssessmentStatus.FINAL, city__share_for_benchmarking=True
            )
            .values_list("city_id", "framework_version_id")
            .distinct()
        )
        entries = []
        for city_id, version_id in sorted(set(pairs)):
            latest = _latest_final(city_id, version_id)
            if latest is not None and latest.snapshot is not None:
                entries.append(
                    BenchmarkEntry(
                        city_id=city_id,
                        framework_version_id=version_id,
                        assessment_id=latest.pk,
                        stages=stages_of(latest.snapshot),
                    )
                )
        BenchmarkEntry.objects.bulk_create(entries, batch_size=500)
        for version_id in FrameworkVersion.objects.values_list("pk", flat=True):
            recount(_locked_figures(version_id))


# --- what a city is shown ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One policy, dimension or the city: how many other cities stand at each stage (lowest
    first, "no stage yet" before them), this city's stage, and where it stands."""

    code: str
    name: str
    counts: list[tuple[str | None, int]]
    stage: str | None
    position: str | None  # "behind", "same" or "ahead" of the median; None without a stage

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass(frozen=True)
class Benchmark:
    framework_version: FrameworkVersion
    other_cities: int
    contributes: bool  # whether this city's own stages count (it has a final assessment)
    overall: Row
    dimensions: list[Row]
    policies: list[Row]


def _position(own: str | None, counts: list[tuple[str | None, int]], shape: Shape) -> str:
    def rank(stage: str | None) -> int:
        return -1 if stage is None else shape.stage_index[stage]

    ranks = [rank(stage) for stage, n in counts for _ in range(n)]
    median = statistics.median(ranks)
    mine = rank(own)
    return "behind" if mine < median else "ahead" if mine > median else "same"


def _row(
    shape: Shape,
    code: str,
    name: str,
    all_counts: Mapping[str, int],
    own: Mapping[str, Any] | None,
    own_stage: str | None,
) -> Row:
    counts = dict(all_counts)
    if own is not None:  # the city's own contribution is not among the others
        key = own_stage or NO_STAGE
        counts[key] = counts.get(key, 0) - 1
    ordered: list[tuple[str | None, int]] = [(None, counts.get(NO_STAGE, 0))]
    ordered += [(stage, counts.get(stage, 0)) for stage in shape.stage_codes]
    position = _position(own_stage, ordered, shape) if own is not None else None
    return Row(code, name, ordered, own_stage if own is not None else None, position)


def benchmark_for(*, city: City, framework_version: FrameworkVersion) -> Benchmark:
    """The figures shown to ``city`` for a model version (two queries).

    Raises NotOptedInError when the city does not take part, NotEnoughCitiesError when fewer
    than MIN_OTHER_CITIES other cities contribute."""
    if not city.share_for_benchmarking:
        raise NotOptedInError()
    figures = BenchmarkFigures.objects.filter(framework_version=framework_version.pk).first()
    own_entry = (
        BenchmarkEntry.objects.filter(city=city.pk, framework_version=framework_version.pk)
        .values_list("stages", flat=True)
        .first()
    )
    contributors = figures.contributors if figures is not None else 0
    others = contributors - (1 if own_entry is not None else 0)
    if figures is None or others < MIN_OTHER_CITIES:
        raise NotEnoughCitiesError()
    shape = shape_of(framework_version)
    counts = figures.counts
    own = own_entry

    def own_stage(group: str, code: str) -> str | None:
        return None if own is None else own[group].get(code)

    return Benchmark(
        framework_version=framework_version,
        other_cities=others,
        contributes=own is not None,
        overall=_row(
            shape,
            "overall",
            _("The city"),
            counts["overall"],
            own,
            None if own is None else own["overall"],
        ),
        dimensions=[
            _row(
                shape,
                code,
                shape.dimension_name[code],
                counts["dimensions"].get(code, {}),
                own,
                own_stage("dimensions", code),
            )
            for code in shape.dimension_codes
        ],
        policies=[
            _row(
                shape,
                code,
                shape.policy_name[code],
                counts["policies"].get(code, {}),
                own,
                own_stage("policies", code),
            )
            for code in shape.policy_codes
        ],
    )
