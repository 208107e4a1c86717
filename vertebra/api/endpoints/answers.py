"""Answers of an assessment: list with filters, read one, update one, update many at once.

Every write goes through ``save_answer``, which keeps the history and refuses stale writes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query

from vertebra.access import Verb
from vertebra.api.auth import caller
from vertebra.api.concurrency import etag, expected_version
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    AnswerBulkResult,
    AnswerBulkUpdate,
    AnswerHistory,
    AnswerOut,
    AnswerPage,
    AnswerQuery,
    AnswerUpdate,
    PageQuery,
    reading,
    writing,
)
from vertebra.api.scope import assessment_in, membership
from vertebra.api.serializers import (
    ANSWER_COLUMNS,
    agreements_json,
    answer_json,
    answer_row_json,
    event_json,
)
from vertebra.assessments.domain import (
    AnswerConflictError,
    AnswerPlan,
    AnswerValidationError,
    AssessmentLockedError,
    clean_changes,
    save_answer,
    save_answers,
)
from vertebra.assessments.models import Answer, AnswerEvent, Assessment
from vertebra.frameworks.domain import shape_of

router = ApiRouter(tags=["answers"])


def answers_in(assessment: Assessment) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(assessment=assessment)
        .select_related("objective", "updated_by")
        .order_by("objective__position")
    )


def answer_in(assessment: Assessment, code: str) -> Answer:
    answer = answers_in(assessment).filter(objective__code=code).first()
    if answer is None:
        raise Http404(_("No objective %(code)s in this assessment.") % {"code": code[:40]})
    answer.assessment = assessment
    return answer


@router.get(
    "/cities/{city}/assessments/{assessment_id}/answers",
    response=reading({200: AnswerPage}),
    summary="List answers",
)
def list_answers(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, filters: Query[AnswerQuery]
) -> Any:
    """In model order; filter by ``policy``, ``stage`` and ``status``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    shape = shape_of(assessment.framework_version)
    errors = {}
    if filters.policy is not None and filters.policy not in shape.policy_codes:
        errors["policy"] = _("Unknown policy. Choose from: %(codes)s.") % {
            "codes": ", ".join(shape.policy_codes)
        }
    if filters.stage is not None and filters.stage not in shape.stage_codes:
        errors["stage"] = _("Unknown stage. Choose from: %(codes)s.") % {
            "codes": ", ".join(shape.stage_codes)
        }
    if errors:
        raise ApiError(422, _(INVALID), details=errors)
    answers = answers_in(assessment)
    if filters.policy:
        answers = answers.filter(objective__policy_code=filters.policy)
    if filters.stage:
        answers = answers.filter(objective__stage_code=filters.stage)
    if filters.status:
        answers = answers.filter(status=filters.status)
    rows = answers.values_list(*ANSWER_COLUMNS)
    agreed = agreements_json(request, assessment, member=member)
    return paginate(
        request, rows, filters, lambda row: answer_row_json(request, assessment, row, agreed)
    )


@router.get(
    "/cities/{city}/assessments/{assessment_id}/answers/{code}",
    response=reading({200: AnswerOut}),
    summary="Read one answer",
)
def get_answer(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, response: HttpResponse
) -> Any:
    """The answer to one objective; its ETag header carries the version."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    answer = answer_in(assessment, code)
    response["ETag"] = etag(answer.version)
    return answer_json(request, assessment, answer)


@router.patch(
    "/cities/{city}/assessments/{assessment_id}/answers/{code}",
    verb=Verb.EDIT_ANSWERS,
    response=writing({200: AnswerOut}, 409, 412, 428),
    summary="Update one answer",
)
def update_answer(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    code: str,
    payload: AnswerUpdate,
    response: HttpResponse,
) -> Any:
    """Change some fields of one answer. Send the ``version`` you read (or its ETag as
    ``If-Match``); if someone saved in between, the answer is 409 (412 for ``If-Match``) with
    their value in ``details.current``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.EDIT_ANSWERS)
    answer = answer_in(assessment, code)
    version = expected_version(
        request,
        payload.version,
        current=answer.version,
        current_json=lambda: answer_json(request, assessment, answer),
    )
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    saved = save_answer(
        answer=answer,
        user=caller(request),
        changes=changes,
        expected_version=version,
        source="api",
    ).answer
    response["ETag"] = etag(saved.version)
    return answer_json(request, assessment, saved)


@router.patch(
    "/cities/{city}/assessments/{assessment_id}/answers",
    verb=Verb.EDIT_ANSWERS,
    response=writing({200: AnswerBulkResult}, 409),
    summary="Update many answers at once",
)
def update_answers(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, payload: AnswerBulkUpdate
) -> Any:
    """All or nothing: every item is checked first (codes, values, versions); only when all
    are good are they saved, in one transaction."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.EDIT_ANSWERS)
    if assessment.is_final:
        raise AssessmentLockedError()
    answers = {a.objective.code: a for a in answers_in(assessment)}
    errors: dict[str, str] = {}
    conflicts: dict[str, Answer] = {}
    seen: set[str] = set()
    plans: list[tuple[Answer, dict[str, Any], int]] = []
    for index, item in enumerate(payload.answers):
        answer = answers.get(item.code)
        if answer is None:
            errors[f"answers.{index}.code"] = _("No objective %(code)s in this assessment.") % {
                "code": item.code
            }
            continue
        if item.code in seen:
            errors[f"answers.{index}.code"] = _("%(code)s appears more than once.") % {
                "code": item.code
            }
            continue
        seen.add(item.code)
        answer.assessment = assessment
        changes = item.model_dump(exclude_unset=True, exclude={"code", "version"})
        try:
            clean_changes(answer, changes)
        except AnswerValidationError as exc:
            for name, message in exc.errors.items():
                errors[f"answers.{index}.{name}"] = f"{item.code}: {message}"
            continue
        if answer.version != item.version:
            conflicts[item.code] = answer
            continue
        plans.append((answer, changes, item.version))
    if errors:
        raise ApiError(422, _(INVALID), details=errors)
    if conflicts:
        raise _bulk_conflict(request, assessment, conflicts)
    try:
        results = save_answers(
            assessment=assessment,
            user=caller(request),
            plans=[AnswerPlan(answer, changes, version) for answer, changes, version in plans],
            source="api",
        )
    except AnswerConflictError as exc:
        raise _bulk_conflict(
            request, assessment, {exc.current.objective.code: exc.current}
        ) from None
    changed = [r.answer.objective.code for r in results if r.changed]
    codes = [item.code for item in payload.answers]
    saved = {a.objective.code: a for a in answers_in(assessment).filter(objective__code__in=codes)}
    agreed = agreements_json(request, assessment, member=member, codes=codes)
    return {
        "changed": changed,
        "results": [answer_json(request, assessment, saved[code], agreed) for code in codes],
    }


def _bulk_conflict(
    request: HttpRequest, assessment: Assessment, conflicts: dict[str, Answer]
) -> ApiError:
    agreed = agreements_json(request, assessment, codes=conflicts)
    return ApiError(
        409,
        _(
            "%(codes)s changed since you read them; nothing was saved. Read them again and "
            "repeat your changes."
        )
        % {"codes": ", ".join(conflicts)},
        details={
            "current": {
                code: answer_json(request, assessment, answer, agreed)
                for code, answer in conflicts.items()
            }
        },
    )


@router.get(
    "/cities/{city}/assessments/{assessment_id}/answers/{code}/history",
    response=reading({200: AnswerHistory}),
    summary="Read the history of one answer",
)
def get_answer_history(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, code: str, page: Query[PageQuery]
) -> Any:
    """Every change of the answer, newest first: who, when, which field, old and new value."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    answer = answer_in(assessment, code)
    events = AnswerEvent.objects.filter(answer=answer).select_related("user").order_by("-at", "-id")
    return paginate(request, events, page, event_json)
