"""What stays after an assessment's workshops, read for the pages, the API and the reports.

- ``agreed_in``: per objective, the workshops whose decisions set its answer, the latest first
  ("agreed in <workshop> on <date>: N ratings, agreement X %");
- ``participation_in``: how many kinds of stakeholders took part across the workshops, against
  the city's list of stakeholder types;
- ``workshop_records``: per workshop, its participation per stakeholder type and, per covered
  objective, its results and the agreed answer (the PDF report's annex);
- ``rating_rows`` and ``decision_rows``: one row per rating and per decision (the exports).

Each reads the assessment's workshops in a fixed number of queries, whatever their number.
A participant's name leaves this module only through ``shown_name``: an anonymous workshop's
participants are "anonymous" everywhere.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from vertebra.assessments.models import Assessment
from vertebra.maturity import Shape
from vertebra.workshops import rules
from vertebra.workshops.domain import covered_in
from vertebra.workshops.models import Decision, Participant, Rating, Workshop

# What exports write instead of the name of an anonymous workshop's participant.
ANONYMOUS = "anonymous"


def shown_name(name: str, *, anonymous: bool) -> str:
    """A participant's name as every output shows it: never for an anonymous workshop."""
    return ANONYMOUS if anonymous else name


def share(agreement: float | None) -> int | None:
    """An agreement as a whole percentage, as people read it."""
    return None if agreement is None else round(agreement * 100)


# --- agreed answers per objective -----------------------------------------------------------


@dataclass(frozen=True)
class Agreed:
    """One workshop's decision on one objective: where, when, from how many ratings."""

    workshop: uuid.UUID
    title: str
    date: dt.date
    status: str
    progress: int | None
    note: str
    ratings: int
    agreement: float | None
    decided_at: dt.datetime

    @property
    def share(self) -> int | None:
        return share(self.agreement)


def agreed_in(
    *, assessment: Assessment, codes: Collection[str] | None = None
) -> dict[str, list[Agreed]]:
    """Objective code to the decisions of the assessment's workshops that set its answer, the
    latest first; a workshop that agreed an objective twice counts with its latest decision
    only. Only objectives with a decision are keys. One query."""
    rows = Decision.objects.filter(workshop__assessment=assessment)
    if codes is not None:
        rows = rows.filter(objective_code__in=list(codes))
    found: dict[str, list[Agreed]] = defaultdict(list)
    seen: set[tuple[str, int]] = set()
    columns = rows.order_by("-decided_at", "-id").values_list(
        "objective_code",
        "workshop_id",
        "workshop__uuid",
        "workshop__title",
        "workshop__date",
        "status",
        "progress",
        "note",
        "ratings",
        "agreement",
        "decided_at",
    )
    for code, workshop_id, key, title, date, status, progress, note, ratings, share_, at in columns:
        if (code, workshop_id) in seen:
            continue
        seen.add((code, workshop_id))
        found[code].append(Agreed(key, title, date, status, progress, note, ratings, share_, at))
    return dict(found)


# --- participation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    """Participants per stakeholder type across an assessment's workshops, and how many of
    the city's stakeholder types took part."""

    by_type: dict[str, int]  # every type that took part, by name
    city_types: list[str]  # the city's list, in its order
    workshops: int

    @property
    def engaged(self) -> list[str]:
        """The city's types that took part, in the city's order."""
        return [kind for kind in self.city_types if self.by_type.get(kind)]

    @property
    def missing(self) -> list[str]:
        """The city's types nobody of took part."""
        return [kind for kind in self.city_types if not self.by_type.get(kind)]

    @property
    def participants(self) -> int:
        return sum(self.by_type.values())

    @property
    def rows(self) -> list[tuple[str, int]]:
        """Participants per type: the city's list in its order (0 for a type nobody of took
        part), then any type that took part but is no longer on the list."""
        others = [kind for kind in self.by_type if kind not in self.city_types]
        return [(kind, self.by_type.get(kind, 0)) for kind in [*self.city_types, *others]]


def participation_in(*, assessment: Assessment, city_types: Sequence[str]) -> Participation:
    """One query: each workshop with its participants' stakeholder types."""
    rows = (
        Workshop.objects.filter(assessment=assessment)
        .order_by()
        .values_list("id", "participants__stakeholder_type")
    )
    workshops: set[int] = set()
    kinds: list[str] = []
    for workshop_id, kind in rows:
        workshops.add(workshop_id)
        if kind is not None:
            kinds.append(kind)
    return Participation(rules.participation(kinds), list(city_types), len(workshops))


# --- the annex of each workshop ---------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveRecord:
    result: rules.ObjectiveResult
    decision: Decision | None  # the latest agreed answer in this workshop

    @property
    def share(self) -> int | None:
        return share(self.result.agreement)


@dataclass(frozen=True)
class WorkshopRecord:
    workshop: Workshop
    participation: dict[str, int]
    objectives: list[ObjectiveRecord]

    @property
    def participants(self) -> int:
        return sum(self.participation.values())


def workshop_records(*, assessment: Assessment, shape: Shape) -> list[WorkshopRecord]:
    """Every workshop of the assessment, the earliest first, with its participation and, per
    covered objective, its results and agreed answer. Four queries."""
    workshops = list(
        Workshop.objects.filter(assessment=assessment).order_by("date", "created_at", "id")
    )
    votes: dict[int, dict[str, list[rules.Vote]]] = defaultdict(lambda: defaultdict(list))
    ratings = (
        Rating.objects.filter(participant__workshop__assessment=assessment)
        .order_by("participant__joined_at", "participant_id")
        .values_list(
            "participant__workshop_id",
            "objective_code",
            "participant__stakeholder_type",
            "status",
        )
    )
    for workshop_id, code, kind, status in ratings:
        votes[workshop_id][code].append(rules.Vote(kind, status))
    kinds: dict[int, list[str]] = defaultdict(list)
    for workshop_id, kind in Participant.objects.filter(
        workshop__assessment=assessment
    ).values_list("workshop_id", "stakeholder_type"):
        kinds[workshop_id].append(kind)
    decisions: dict[tuple[int, str], Decision] = {}
    for decision in Decision.objects.filter(workshop__assessment=assessment).order_by(
        "decided_at", "id"
    ):
        decisions[(decision.workshop_id, decision.objective_code)] = decision  # the latest wins
    records = []
    for workshop in workshops:
        workshop.assessment = assessment
        results = rules.results(covered_in(shape, workshop.policies), votes[workshop.pk])
        records.append(
            WorkshopRecord(
                workshop,
                rules.participation(kinds[workshop.pk]),
                [ObjectiveRecord(r, decisions.get((workshop.pk, r.code))) for r in results],
            )
        )
    return records


def participation_of(found: Sequence[WorkshopRecord], city_types: Sequence[str]) -> Participation:
    """``participation_in`` from workshops already read."""
    by_type: dict[str, int] = defaultdict(int)
    for record in found:
        for kind, count in record.participation.items():
            by_type[kind] += count
    return Participation(dict(sorted(by_type.items())), list(city_types), len(found))


# --- rows for the exports ---------------------------------------------------------------------


@dataclass(frozen=True)
class RatingRow:
    workshop: str
    date: dt.date
    participant: str  # the display name, or "anonymous"
    stakeholder_type: str
    objective: str
    status: str
    progress: int | None
    comment: str


def rating_rows(*, assessment: Assessment) -> list[RatingRow]:
    """Every rating of the assessment's workshops: by workshop (the earliest first), then
    participant (in the order they joined), then objective. One query."""
    rows = (
        Rating.objects.filter(participant__workshop__assessment=assessment)
        .order_by(
            "participant__workshop__date",
            "participant__workshop__created_at",
            "participant__workshop_id",
            "participant__joined_at",
            "participant_id",
            "objective_code",
        )
        .values_list(
            "participant__workshop__title",
            "participant__workshop__date",
            "participant__workshop__anonymous",
            "participant__name",
            "participant__stakeholder_type",
            "objective_code",
            "status",
            "progress",
            "comment",
        )
    )
    return [
        RatingRow(
            title,
            date,
            shown_name(name, anonymous=anonymous),
            kind,
            code,
            status,
            progress,
            comment,
        )
        for title, date, anonymous, name, kind, code, status, progress, comment in rows
    ]


@dataclass(frozen=True)
class DecisionRow:
    workshop: str
    date: dt.date
    objective: str
    status: str
    progress: int | None
    note: str
    ratings: int
    agreement: int | None  # percent
    decided_by: str
    decided_at: dt.datetime


def decision_rows(*, assessment: Assessment) -> list[DecisionRow]:
    """Every agreed answer of the assessment's workshops, in the order they were agreed.
    One query."""
    rows = (
        Decision.objects.filter(workshop__assessment=assessment)
        .order_by("decided_at", "id")
        .values_list(
            "workshop__title",
            "workshop__date",
            "objective_code",
            "status",
            "progress",
            "note",
            "ratings",
            "agreement",
            "decided_by__email",
            "decided_at",
        )
    )
    return [
        DecisionRow(
            title, date, code, status, progress, note, ratings, share(agreement), by or "", at
        )
        for title, date, code, status, progress, note, ratings, agreement, by, at in rows
    ]
