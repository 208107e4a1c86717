"""What the editor page shows beside an answer: comments, evidence files, and the history of
the whole assessment.

Files and comments go through ``vertebra.assessments.evidence`` with the browser's checks (an
allowed type whose content matches its name, at most ``MAX_ATTACHMENT_BYTES``; comments
non-empty and at most 5000 characters).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Status, UploadedFile

from vertebra.access import Verb
from vertebra.api.auth import caller
from vertebra.api.endpoints.answers import answer_in
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import assessment_url
from vertebra.api.openapi import files
from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    AssessmentHistory,
    AttachmentOut,
    AttachmentPage,
    CommentIn,
    CommentOut,
    CommentPage,
    PageQuery,
    reading,
    writing,
)
from vertebra.api.scope import assessment_in, membership
from vertebra.api.serializers import assessment_event_json, attachment_json, comment_json
from vertebra.assessments import evidence
from vertebra.assessments.evidence import (
    KINDS,
    EvidenceError,
    add_attachment,
    add_comment,
    remove_attachment,
)
from vertebra.assessments.models import Answer, AnswerEvent, Assessment, Attachment, Comment
from vertebra.storage import file_response

router = ApiRouter(tags=["evidence"])

ANSWER = "/cities/{city}/assessments/{assessment_id}/answers/{code}"
FILES = files(
    sorted({kind.content_type for kind in KINDS.values()}),
    "The file's content, with its type and name as uploaded.",
)


def _answer_url(request: HttpRequest, assessment: Assessment, answer: Answer) -> str:
    slug = assessment.city.slug
    return assessment_url(request, slug, assessment.uuid, "answers", answer.objective.code)


# --- history of the whole assessment -------------------------------------------------------


@router.get(
    "/cities/{city}/assessments/{assessment_id}/history",
    response=reading({200: AssessmentHistory}),
    summary="Read the history of a whole assessment",
)
def get_assessment_history(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, page: Query[PageQuery]
) -> Any:
    """Every change of every answer (and of its files), newest first, as on the assessment's
    history page: which objective, who, when, which field, old and new value."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    events = (
        AnswerEvent.objects.filter(assessment=assessment)
        .select_related("user")
        .order_by("-at", "-id")
    )
    return paginate(request, events, page, lambda e: assessment_event_json(request, assessment, e))


# --- comments ------------------------------------------------------------------------------


@router.get(
    ANSWER + "/comments",
    response=reading({200: CommentPage}),
    summary="List the comments on an answer",
)
def list_comments(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, page: Query[PageQuery]
) -> Any:
    """Oldest first, as the editor page shows them."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    answer = answer_in(assessment, code)
    url = _answer_url(request, assessment, answer)
    comments = (
        Comment.objects.filter(answer=answer).select_related("author").order_by("created_at", "id")
    )
    return paginate(request, comments, page, lambda c: comment_json(request, url, c))


@router.post(
    ANSWER + "/comments",
    verb=Verb.COMMENT,
    response=writing({201: CommentOut}, 409),
    summary="Comment on an answer",
)
def create_comment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, payload: CommentIn
) -> Any:
    """Admins, editors and contributors may comment while the assessment is a draft; a final
    assessment answers 409 ``assessment_final``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.COMMENT)
    answer = answer_in(assessment, code)
    try:
        comment = add_comment(answer=answer, user=caller(request), text=payload.text)
    except EvidenceError as exc:
        raise ApiError(422, _(INVALID), details={"text": str(exc)}) from None
    comment.author = caller(request)
    return Status(201, comment_json(request, _answer_url(request, assessment, answer), comment))


@router.get(
    ANSWER + "/comments/{comment_id}",
    response=reading({200: CommentOut}),
    summary="Read one comment on an answer",
)
def get_comment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, comment_id: uuid.UUID
) -> Any:
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    answer = answer_in(assessment, code)
    comment = (
        Comment.objects.select_related("author").filter(answer=answer, uuid=comment_id).first()
    )
    if comment is None:
        raise Http404(_("No such comment on this answer."))
    return comment_json(request, _answer_url(request, assessment, answer), comment)


# --- evidence files ------------------------------------------------------------------------


def _attachment(answer: Answer, attachment_id: uuid.UUID) -> Attachment:
    attachment = (
        Attachment.objects.select_related("uploaded_by")
        .filter(answers=answer, uuid=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404(_("No such file for this answer."))
    return attachment


@router.get(
    ANSWER + "/attachments",
    response=reading({200: AttachmentPage}),
    summary="List the evidence files of an answer",
)
def list_attachments(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, page: Query[PageQuery]
) -> Any:
    """In upload order, each with its ``url`` and the ``download_url`` of its content."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    answer = answer_in(assessment, code)
    url = _answer_url(request, assessment, answer)
    files = (
        Attachment.objects.filter(answers=answer)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    return paginate(request, files, page, lambda a: attachment_json(request, url, a))


@router.post(
    ANSWER + "/attachments",
    verb=Verb.UPLOAD,
    response=writing({201: AttachmentOut}, 409),
    summary="Upload an evidence file",
)
def upload_attachment(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    code: str,
    file: File[UploadedFile],
) -> Any:
    """Send the file as multipart form data in the field ``file`` (admins and editors, while the
    assessment is a draft). Allowed: pdf, png, jpg, docx, xlsx, odt, ods, txt, csv; the content
    must match the name; at most the configured size (10 MB unless the server says otherwise)."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.UPLOAD)
    answer = answer_in(assessment, code)
    try:
        attachment = add_attachment(answer=answer, user=caller(request), upload=file, source="api")
    except EvidenceError as exc:
        raise ApiError(422, _(INVALID), details={"file": str(exc)}) from None
    url = _answer_url(request, assessment, answer)
    return Status(201, attachment_json(request, url, _attachment(answer, attachment.uuid)))


@router.get(
    ANSWER + "/attachments/{attachment_id}",
    response=reading({200: AttachmentOut}),
    summary="Read an evidence file's details",
)
def get_attachment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, attachment_id: uuid.UUID
) -> Any:
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    answer = answer_in(assessment, code)
    url = _answer_url(request, assessment, answer)
    return attachment_json(request, url, _attachment(answer, attachment_id))


@router.get(
    ANSWER + "/attachments/{attachment_id}/download",
    response=reading({200: dict[str, Any]}),
    summary="Download an evidence file",
    openapi_extra=FILES,
)
def download_attachment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, attachment_id: uuid.UUID
) -> Any:
    """The same file as the editor page's link, for every member of the city."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    attachment = _attachment(answer_in(assessment, code), attachment_id)
    try:
        response = file_response(
            attachment.file.name,
            storage=attachment.file.storage,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{attachment.uuid}"'  # a file's content never changes
    return response


@router.put(
    ANSWER + "/attachments/{attachment_id}",
    verb=Verb.UPLOAD,
    response=writing({200: AttachmentOut}, 409),
    summary="Let an evidence file of the assessment support this answer too",
)
def link_attachment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, attachment_id: uuid.UUID
) -> Any:
    """A file attached to another answer of this assessment (by its ``id``) supports this one
    too: the same stored file, not a copy; the answer's history records it. A file that
    already supports this answer is left as it is. Admins and editors, while the assessment is
    a draft."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.UPLOAD)
    answer = answer_in(assessment, code)
    attachment = (
        Attachment.objects.select_related("uploaded_by")
        .filter(answers__assessment=assessment, uuid=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404(_("No such file in this assessment."))
    if not attachment.answers.filter(pk=answer.pk).exists():
        evidence.link_attachment(
            attachment=attachment, answer=answer, user=caller(request), source="api"
        )
    return attachment_json(request, _answer_url(request, assessment, answer), attachment)


@router.delete(
    ANSWER + "/attachments/{attachment_id}",
    verb=Verb.UPLOAD,
    response=writing({204: None}, 409),
    summary="Delete an evidence file",
)
def delete_attachment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, attachment_id: uuid.UUID
) -> Any:
    """Admins and editors, while the assessment is a draft; the history keeps the file's name.
    A file that also supports other objectives (or another cycle's answers) stays for them;
    the stored file is deleted with its last use."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.UPLOAD)
    answer = answer_in(assessment, code)
    attachment = _attachment(answer, attachment_id)
    remove_attachment(attachment=attachment, answer=answer, user=caller(request), source="api")
    return Status(204, None)
