"""Everything a report of one assessment shows, gathered in a fixed, small number of queries.

Exports (JSON, XLSX, CSV), the PDF and the comparison all read a :class:`ReportData`, so that
every format tells the same story.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import F, Prefetch
from django.utils import timezone

from vertebra.assessments.models import Answer, AnswerStatus, Assessment, Attachment
from vertebra.cities.models import City
from vertebra.frameworks.domain import shape_of
from vertebra.frameworks.models import Objective
from vertebra.maturity import Profile, Shape, profile
from vertebra.planning.models import Action, ActionStatus, Target
from vertebra.workshops import records

OPEN_ACTION_STATUSES = frozenset(
    {ActionStatus.PROPOSED, ActionStatus.PLANNED, ActionStatus.IN_PROGRESS}
)


@dataclass(frozen=True)
class ActionSummary:
    total: int
    by_status: dict[str, int]
    costs: dict[str, Decimal]  # currency -> total estimated cost
    overdue: list[Action]


@dataclass
class ReportData:
    assessment: Assessment
    shape: Shape
    answers: list[Answer]
    targets: list[Target]
    actions: list[Action]
    previous: Assessment | None
    previous_statuses: dict[str, str] | None
    today: dt.date

    @property
    def city(self) -> City:
        return self.assessment.city

    @cached_property
    def statuses(self) -> dict[str, str]:
        return {
            a.objective.code: a.status for a in self.answers if a.status != AnswerStatus.NOT_STARTED
        }

    @cached_property
    def target_stages(self) -> dict[str, str]:
        return {
            t.policy_code: t.stage_code
            for t in self.targets
            if t.policy_code in self.shape.policy_name and t.stage_code in self.shape.stage_index
        }

    @cached_property
    def profile(self) -> Profile:
        return profile(self.shape, self.statuses, targets=self.target_stages)

    @cached_property
    def previous_profile(self) -> Profile | None:
        if self.previous is None or self.previous_statuses is None:
            return None
        if self.previous.framework_version_id != self.assessment.framework_version_id:
            return None
        return profile(self.shape, self.previous_statuses)

    def profile_json(self) -> dict[str, object]:
        fv = self.assessment.framework_version
        return self.profile.to_json(framework=fv.framework_id, version=fv.version)

    # What stays of the assessment's workshops (vertebra.workshops.records), read when a
    # format shows it: a fixed number of queries whatever the number of workshops.

    @cached_property
    def workshops(self) -> list[records.WorkshopRecord]:
        return records.workshop_records(assessment=self.assessment, shape=self.shape)

    @cached_property
    def participation(self) -> records.Participation:
        """Across the workshops, from their records (no query of its own)."""
        return records.participation_of(self.workshops, list(self.city.stakeholder_types))

    @cached_property
    def ratings(self) -> list[records.RatingRow]:
        return records.rating_rows(assessment=self.assessment)

    @cached_property
    def decisions(self) -> list[records.DecisionRow]:
        return records.decision_rows(assessment=self.assessment)

    @cached_property
    def answers_by_code(self) -> dict[str, Answer]:
        return {a.objective.code: a for a in self.answers}

    @cached_property
    def action_summary(self) -> ActionSummary:
        by_status = Counter(a.status for a in self.actions)
        costs: dict[str, Decimal] = defaultdict(Decimal)
        for action in self.actions:
            if action.cost is not None and action.status != ActionStatus.CANCELLED:
                costs[action.currency] += action.cost
        overdue = [
            a
            for a in self.actions
            if a.due_date is not None
            and a.due_date < self.today
            and a.status in OPEN_ACTION_STATUSES
        ]
        return ActionSummary(
            total=len(self.actions),
            by_status={s.value: by_status.get(s.value, 0) for s in ActionStatus},
            costs=dict(sorted(costs.items())),
            overdue=overdue,
        )


def previous_cycle(assessment: Assessment) -> Assessment | None:
    """The cycle this one continues, or else the city's latest earlier assessment of the same
    maturity model (only those compare)."""
    if assessment.previous_id is not None:
        return Assessment.objects.filter(pk=assessment.previous_id).first()
    return (
        Assessment.objects.filter(
            city_id=assessment.city_id,
            date__lt=assessment.date,
            framework_version__framework_id=assessment.framework_version.framework_id,
        )
        .order_by("-date", "-created_at")
        .first()
    )


def answers_of(assessment: Assessment) -> list[Answer]:
    """The answers in the model's order, with the names of their attached files."""
    return list(
        Answer.objects.filter(assessment=assessment)
        .select_related("objective")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.only("id", "original_name").order_by("id"),
            )
        )
        .order_by("objective__position")
    )


def actions_of(assessment: Assessment) -> list[Action]:
    return list(
        Action.objects.filter(assessment=assessment)
        .select_related("owner_user")
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.order_by("position")),
            "notes",
        )
        .order_by(F("due_date").asc(nulls_last=True), "id")
    )


def report_data(assessment: Assessment, *, with_previous: bool = True) -> ReportData:
    """Load an assessment's report. ``assessment`` must come through the city scoping helper."""
    previous = previous_cycle(assessment) if with_previous else None
    previous_statuses = None
    if previous is not None:
        previous_statuses = dict(
            Answer.objects.filter(assessment=previous)
            .exclude(status=AnswerStatus.NOT_STARTED)
            .values_list("objective__code", "status")
        )
    return ReportData(
        assessment=assessment,
        shape=shape_of(assessment.framework_version),
        answers=answers_of(assessment),
        targets=list(Target.objects.filter(assessment=assessment).order_by("policy_code")),
        actions=actions_of(assessment),
        previous=previous,
        previous_statuses=previous_statuses,
        today=timezone.localdate(),
    )
