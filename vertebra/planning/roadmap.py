"""Read-only analyses of an action plan: sequencing warnings, projected stages, council totals.

Nothing here touches the database: callers pass the model's shape, the assessment's statuses,
the targets and the actions (with their objectives prefetched, see ``domain.actions_of``), and
these functions compute with the maturity engine.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from vertebra.maturity import Shape, profile

DONE = frozenset({"achieved", "not_applicable"})
# Actions the projection assumes will finish on their due dates.
PLANNED = frozenset({"planned", "in_progress"})
NO_POLICY = ""
NO_YEAR = 0


class _Objective(Protocol):
    code: str
    policy_code: str
    stage_code: str


class _Objectives(Protocol):
    def all(self) -> Iterable[_Objective]: ...


class PlanAction(Protocol):
    """What the analyses read of an action (a ``planning.models.Action`` fits)."""

    title: str
    status: str
    start_date: dt.date | None
    due_date: dt.date | None
    cost: Decimal | None
    currency: str

    @property
    def objectives(self) -> _Objectives: ...


# ---------------------------------------------------------------------------------------------
# Sequencing


@dataclass(frozen=True)
class SequencingWarning:
    """An action for ``objective`` is due before lower-stage objectives of the same policy.

    ``blocking`` lists each open lower-stage objective (stage order, then model order) with the
    earliest due date of an action for it, or None when no action for it has a due date.
    """

    action: PlanAction
    objective: str
    due_date: dt.date
    blocking: tuple[tuple[str, dt.date | None], ...]


def _due_dates(actions: Sequence[PlanAction]) -> dict[str, dt.date]:
    """The earliest due date of a non-cancelled action per objective code."""
    due: dict[str, dt.date] = {}
    for action in actions:
        if action.status == "cancelled" or action.due_date is None:
            continue
        for objective in action.objectives.all():
            known = due.get(objective.code)
            if known is None or action.due_date < known:
                due[objective.code] = action.due_date
    return due


def sequencing_warnings(
    *, shape: Shape, statuses: Mapping[str, str], actions: Sequence[PlanAction]
) -> list[SequencingWarning]:
    """Open actions due before the open lower-stage objectives of their policy are due.

    Under the staged rule a higher stage only counts once every stage below it is met, so
    finishing higher-stage work first does not raise the stage. Actions that are done or
    cancelled, have no due date, or serve only objectives already done, are not checked.
    """
    due = _due_dates(actions)
    warnings: list[SequencingWarning] = []
    for action in actions:
        if action.status in ("done", "cancelled") or action.due_date is None:
            continue
        for objective in action.objectives.all():
            if statuses.get(objective.code) in DONE:
                continue
            below = shape.policy_stage_objectives[objective.policy_code][
                : shape.stage_index[objective.stage_code]
            ]
            blocking = tuple(
                (code, due.get(code))
                for stage_codes in below
                for code in stage_codes
                if statuses.get(code) not in DONE
                and (due.get(code) is None or due[code] > action.due_date)
            )
            if blocking:
                warnings.append(
                    SequencingWarning(action, objective.code, action.due_date, blocking)
                )
    return warnings


# ---------------------------------------------------------------------------------------------
# Projection


@dataclass(frozen=True)
class Step:
    """From ``date`` on, the policy is projected to stand at ``stage`` (None: no stage)."""

    date: dt.date
    stage: str | None


@dataclass(frozen=True)
class PolicyProjection:
    code: str
    stage: str | None  # today
    target: str | None
    target_date: dt.date | None
    steps: tuple[Step, ...]  # each date the projected stage changes, in date order
    final_stage: str | None  # once every planned action is finished
    target_met_now: bool
    reaches_target_on: dt.date | None  # None when the plan does not reach the target
    # Objectives toward the target with no planned or in-progress action with a due date.
    unplanned: tuple[str, ...]

    @property
    def late(self) -> bool:
        """The plan reaches the target, but after the target date."""
        return bool(
            self.reaches_target_on
            and self.target_date
            and self.reaches_target_on > self.target_date
        )


@dataclass(frozen=True)
class Projection:
    policies: dict[str, PolicyProjection]
    dates: tuple[dt.date, ...]  # the due dates of planned actions, in order


def project(
    *,
    shape: Shape,
    statuses: Mapping[str, str],
    actions: Sequence[PlanAction],
    targets: Mapping[str, str],
    target_dates: Mapping[str, dt.date | None] | None = None,
) -> Projection:
    """The stage of each policy over time if planned actions finish on their due dates.

    Planned and in-progress actions with a due date count; on each due date their objectives
    become achieved (not-applicable ones stay so) and the engine recomputes the profile.
    """
    target_dates = target_dates or {}
    by_date: dict[dt.date, set[str]] = defaultdict(set)
    for action in actions:
        if action.status in PLANNED and action.due_date is not None:
            by_date[action.due_date].update(o.code for o in action.objectives.all())
    now = profile(shape, statuses, targets=targets)
    current = dict(statuses)
    stages = {code: p.stage for code, p in now.policies.items()}
    steps: dict[str, list[Step]] = {code: [] for code in shape.policy_codes}
    reached: dict[str, dt.date] = {}
    index = shape.stage_index

    def meets(policy: str, stage: str | None) -> bool:
        target = targets.get(policy)
        return target is not None and stage is not None and index[stage] >= index[target]

    dates = tuple(sorted(by_date))
    for date in dates:
        for code in by_date[date]:
            if current.get(code) != "not_applicable":
                current[code] = "achieved"
        later = profile(shape, current)
        for code, result in later.policies.items():
            if result.stage != stages[code]:
                stages[code] = result.stage
                steps[code].append(Step(date, result.stage))
                if code not in reached and meets(code, result.stage):
                    reached[code] = date
    planned_codes = {code for codes in by_date.values() for code in codes}
    policies = {}
    for code, result in now.policies.items():
        met_now = meets(code, result.stage)
        policies[code] = PolicyProjection(
            code=code,
            stage=result.stage,
            target=result.target,
            target_date=target_dates.get(code),
            steps=tuple(steps[code]),
            final_stage=stages[code],
            target_met_now=met_now,
            reaches_target_on=None if met_now else reached.get(code),
            unplanned=tuple(c for c in result.to_target if c not in planned_codes),
        )
    return Projection(policies, dates)


# ---------------------------------------------------------------------------------------------
# Totals


@dataclass
class TotalsRow:
    """Count of actions and their estimated cost per currency (never converted)."""

    key: str | int
    count: int = 0
    costs: dict[str, Decimal] = field(default_factory=dict)
    without_cost: int = 0

    def add(self, action: PlanAction) -> None:
        self.count += 1
        if action.cost is None:
            self.without_cost += 1
        else:
            self.costs[action.currency] = self.costs.get(action.currency, Decimal(0)) + action.cost

    @property
    def cost_list(self) -> list[tuple[str, Decimal]]:
        return sorted(self.costs.items())


@dataclass(frozen=True)
class Totals:
    """Actions that are not cancelled, by policy, stage and due year, and overall.

    An action serving objectives of several policies (or stages) counts in each of their rows,
    so a column of rows can add up to more than the overall line, which counts each action once.
    Actions without objectives fall in the policy and stage rows keyed "" (NO_POLICY), actions
    without a due date in the year row keyed 0 (NO_YEAR).
    """

    by_policy: list[TotalsRow]
    by_stage: list[TotalsRow]
    by_year: list[TotalsRow]
    by_status: list[TotalsRow]
    overall: TotalsRow


def totals(*, shape: Shape, actions: Sequence[PlanAction]) -> Totals:
    policies = {code: TotalsRow(code) for code in (*shape.policy_codes, NO_POLICY)}
    stages = {code: TotalsRow(code) for code in (*shape.stage_codes, NO_POLICY)}
    years: dict[int, TotalsRow] = {}
    statuses = {s: TotalsRow(s) for s in ("proposed", "planned", "in_progress", "done")}
    overall = TotalsRow("overall")
    for action in actions:
        if action.status == "cancelled":
            continue
        overall.add(action)
        statuses[action.status].add(action)
        objectives = list(action.objectives.all())
        for code in sorted({o.policy_code for o in objectives}) or [NO_POLICY]:
            policies[code].add(action)
        for code in {o.stage_code for o in objectives} or {NO_POLICY}:
            stages[code].add(action)
        year = action.due_date.year if action.due_date else NO_YEAR
        years.setdefault(year, TotalsRow(year)).add(action)
    year_rows = [years[y] for y in sorted(years) if y != NO_YEAR]
    if NO_YEAR in years:
        year_rows.append(years[NO_YEAR])
    return Totals(
        by_policy=[r for r in policies.values() if r.count or r.key != NO_POLICY],
        by_stage=[r for r in stages.values() if r.count or r.key != NO_POLICY],
        by_year=year_rows,
        by_status=list(statuses.values()),
        overall=overall,
    )
