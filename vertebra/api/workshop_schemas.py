"""The shapes of workshops in the API: the facilitator's and the participants'."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from vertebra.api.schemas import MAX_TEXT, AnswerStatusCode, Input, Page, Schema

WorkshopStatusCode = Literal["open", "revealed", "closed"]
RatingStatusCode = Literal["not_started", "in_progress", "achieved", "not_applicable", "unknown"]
Counts = dict[str, int]


class WorkshopIn(Input):
    title: str = Field(max_length=MAX_TEXT)
    date: dt.date
    policies: list[str] = Field(
        max_length=100, description="Policy codes of the assessment's model (at least one)."
    )
    stakeholder_types: list[str] = Field(
        max_length=100, description="Stakeholder types expected, from the city's list."
    )
    anonymous: bool = Field(False, description="Ratings shown without names.")


class WorkshopOut(Schema):
    url: str
    id: str
    title: str
    date: dt.date
    policies: list[str]
    stakeholder_types: list[str]
    anonymous: bool
    status: WorkshopStatusCode
    join_code: str = Field(description="The short code participants type to join.")
    join_api_url: str = Field(description="Where participants join, rate and read results.")
    participants: int = Field(description="How many have joined.")
    created_at: dt.datetime
    revealed_at: dt.datetime | None
    closed_at: dt.datetime | None


class WorkshopPage(Page):
    results: list[WorkshopOut]


class ObjectiveResultOut(Schema):
    code: str
    ratings: int = Field(description="How many participants rated it.")
    distribution: Counts = Field(description="Status to number of ratings.")
    by_stakeholder_type: dict[str, Counts] = Field(
        description="Stakeholder type to its distribution of statuses."
    )
    agreement: float | None = Field(
        description="Ratings equal to the most frequent status over ratings other than "
        "unknown; null when there are none."
    )
    flagged: bool = Field(
        description="Agreement below 0.6, or both not_started and achieved among the ratings."
    )


class FacilitatorObjectiveOut(ObjectiveResultOut):
    answer_version: int = Field(
        description="The version of the city's answer: send it with the agreed answer."
    )


class ResultsOut(Schema):
    objectives: list[ObjectiveResultOut]
    participants: Counts = Field(description="Stakeholder type to number of participants.")


class FacilitatorResultsOut(Schema):
    objectives: list[FacilitatorObjectiveOut]
    participants: Counts = Field(description="Stakeholder type to number of participants.")


class AgreedAnswerIn(Input):
    code: str = Field(max_length=40)
    status: AnswerStatusCode
    progress: int | None = Field(None, description="Percent done, for in_progress only.")
    note: str = Field("", max_length=MAX_TEXT, description="Why this answer was agreed.")
    version: int | None = Field(
        None,
        description="The answer's version you read (answer_version in the results): 409 when "
        "it was saved since.",
    )


class ConsensusIn(Input):
    answers: list[AgreedAnswerIn] = Field(min_length=1, max_length=500)


class DecisionOut(Schema):
    code: str
    status: AnswerStatusCode
    progress: int | None
    note: str
    ratings: int
    agreement: float | None
    decided_at: dt.datetime


class ConsensusOut(Schema):
    decisions: list[DecisionOut]


class JoinIn(Input):
    name: str = Field(max_length=MAX_TEXT, description="The name others see (unless anonymous).")
    stakeholder_type: str = Field(max_length=MAX_TEXT)


class JoinOut(Schema):
    participant_token: str = Field(
        description="Send it as 'Authorization: Bearer <participant_token>' to rate; shown once."
    )
    join_api_url: str


class RatingIn(Input):
    status: RatingStatusCode
    progress: int | None = Field(None, description="0-100, for in_progress only.")
    comment: str = Field("", max_length=MAX_TEXT)


class RatingOut(Schema):
    code: str
    status: RatingStatusCode
    progress: int | None
    comment: str
    updated_at: dt.datetime


class ParticipantWorkshopOut(Schema):
    title: str
    date: dt.date
    status: WorkshopStatusCode
    stakeholder_types: list[str]
    objectives: list[str] = Field(description="The codes to rate, in the model's order.")
    ratings: list[RatingOut] = Field(description="Your own ratings.")
