"""The rules of a workshop's results, as pure functions (no Django): tests and the API rely
on them exactly (docs/WORKSHOPS.md).

- The *agreement* of an objective is the number of ratings equal to the most frequent status,
  divided by the number of ratings other than "unknown" ("don't know"); ``None`` when there
  are none.
- An objective is *flagged* for discussion when its agreement is below 0.6, or when its
  ratings include both "not started" and "achieved".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

UNKNOWN = "unknown"
NOT_STARTED = "not_started"
ACHIEVED = "achieved"
# The statuses a participant can give, in the order results list them.
STATUSES = ("not_started", "in_progress", "achieved", "not_applicable", UNKNOWN)
FLAG_BELOW = 0.6


@dataclass(frozen=True)
class Vote:
    """One participant's rating of one objective, as the rules see it."""

    stakeholder_type: str
    status: str


def distribution(statuses: Iterable[str]) -> dict[str, int]:
    """Status to number of ratings, every status listed (0 when none), in STATUSES order."""
    counts = Counter(statuses)
    return {status: counts[status] for status in STATUSES}


def agreement(statuses: Sequence[str]) -> float | None:
    """(ratings equal to the most frequent status) / (ratings other than "unknown")."""
    known = [s for s in statuses if s != UNKNOWN]
    if not known:
        return None
    most = Counter(known).most_common(1)[0][1]
    return most / len(known)


def flagged(statuses: Sequence[str]) -> bool:
    """Below 0.6 agreement, or both "not started" and "achieved" among the ratings."""
    value = agreement(statuses)
    if value is not None and value < FLAG_BELOW:
        return True
    return NOT_STARTED in statuses and ACHIEVED in statuses


def by_stakeholder_type(votes: Iterable[Vote]) -> dict[str, dict[str, int]]:
    """Stakeholder type to the distribution of its ratings (types that rated, by name)."""
    grouped: dict[str, list[str]] = {}
    for vote in votes:
        grouped.setdefault(vote.stakeholder_type, []).append(vote.status)
    return {kind: distribution(grouped[kind]) for kind in sorted(grouped)}


@dataclass(frozen=True)
class ObjectiveResult:
    code: str
    ratings: int
    distribution: dict[str, int]
    by_stakeholder_type: dict[str, dict[str, int]]
    agreement: float | None
    flagged: bool


def objective_result(code: str, votes: Sequence[Vote]) -> ObjectiveResult:
    statuses = [vote.status for vote in votes]
    return ObjectiveResult(
        code=code,
        ratings=len(votes),
        distribution=distribution(statuses),
        by_stakeholder_type=by_stakeholder_type(votes),
        agreement=agreement(statuses),
        flagged=flagged(statuses),
    )


def results(codes: Sequence[str], votes: Mapping[str, Sequence[Vote]]) -> list[ObjectiveResult]:
    """One result per objective code, in the order given (objectives nobody rated too)."""
    return [objective_result(code, votes.get(code, ())) for code in codes]


def participation(stakeholder_types: Iterable[str]) -> dict[str, int]:
    """Stakeholder type to number of participants, by name."""
    counts = Counter(stakeholder_types)
    return {kind: counts[kind] for kind in sorted(counts)}
