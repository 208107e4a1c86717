"""The shapes of critical-friend review in the API: reviews, notes and the team's answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from vertebra.api.schemas import Input, Page, Schema

MarkCode = Literal["agree", "challenge", "suggest"]


class ReviewReplyOut(Schema):
    url: str | None = Field(None, description="The review it is read in (when just written).")
    id: str
    text: str
    author: str | None = Field(description="The email of the team member who answered.")
    created_at: dt.datetime


class ReviewNoteOut(Schema):
    url: str = Field(description="The review the note is read in.")
    id: str
    objective: str = Field(description="The objective's code.")
    mark: MarkCode
    text: str
    author: str | None = Field(description="The reviewer's email.")
    created_at: dt.datetime
    replies: list[ReviewReplyOut] = Field(description="The team's answers, oldest first.")
    replies_url: str | None = Field(
        description="Where the city's team posts an answer (null in the reviewer's read)."
    )


class ReviewOut(Schema):
    url: str
    id: str
    assessment: str = Field(description="The reviewed assessment's address (its team's).")
    email: str = Field(description="The address the review's invitation went to.")
    reviewer: str | None = Field(description="The email of who accepted; null while pending.")
    reviewer_name: str | None
    reviewer_cities: list[str] = Field(description="The reviewer's own cities on the instance.")
    until: dt.date = Field(description="The review's last day; access ends after it.")
    state: Literal["invited", "open", "closed", "ended"] = Field(
        description="invited: nobody accepted yet; open: the reviewer reads and writes notes; "
        "closed: an admin closed it; ended: its last day has passed."
    )
    invited_by: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    invitation_expires_at: dt.datetime = Field(description="The invitation's link works until.")
    invitation_sent: bool = Field(description="Whether the invitation's email left.")
    notes: list[ReviewNoteOut] | None = Field(
        None, description="The review's notes with their answers (in a single review's read)."
    )
    send_problem: str | None = Field(
        None,
        description="Only in the answer to inviting or resending: why the email could not be "
        "sent (the review is kept; send it again).",
    )


class ReviewPage(Page):
    results: list[ReviewOut]


class ReviewIn(Input):
    email: str = Field(max_length=254, description="The reviewer's email address.")
    until: str = Field(
        max_length=32, description="The review's last day (YYYY-MM-DD): today or later."
    )


class ReviewNoteIn(Input):
    objective: str = Field(max_length=64, description="The objective's code.")
    mark: str = Field(max_length=32, description="agree, challenge or suggest.")
    text: str = Field(max_length=20000, description="The note (at most 5,000 characters).")


class ReviewReplyIn(Input):
    text: str = Field(max_length=20000, description="The answer (at most 5,000 characters).")


class ReviewedFileOut(Schema):
    id: str
    name: str
    content_type: str
    size: int
    download_url: str


class ReviewedAnswerOut(Schema):
    code: str
    policy: str
    stage: str
    text: str = Field(description="The objective's text.")
    status: str
    progress: int | None
    evidence: str
    links: str
    notes: str
    owner: str
    na_justification: str
    files: list[ReviewedFileOut]


class ReviewedActionOut(Schema):
    title: str
    description: str
    status: str
    objectives: list[str] = Field(description="The codes of the objectives it works towards.")
    owner: str = Field(description="The owning department, or the owner's name.")
    start_date: dt.date | None
    due_date: dt.date | None


class ReviewedAssessmentOut(Schema):
    title: str
    city: str = Field(description="The reviewed city's name.")
    date: dt.date
    status: str
    framework: str
    version: int
    answers: list[ReviewedAnswerOut]
    plan: list[ReviewedActionOut]


class MyReviewOut(ReviewOut):
    assessment_read: ReviewedAssessmentOut | None = Field(
        None, description="The reviewed assessment, read-only (in a single review's read)."
    )


# The reviewer's side has shapes of its own names: the reviewer's reviews and notes are read
# and written under /reviews/{my_review_id}, never under the city's addresses, so a client
# that follows ids by the objects' names does not take one side's for the other's.


class MyReviewPage(Page):
    results: list[MyReviewOut]


class MyReviewNoteOut(ReviewNoteOut):
    pass
