"""Response shapes of the plan's analyses and of the comparison of two cycles."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from vertebra.api.schemas import AnswerStatusCode, Schema

# --- gaps to the targets -------------------------------------------------------------------


class GapObjective(Schema):
    code: str
    stage: str
    text: str
    actions: list[str] = Field(
        description="Addresses of the open actions (proposed, planned, in progress) for it."
    )


class PolicyGaps(Schema):
    policy: str
    name: str
    stage: str | None = Field(description="Today's stage, or null for none yet.")
    target: str | None
    target_date: dt.date | None
    to_target: list[GapObjective] = Field(
        description="Objectives not done at the target stage or below: lowest stage first, "
        "then model order, as the engine gives them. Empty without a target."
    )


class GapsOut(Schema):
    url: str
    assessment: str
    uncovered: int = Field(description="Objectives toward the targets with no open action.")
    policies: list[PolicyGaps] = Field(description="Every policy, in model order.")


# --- sequencing warnings -------------------------------------------------------------------


class BlockingObjective(Schema):
    objective: str
    due_date: dt.date | None = Field(
        description="The earliest due date of an action for it, or null when none has one."
    )


class SequencingWarningOut(Schema):
    action: str = Field(description="Address of the action due too early.")
    action_title: str
    objective: str = Field(description="The objective of that action.")
    policy: str
    due_date: dt.date
    blocking: list[BlockingObjective] = Field(
        description="Open lower-stage objectives of the same policy due later or not planned."
    )


class WarningsOut(Schema):
    url: str
    assessment: str
    warnings: list[SequencingWarningOut]


# --- projection ----------------------------------------------------------------------------


class ProjectionStep(Schema):
    date: dt.date
    stage: str | None = Field(description="The projected stage from this date on.")


class PolicyProjectionOut(Schema):
    policy: str
    name: str
    stage: str | None = Field(description="Today's stage.")
    target: str | None
    target_date: dt.date | None
    steps: list[ProjectionStep] = Field(description="Each date the projected stage changes.")
    final_stage: str | None = Field(description="Once every planned action is finished.")
    target_met_now: bool
    reaches_target_on: dt.date | None = Field(
        description="When the plan reaches the target; null when it does not (or already did)."
    )
    late: bool = Field(description="The plan reaches the target after the target date.")
    unplanned: list[str] = Field(
        description="Objectives toward the target with no planned or in-progress action "
        "with a due date."
    )


class ProjectionOut(Schema):
    url: str
    assessment: str
    dates: list[dt.date] = Field(description="The due dates of planned actions, in order.")
    policies: list[PolicyProjectionOut] = Field(description="Every policy, in model order.")


# --- council totals ------------------------------------------------------------------------


class TotalsFigures(Schema):
    count: int = Field(description="Actions that are not cancelled.")
    costs: dict[str, str] = Field(
        description="Estimated cost per currency as decimal strings, never converted."
    )
    without_cost: int = Field(description="Actions counted without an estimated cost.")


class PolicyTotals(TotalsFigures):
    policy: str | None = Field(description="Null: actions serving no objective.")


class StageTotals(TotalsFigures):
    stage: str | None = Field(description="Null: actions serving no objective.")


class YearTotals(TotalsFigures):
    year: int | None = Field(description="Year of the due date; null: no due date.")


class StatusTotals(TotalsFigures):
    status: Literal["proposed", "planned", "in_progress", "done"]


class TotalsOut(Schema):
    url: str
    assessment: str
    by_policy: list[PolicyTotals] = Field(
        description="An action serving several policies counts in each of their rows."
    )
    by_stage: list[StageTotals]
    by_year: list[YearTotals]
    by_status: list[StatusTotals]
    overall: TotalsFigures = Field(description="Each action counted once.")


# --- comparison of two cycles --------------------------------------------------------------


class StageChangeOut(Schema):
    code: str
    name: str
    old: str | None
    new: str | None
    direction: Literal["up", "down"]


class StatusChangeOut(Schema):
    code: str
    text: str
    policy: str
    old: AnswerStatusCode
    new: AnswerStatusCode


class ObjectiveTextOut(Schema):
    code: str
    text: str


class ObjectiveTextChangeOut(Schema):
    code: str
    old_text: str
    new_text: str


class ModelChangesOut(Schema):
    older_version: int
    newer_version: int
    added: list[ObjectiveTextOut] = Field(description="Objectives only the newer version has.")
    removed: list[ObjectiveTextOut] = Field(description="Objectives only the older version has.")
    changed: list[ObjectiveTextChangeOut] = Field(description="Objectives whose text changed.")


class ComparisonOut(Schema):
    url: str
    older: str = Field(description="Address of the older assessment.")
    newer: str = Field(description="Address of the newer assessment.")
    same_model: bool = Field(
        description="Both use the same model version; otherwise objectives are matched by code "
        "and the newer model is used."
    )
    unchanged: bool
    overall_old: str | None
    overall_new: str | None
    overall: StageChangeOut | None = Field(description="Null when the city's stage is the same.")
    dimensions: list[StageChangeOut] = Field(description="Only the dimensions that changed.")
    policies: list[StageChangeOut] = Field(description="Only the policies that changed.")
    objectives: list[StatusChangeOut] = Field(description="Only the answers that changed.")
    model_changes: ModelChangesOut | None = Field(
        description="Between two versions of the model: the objectives added, removed and "
        "changed. Null when both use the same version."
    )
