"""Critical-friend review: the city's side (invite, list, close, answer notes) under the
assessment, and the reviewer's (their reviews, the reviewed assessment, notes) under
``/reviews/{my_review_id}``.

The rules are ``vertebra.reviews.domain``'s; the invitation's email is
``vertebra.reviews.invitation_mail``'s, its link the invitation page's. A reviewer is no
member of the city: every city address stays 404 to them, and their review's addresses too
once it has ended (vertebra.access.review_for, asked at every request).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Status

from vertebra import access
from vertebra.access import Verb
from vertebra.api.auth import caller, reviewed
from vertebra.api.endpoints.evidence import FILES
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import api_url, assessment_url
from vertebra.api.pagination import paginate
from vertebra.api.review_schemas import (
    MyReviewNoteOut,
    MyReviewOut,
    MyReviewPage,
    ReviewIn,
    ReviewNoteIn,
    ReviewOut,
    ReviewPage,
    ReviewReplyIn,
    ReviewReplyOut,
)
from vertebra.api.routing import REVIEWER, ApiRouter
from vertebra.api.schemas import PageQuery, reading, writing
from vertebra.api.scope import membership
from vertebra.planning.models import Action
from vertebra.reviews import domain
from vertebra.reviews.invitation_mail import send_review_invitation
from vertebra.reviews.models import Review, ReviewNote, ReviewReply

router = ApiRouter(tags=["reviews"])

REVIEWS = "/cities/{city}/assessments/{assessment_id}/reviews"
MINE = "/reviews"


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


def _review_url(request: HttpRequest, review: Review) -> str:
    assessment = review.assessment
    return assessment_url(request, assessment.city.slug, assessment.uuid, "reviews", review.uuid)


def _reply_json(reply: ReviewReply) -> dict[str, Any]:
    return {
        "id": str(reply.uuid),
        "text": reply.text,
        "author": _email(reply.author),
        "created_at": reply.created_at,
    }


def _note_json(note: ReviewNote, read_url: str, replies_url: str | None) -> dict[str, Any]:
    return {
        "url": read_url,
        "id": str(note.uuid),
        "objective": note.answer.objective.code,
        "mark": note.mark,
        "text": note.text,
        "author": _email(note.author),
        "created_at": note.created_at,
        "replies": [_reply_json(r) for r in note.replies.all()],
        "replies_url": replies_url and f"{replies_url}/notes/{note.uuid}/replies",
    }


def _review_json(
    request: HttpRequest, review: Review, *, notes: list[ReviewNote] | None = None, team: bool
) -> dict[str, Any]:
    """A review as the city's team (``team``) or its reviewer reads it."""
    assessment = review.assessment
    person = domain.reviewer(review)
    url = _review_url(request, review) if team else api_url(request, "reviews", review.uuid)
    return {
        "url": url,
        "id": str(review.uuid),
        "assessment": assessment_url(request, assessment.city.slug, assessment.uuid),
        "email": review.invitation.email,
        "reviewer": _email(person),
        "reviewer_name": person.name if person is not None else None,
        "reviewer_cities": domain.reviewer_cities(person),
        "until": review.until,
        "state": domain.state(review),
        "invited_by": _email(review.invited_by),
        "created_at": review.created_at,
        "closed_at": review.closed_at,
        "invitation_expires_at": review.invitation.expires_at,
        "invitation_sent": review.invitation.sent_at is not None,
        "notes": None
        if notes is None
        else [_note_json(n, url, url if team else None) for n in notes],
    }


def _invalid(error: domain.ReviewError) -> ApiError:
    return ApiError(422, _(INVALID), details=error.problems)


def _sent(request: HttpRequest, review: Review, token: str) -> dict[str, Any]:
    link = request.build_absolute_uri(reverse("invitation", args=[token]))
    problem = send_review_invitation(review=review, link=link)
    return {**_review_json(request, review, team=True), "send_problem": problem}


# --- the city's side -----------------------------------------------------------------------


@router.get(REVIEWS, response=reading({200: ReviewPage}), summary="List an assessment's reviews")
def list_reviews(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, page: Query[PageQuery]
) -> Any:
    """Every review of the assessment, newest first, for every member of the city."""
    scope = access.scoped(membership(request, city), assessment_id)
    reviews = access.reviews_of(scope)
    return paginate(request, reviews, page, lambda r: _review_json(request, r, team=True))


@router.post(
    REVIEWS,
    verb=Verb.MANAGE_REVIEWS,
    response=writing({201: ReviewOut}),
    summary="Invite a critical friend to review an assessment",
)
def create_review(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, payload: ReviewIn
) -> Any:
    """The review and its invitation are written, then the email sent (as a city's
    invitation: a mail server that is down still gives 201, ``send_problem`` says why). The
    reviewer gets an account with the link when they have none; they become no member."""
    scope = access.scoped(membership(request, city, verb=Verb.MANAGE_REVIEWS), assessment_id)
    try:
        review, token = domain.invite(
            assessment=scope.assessment,
            email=payload.email,
            until=payload.until,
            by=caller(request),
        )
    except domain.ReviewError as error:
        raise _invalid(error) from None
    return Status(201, _sent(request, access.review_in(scope, review.uuid), token))


@router.get(
    REVIEWS + "/{review_id}",
    response=reading({200: ReviewOut}),
    summary="Read a review with its notes and answers",
)
def get_review(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, review_id: uuid.UUID
) -> Any:
    scope = access.scoped(membership(request, city), assessment_id)
    review = access.review_in(scope, review_id)
    notes = domain.notes_of(scope.assessment, review=review)
    return _review_json(request, review, notes=notes, team=True)


@router.post(
    REVIEWS + "/{review_id}/close",
    verb=Verb.MANAGE_REVIEWS,
    response=writing({200: ReviewOut}),
    summary="Close a review",
)
def close_review(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, review_id: uuid.UUID
) -> Any:
    """The reviewer's access ends at once; a pending invitation is withdrawn (its link stops
    working). Closing a closed review changes nothing. Notes and answers stay."""
    scope = access.scoped(membership(request, city, verb=Verb.MANAGE_REVIEWS), assessment_id)
    review = access.review_in(scope, review_id)
    domain.close(review=review, by=caller(request))
    return _review_json(request, review, team=True)


@router.post(
    REVIEWS + "/{review_id}/resend",
    verb=Verb.MANAGE_REVIEWS,
    response=writing({200: ReviewOut}, 409),
    summary="Send a review's invitation again",
)
def resend_review(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, review_id: uuid.UUID
) -> Any:
    """A new link (the old one stops working) and a new 7-day expiry; 409 once it was
    accepted, or when the review has ended."""
    scope = access.scoped(membership(request, city, verb=Verb.MANAGE_REVIEWS), assessment_id)
    review = access.review_in(scope, review_id)
    try:
        token = domain.resend(review=review)
    except domain.ReviewError as error:
        raise ApiError(409, str(error)) from None
    return _sent(request, review, token)


@router.post(
    REVIEWS + "/{review_id}/notes/{review_note_id}/replies",
    verb=Verb.ANSWER_REVIEWS,
    response=writing({201: ReviewReplyOut}),
    summary="Answer a review note",
)
def create_review_reply(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    review_id: uuid.UUID,
    review_note_id: uuid.UUID,
    payload: ReviewReplyIn,
) -> Any:
    """Editors and admins answer; also after the review ended."""
    scope = access.scoped(membership(request, city, verb=Verb.ANSWER_REVIEWS), assessment_id)
    review = access.review_in(scope, review_id)
    note = access.review_note_in(scope, review_note_id, review=review)
    try:
        reply = domain.reply(note=note, text=payload.text, by=caller(request))
    except domain.ReviewError as error:
        raise _invalid(error) from None
    return Status(201, {**_reply_json(reply), "url": _review_url(request, review)})


# --- the reviewer's side -------------------------------------------------------------------


@router.get(MINE, response=reading({200: MyReviewPage}), summary="List your open reviews")
def list_my_reviews(request: HttpRequest, page: Query[PageQuery]) -> Any:
    """The reviews you accepted that have not ended, soonest end first."""
    reviews = access.reviews_for(caller(request))
    return paginate(request, reviews, page, lambda r: _review_json(request, r, team=False))


def _action_json(action: Action) -> dict[str, Any]:
    owner = action.owner_department or (action.owner_user.display_name if action.owner_user else "")
    return {
        "title": action.title,
        "description": action.description,
        "status": action.status,
        "objectives": sorted(o.code for o in action.objectives.all()),
        "owner": owner,
        "start_date": action.start_date,
        "due_date": action.due_date,
    }


@router.get(
    MINE + "/{my_review_id}",
    guest=REVIEWER,
    response=reading({200: MyReviewOut}),
    summary="Read your review: the assessment, its plan and your notes",
)
def get_my_review(request: HttpRequest, my_review_id: uuid.UUID) -> Any:
    """The reviewed assessment read-only (answers with evidence and files, the action
    plan) and your notes with the team's answers. 404 once the review has ended."""
    review = reviewed(request)
    assessment = review.assessment
    files_url = api_url(request, "reviews", review.uuid, "files")
    answers = [
        {
            "code": a.objective.code,
            "policy": a.objective.policy_code,
            "stage": a.objective.stage_code,
            "text": a.objective.text,
            "status": a.status,
            "progress": a.progress,
            "evidence": a.evidence,
            "links": a.links,
            "notes": a.notes,
            "owner": a.owner,
            "na_justification": a.na_justification,
            "files": [
                {
                    "id": str(f.uuid),
                    "name": f.original_name,
                    "content_type": f.content_type,
                    "size": f.size,
                    "download_url": f"{files_url}/{f.uuid}",
                }
                for f in a.attachments.all()
            ],
        }
        for a in access.reviewed_answers(review)
    ]
    fv = assessment.framework_version
    return {
        **_review_json(
            request, review, notes=domain.notes_of(assessment, review=review), team=False
        ),
        "assessment_read": {
            "title": assessment.title,
            "city": assessment.city.name,
            "date": assessment.date,
            "status": assessment.status,
            "framework": fv.framework_id,
            "version": fv.version,
            "answers": answers,
            "plan": [_action_json(a) for a in access.reviewed_actions(review)],
        },
    }


@router.post(
    MINE + "/{my_review_id}/notes",
    guest=REVIEWER,
    response=writing({201: MyReviewNoteOut}),
    summary="Leave a review note on an objective",
)
def create_review_note(request: HttpRequest, my_review_id: uuid.UUID, payload: ReviewNoteIn) -> Any:
    """A mark (agree, challenge or suggest) and a text on one objective of the reviewed
    assessment; 422 naming each wrong field, nothing written."""
    review = reviewed(request)
    try:
        note = domain.add_note(
            review=review,
            objective=payload.objective,
            mark=payload.mark,
            text=payload.text,
            by=caller(request),
        )
    except domain.ReviewError as error:
        raise _invalid(error) from None
    data = _note_json(note, api_url(request, "reviews", review.uuid), None)
    return Status(201, data)


@router.get(
    MINE + "/{my_review_id}/files/{file_id}",
    guest=REVIEWER,
    response=reading({200: dict[str, Any]}),
    summary="Download a file of the reviewed assessment",
    openapi_extra=FILES,
)
def download_reviewed_file(
    request: HttpRequest, my_review_id: uuid.UUID, file_id: uuid.UUID
) -> Any:
    attachment = access.reviewed_attachment(reviewed(request), file_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{attachment.uuid}"'
    return response
