"""Request and response shapes of the API, as pydantic models (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from vertebra.frameworks.schema import Framework
from vertebra.text import clean_text

AnswerStatusCode = Literal["not_started", "in_progress", "achieved", "not_applicable"]
AssessmentStatusCode = Literal["draft", "final"]
RoleCode = Literal["admin", "editor", "contributor", "viewer"]
ActionStatusCode = Literal["proposed", "planned", "in_progress", "done", "cancelled"]

MAX_TEXT = 20_000
NOT_BLANK = r"\S"  # text the server refuses when it is only spaces


def _one_line(value: str) -> str:
    """Control characters and surrounding spaces out (vertebra.text), as the models do; text
    of nothing else is empty. After the length is checked on what was sent, as documented."""
    cleaned = clean_text(value, single_line=True).strip()
    if not cleaned:
        raise PydanticCustomError(
            "string_too_short", "String should have at least 1 character", {"min_length": 1}
        )
    return cleaned


Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_one_line),
]


class Schema(BaseModel):
    """Plain pydantic models: the API builds dicts, so no attribute-reading wrapper is needed."""


class Input(Schema):
    """Request bodies refuse unknown fields, so that a misspelt name is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- errors --------------------------------------------------------------------------------


class Problem(Schema):
    """A problem document (RFC 9457), served as ``application/problem+json``."""

    type: str = Field(
        description="Identifies the kind of error: /api/v1/problems/<code>, "
        "where the kind is described."
    )
    title: str = Field(description="A short summary of the kind of error.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, for people.")
    code: str = Field(
        description="Stable machine-readable code, e.g. 'not_found', 'conflict' "
        "(the last part of 'type')."
    )
    details: dict[str, Any] = Field(
        description="Failing fields (path -> message) for validation errors; 'current' for "
        "conflicts and failed preconditions; 'allowed' for 405; empty otherwise."
    )


# --- pagination ----------------------------------------------------------------------------


class Page(Schema):
    count: int = Field(description="Number of items matching the filters, over all pages.")
    next: str | None = Field(description="Address of the next page, or null on the last page.")
    previous: str | None = Field(description="Address of the previous page, or null.")


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=200, description="Items per page (1-200; 20 unless given).")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="Number of items to skip.")


# --- frameworks ----------------------------------------------------------------------------


class FrameworkSummary(Schema):
    url: str
    id: str
    version: int
    name: str
    objectives: int = Field(description="Number of objectives in this version.")
    loaded_at: dt.datetime


class FrameworkDetail(FrameworkSummary):
    model: Framework = Field(description="The whole maturity model, as in its data file.")


class FrameworkPage(Page):
    results: list[FrameworkSummary]


class FrameworkRef(Schema):
    url: str
    id: str
    version: int


# --- cities --------------------------------------------------------------------------------


class CityOut(Schema):
    url: str
    slug: str
    name: str
    country: str
    currency: str
    stakeholder_types: list[str]
    role: RoleCode = Field(description="The caller's role in this city.")
    can_write: bool = Field(description="Whether the caller may change answers and actions.")
    assessments_url: str
    stakeholder_types_url: str


class CityPage(Page):
    results: list[CityOut]


# --- answers -------------------------------------------------------------------------------


class ObjectiveOut(Schema):
    code: str
    dimension: str
    policy: str
    stage: str
    text: str


class AgreedWorkshopOut(Schema):
    id: uuid.UUID
    title: str
    date: dt.date
    url: str | None = Field(
        description="The workshop, for those who may open it (who may edit answers); else null."
    )


class AgreedOut(Schema):
    """A workshop's decision that set the answer."""

    workshop: AgreedWorkshopOut
    status: AnswerStatusCode
    progress: int | None
    note: str
    ratings: int = Field(description="How many ratings the objective had in the workshop.")
    agreement: float | None = Field(description="The agreement of those ratings, 0 to 1.")
    decided_at: dt.datetime


class AnswerOut(Schema):
    url: str
    code: str
    objective: ObjectiveOut
    status: AnswerStatusCode
    progress: int | None = Field(description="Percent done, for answers in progress.")
    evidence: str
    links: str
    notes: str
    owner: str = Field(description="Responsible department or stakeholder.")
    na_justification: str
    version: int = Field(description="Send it back with an update; it changes on every save.")
    updated_at: dt.datetime
    updated_by: str | None = Field(description="Email of the person who saved last.")
    agreed: list[AgreedOut] = Field(
        description="The workshops this answer was agreed in, the latest first."
    )
    history_url: str
    comments_url: str
    attachments_url: str


class AnswerPage(Page):
    results: list[AnswerOut]


class AnswerQuery(PageQuery):
    limit: int = Field(100, ge=1, le=200, description="Items per page (1-200).")
    policy: str | None = Field(None, description="Only this policy, e.g. L1.")
    stage: str | None = Field(None, description="Only this stage, e.g. M.")
    status: AnswerStatusCode | None = None


class AnswerChanges(Input):
    status: AnswerStatusCode | None = None
    progress: int | None = Field(None, ge=0, le=100)
    evidence: str | None = Field(None, max_length=MAX_TEXT)
    links: str | None = Field(None, max_length=MAX_TEXT)
    notes: str | None = Field(None, max_length=MAX_TEXT)
    owner: str | None = Field(None, max_length=200)
    na_justification: str | None = Field(None, max_length=MAX_TEXT)


class AnswerUpdate(AnswerChanges):
    version: int | None = Field(
        None,
        ge=1,
        description="The version you read. Required unless an If-Match header carries it.",
    )


class AnswerBulkItem(AnswerChanges):
    code: str = Field(description="Objective code, e.g. L1S1.", min_length=1, max_length=32)
    version: int = Field(ge=1, description="The version you read.")


class AnswerBulkUpdate(Input):
    answers: list[AnswerBulkItem] = Field(min_length=1, max_length=500)


class AnswerBulkResult(Schema):
    changed: list[str] = Field(description="Codes of the answers that changed.")
    results: list[AnswerOut]


class AnswerEventOut(Schema):
    field: str
    old_value: str
    new_value: str
    user: str | None
    source: str = Field(description="web, api, import, workshop, ...")
    note: str = Field(description="What the source says more: the workshop and its ratings.")
    at: dt.datetime


class AnswerHistory(Page):
    results: list[AnswerEventOut]


class AssessmentEventOut(AnswerEventOut):
    code: str = Field(description="The objective whose answer changed.")
    answer: str = Field(description="Address of that answer.")


class AssessmentHistory(Page):
    results: list[AssessmentEventOut]


# --- comments and evidence files -----------------------------------------------------------


class CommentOut(Schema):
    url: str
    id: uuid.UUID
    answer: str = Field(description="Address of the answer the comment is on.")
    text: str
    author: str | None = Field(description="Email of the person who wrote it.")
    created_at: dt.datetime


class CommentPage(Page):
    results: list[CommentOut]


class CommentIn(Input):
    text: str = Field(
        max_length=MAX_TEXT,
        description="The remark, at most 5000 characters after trimming.",
        # What the server refuses after trimming, declared (the message comes from its check).
        json_schema_extra={"maxLength": 5000, "pattern": NOT_BLANK},
    )


class AttachmentOut(Schema):
    url: str
    id: uuid.UUID
    answer: str = Field(description="Address of the answer the file is evidence for.")
    name: str = Field(description="The file's name as uploaded.")
    content_type: str
    size: int = Field(description="Size in bytes.")
    uploaded_by: str | None
    uploaded_at: dt.datetime
    download_url: str = Field(description="Address of the file's content.")


class AttachmentPage(Page):
    results: list[AttachmentOut]


# --- profile -------------------------------------------------------------------------------


class StageOnly(Schema):
    stage: str | None


class PolicyProfile(Schema):
    model_config = ConfigDict(extra="allow")

    stage: str | None
    next_stage: str | None
    next_stage_progress: float | None
    gaps: list[str]
    explanation: str
    target: str | None = None
    to_target: list[str] | None = None


class ProfileOut(Schema):
    url: str
    framework: str
    version: int
    answered: int
    total: int
    overall: StageOnly
    dimensions: dict[str, StageOnly]
    policies: dict[str, PolicyProfile]


# --- assessments ---------------------------------------------------------------------------


class AssessmentOut(Schema):
    url: str
    id: uuid.UUID
    city: str
    title: str
    date: dt.date
    status: AssessmentStatusCode
    framework: FrameworkRef
    previous: str | None = Field(description="Address of the cycle this one continues.")
    overall_stage: str | None
    answered: int
    total: int
    created_at: dt.datetime
    created_by: str | None
    finalized_at: dt.datetime | None
    finalized_by: str | None
    answers_url: str
    profile_url: str
    targets_url: str
    actions_url: str
    history_url: str
    comparison_url: str = Field(description="Comparison with the cycle this one continues.")
    plan: dict[str, str] = Field(
        description="Addresses of the plan's analyses: gaps, warnings, projection, totals."
    )
    exports: dict[str, str] = Field(description="Download address per format.")


class AssessmentDetail(AssessmentOut):
    answers: list[AnswerOut] | None = Field(
        None, description="Every answer, when asked for with include=answers."
    )
    profile: ProfileOut | None = Field(
        None, description="The profile, when asked for with include=profile."
    )


class AssessmentPage(Page):
    results: list[AssessmentOut]


class AssessmentQuery(PageQuery):
    status: AssessmentStatusCode | None = None


class AssessmentCreate(Input):
    title: Title
    date: dt.date
    copy_from: uuid.UUID | None = Field(
        None, description="Id of an assessment of the same city whose answers to copy."
    )
    framework: str | None = Field(
        None,
        max_length=64,
        description="Id of a loaded maturity model (GET /frameworks). By default the SMR model, "
        "or with copy_from the model of the assessment copied.",
    )
    version: int | None = Field(
        None,
        ge=1,
        description="Version of that model. By default its newest, or with copy_from the "
        "version of the assessment copied; a new cycle may move to a newer version, not back.",
    )


class CycleCreate(Input):
    title: Title
    date: dt.date
    version: int | None = Field(
        None,
        ge=1,
        description="Version of the model for the new cycle: by default the version of the "
        "assessment it continues; a newer version carries over the answers of the objectives "
        "that still exist.",
    )


class ComparisonQuery(Schema):
    older: uuid.UUID | None = Field(
        None,
        description="Id of the assessment of the same city to compare with. By default the "
        "cycle this one continues, else the latest assessment before it.",
    )


class DetailQuery(Schema):
    include: str = Field(
        "", description="Comma-separated: 'answers', 'profile', or both, to embed them."
    )


# --- targets -------------------------------------------------------------------------------


class TargetOut(Schema):
    policy: str
    stage: str
    target_date: dt.date | None


class TargetsOut(Schema):
    url: str
    targets: list[TargetOut]


class TargetsIn(Input):
    targets: dict[str, str | None] = Field(
        default_factory=dict,
        description='Policy code to target stage code, e.g. {"L1": "A"}; null clears it.',
    )
    dimensions: dict[str, str | None] = Field(
        default_factory=dict,
        description='Dimension code to a stage for each of its policies, e.g. {"L": "M"}.',
    )
    all_policies: str | None = Field(None, description="One stage for every policy.")
    target_date: dt.date | None = Field(
        None, description="The date to reach the targets set by this request."
    )


# --- actions -------------------------------------------------------------------------------


class ActionNoteOut(Schema):
    url: str
    id: uuid.UUID
    date: dt.date
    text: str
    author: str | None


class ActionOut(Schema):
    url: str
    id: uuid.UUID
    assessment: str = Field(description="Address of the assessment the action belongs to.")
    title: str
    description: str
    objectives: list[str] = Field(description="Codes of the objectives the action serves.")
    policies: list[str]
    owner: str | None = Field(description="Email of the member who owns the action.")
    owner_department: str
    stakeholder_types: list[str]
    start_date: dt.date | None
    due_date: dt.date | None
    cost: str | None = Field(description="Estimated cost as a decimal string, e.g. '12500.00'.")
    currency: str
    status: ActionStatusCode
    version: int = Field(description="Send it back with an update; it changes on every save.")
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str | None
    notes: list[ActionNoteOut]
    notes_url: str
    history_url: str


class ActionPage(Page):
    results: list[ActionOut]


class ActionQuery(PageQuery):
    status: ActionStatusCode | None = None
    owner: str | None = Field(
        None, description="A member's email, a department's name, or 'me' for the caller."
    )
    policy: str | None = Field(None, description="Actions serving an objective of this policy.")


class ActionFields(Input):
    description: str | None = Field(None, max_length=MAX_TEXT)
    objectives: list[str] | None = Field(None, max_length=200)
    owner: str | None = Field(None, max_length=254, description="A member's email, or null.")
    owner_department: str | None = Field(None, max_length=200)
    stakeholder_types: list[str] | None = Field(None, max_length=50)
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    cost: Decimal | None = Field(
        None,
        description="Estimated cost, not negative, at most 12 digits before the decimal point "
        "and 2 after it.",
        json_schema_extra={"minimum": 0, "maximum": 999_999_999_999.99, "multipleOf": 0.01},
    )
    currency: str | None = Field(None, max_length=3, json_schema_extra={"pattern": "^[A-Za-z]{3}$"})
    status: ActionStatusCode | None = None


class ActionCreate(ActionFields):
    title: str = Field(max_length=200, json_schema_extra={"pattern": NOT_BLANK})


class ActionUpdate(ActionFields):
    title: str | None = Field(None, max_length=200)
    version: int | None = Field(
        None, ge=1, description="The version you read. Required unless If-Match carries it."
    )


class ActionNoteIn(Input):
    text: str = Field(max_length=MAX_TEXT)
    date: dt.date | None = Field(None, description="Defaults to today; not in the future.")


class ActionEventOut(Schema):
    field: str
    old_value: str
    new_value: str
    user: str | None
    source: str
    at: dt.datetime


class ActionHistory(Page):
    results: list[ActionEventOut]


class ActionNoteItem(ActionNoteOut):
    action: str = Field(description="Address of the action the note is on.")
    created_at: dt.datetime


class ActionNotePage(Page):
    results: list[ActionNoteItem]


class ActionMergeIn(Input):
    others: list[uuid.UUID] = Field(
        min_length=1,
        max_length=200,
        description="Ids of the actions of the same assessment to fold into this one.",
    )
    version: int | None = Field(
        None, ge=1, description="The version of this action you read, unless If-Match carries it."
    )


class ActionFinishIn(Input):
    version: int | None = Field(
        None, ge=1, description="The version you read. Required unless If-Match carries it."
    )


class ActionFinished(ActionOut):
    to_confirm: list[AnswerOut] = Field(
        description="Answers of the action's objectives not yet achieved or not applicable: "
        "the assessment has not changed; confirm them with evidence at confirmations_url."
    )
    confirmations_url: str


class ConfirmationsOut(Schema):
    url: str
    action: str = Field(description="Address of the action.")
    to_confirm: list[AnswerOut] = Field(
        description="Answers of the action's objectives that are still to be confirmed."
    )


class ConfirmIn(Input):
    codes: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        min_length=1, max_length=200, description="Objective codes to mark achieved."
    )
    evidence: str = Field(
        max_length=MAX_TEXT,
        description="What shows the objectives are achieved; added to each answer's evidence.",
    )


class ConfirmOut(ConfirmationsOut):
    confirmed: list[AnswerOut] = Field(description="The answers now marked achieved.")


class StakeholderTypesOut(Schema):
    url: str
    stakeholder_types: list[str] = Field(description="In the order the city chose.")


class StakeholderTypesIn(Input):
    stakeholder_types: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        max_length=200,
        description="The whole new list; blanks and repeats are dropped. Types still used by "
        "actions cannot be removed.",
    )


class DeleteQuery(Schema):
    version: int | None = Field(
        None, ge=1, description="The version you read. Required unless If-Match carries it."
    )


# --- documented responses ------------------------------------------------------------------


def reading(ok: dict[int, Any]) -> dict[int, Any]:
    """An operation's responses: its success plus the errors every read can meet
    (503: the database is out of reach; try again after ``Retry-After``)."""
    return {**ok, 401: Problem, 404: Problem, 422: Problem, 503: Problem}


def writing(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """A write's responses: its success, the errors every write can meet, and ``codes``
    (503: the database cannot take the write now; 507: the server's storage is full;
    412 declares that the operation takes ``If-Match``)."""
    return {
        **ok,
        400: Problem,
        401: Problem,
        403: Problem,
        404: Problem,
        413: Problem,
        422: Problem,
        503: Problem,
        507: Problem,
    } | {code: Problem for code in codes}


# --- the index, the caller and the kinds of problems ----------------------------------------


class IndexOut(Schema):
    cities: str = Field(description="The cities you belong to.")
    me: str = Field(description="Who the token acts as, and the token itself.")
    frameworks: str = Field(description="The loaded maturity models.")
    openapi: str = Field(description="This API's OpenAPI document.")
    docs: str = Field(description="This API's browsable documentation.")
    problems: str = Field(description="The kinds of errors the API answers.")


class TokenOut(Schema):
    name: str
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(description="Recorded at most once a minute.")


class MeOut(Schema):
    url: str
    email: str
    name: str
    cities_url: str
    token: TokenOut = Field(description="The token this request came with.")


class ProblemKindOut(Schema):
    type: str = Field(description="The 'type' of problem documents of this kind.")
    code: str
    status: int = Field(ge=400, le=599)
    title: str
    description: str


class ProblemKindList(Schema):
    results: list[ProblemKindOut]
