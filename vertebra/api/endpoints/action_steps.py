"""The steps of an action's life beyond editing it: progress notes, merging, finishing, and
confirming its objectives achieved, through vertebra.planning.domain.

Finishing an action never changes the assessment: it lists the answers still to confirm, and
only a confirmation with evidence marks them achieved (through the answers' domain, with
history).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from vertebra.access import Verb
from vertebra.api.auth import caller
from vertebra.api.concurrency import etag
from vertebra.api.endpoints.answers import answers_in
from vertebra.api.endpoints.plans import (
    action_conflict,
    action_in,
    action_version,
    planning_error,
)
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import assessment_url
from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    ActionFinished,
    ActionFinishIn,
    ActionMergeIn,
    ActionNoteIn,
    ActionNoteItem,
    ActionNotePage,
    ActionOut,
    ConfirmationsOut,
    ConfirmIn,
    ConfirmOut,
    PageQuery,
    reading,
    writing,
)
from vertebra.api.scope import assessment_in, membership
from vertebra.api.serializers import (
    action_json,
    action_note_json,
    agreements_json,
    answer_json,
)
from vertebra.assessments.models import Assessment
from vertebra.planning import domain as planning
from vertebra.planning.domain import (
    ActionConflictError,
    PlanningValidationError,
    add_note,
    objectives_to_confirm,
)
from vertebra.planning.models import Action, ActionNote, ActionStatus

router = ApiRouter(tags=["planning"])

ACTION = "/cities/{city}/assessments/{assessment_id}/actions/{action_id}"


def _action_url(request: HttpRequest, assessment: Assessment, action: Action) -> str:
    slug = assessment.city.slug
    return assessment_url(request, slug, assessment.uuid, "actions", action.uuid)


def _answers(request: HttpRequest, assessment: Assessment, codes: Iterable[str]) -> list[Any]:
    """The answers to these objectives as the API shows them, in model order (one query)."""
    codes = list(codes)
    rows = answers_in(assessment).filter(objective__code__in=codes)
    agreed = agreements_json(request, assessment, codes=codes)
    return [answer_json(request, assessment, answer, agreed) for answer in rows]


def _pending(action: Action) -> list[str]:
    """Codes still to confirm, shown (as in the browser) once the action is done."""
    if action.status != ActionStatus.DONE:
        return []
    return [answer.objective.code for answer in objectives_to_confirm(action)]


@router.get(
    ACTION + "/notes",
    response=reading({200: ActionNotePage}),
    summary="List an action's progress notes",
)
def list_notes(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    page: Query[PageQuery],
) -> Any:
    """Newest first (by the note's date, then by when it was written)."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    action = action_in(assessment, action_id)
    url = _action_url(request, assessment, action)
    notes = (
        ActionNote.objects.filter(action=action).select_related("author").order_by("-date", "-id")
    )
    return paginate(request, notes, page, lambda n: action_note_json(request, url, n))


@router.get(
    ACTION + "/notes/{note_id}",
    response=reading({200: ActionNoteItem}),
    summary="Read one progress note of an action",
)
def get_note(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    note_id: uuid.UUID,
) -> Any:
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    action = action_in(assessment, action_id)
    note = ActionNote.objects.select_related("author").filter(action=action, uuid=note_id).first()
    if note is None:
        raise Http404(_("No such note on this action."))
    return action_note_json(request, _action_url(request, assessment, action), note)


@router.post(
    ACTION + "/notes",
    verb=Verb.PLAN,
    response=writing({201: ActionOut}, 409),
    summary="Add a progress note to an action",
)
def create_note(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ActionNoteIn,
    response: HttpResponse,
) -> Any:
    """A dated progress note (admins and editors); answers with the whole action, and the
    new note's address in ``Location``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    action = action_in(assessment, action_id)
    try:
        note = add_note(action=action, user=caller(request), text=payload.text, date=payload.date)
    except PlanningValidationError as exc:
        raise planning_error(exc) from None
    response["Location"] = f"{_action_url(request, assessment, action)}/notes/{note.uuid}"
    return Status(201, action_json(request, assessment, action_in(assessment, action_id)))


@router.post(
    ACTION + "/merge",
    verb=Verb.PLAN,
    response=writing({200: ActionOut}, 409, 412, 428),
    summary="Merge other actions into this one",
)
def merge_actions(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ActionMergeIn,
    response: HttpResponse,
) -> Any:
    """This action keeps its title and owner and takes over the others' objectives, stakeholder
    types, notes, the earliest start, the latest due date and the sum of the costs; the others
    are deleted, with a "merged into" entry in their history (admins and editors). Send the
    ``version`` of this action you read (or ``If-Match``)."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    action = action_in(assessment, action_id)
    version = action_version(request, assessment, action, payload.version)
    wanted = list(dict.fromkeys(payload.others))
    others = {a.uuid: a for a in assessment.actions.filter(uuid__in=wanted)}
    missing = [str(other) for other in wanted if other not in others]
    if missing:
        raise ApiError(
            422,
            _(INVALID),
            details={
                "others": _("No action with the id %(ids)s in this assessment.")
                % {"ids": ", ".join(missing)}
            },
        )
    try:
        planning.merge_actions(
            into=action,
            others=[others[other] for other in wanted],
            user=caller(request),
            expected_version=version,
            source="api",
        )
    except PlanningValidationError as exc:
        raise planning_error(exc) from None
    except ActionConflictError as exc:
        raise action_conflict(request, assessment, exc) from None
    merged = action_in(assessment, action_id)
    response["ETag"] = etag(merged.version)
    return action_json(request, assessment, merged)


@router.post(
    ACTION + "/finish",
    verb=Verb.PLAN,
    response=writing({200: ActionFinished}, 409, 412, 428),
    summary="Finish an action",
)
def finish_action(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ActionFinishIn,
    response: HttpResponse,
) -> Any:
    """Mark the action done (admins and editors). The assessment does not change: the answer
    lists in ``to_confirm`` the answers of its objectives that are not yet achieved or not
    applicable; confirm them with evidence at ``confirmations_url``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    action = action_in(assessment, action_id)
    version = action_version(request, assessment, action, payload.version)
    try:
        result = planning.finish_action(
            action=action, user=caller(request), expected_version=version, source="api"
        )
    except ActionConflictError as exc:
        raise action_conflict(request, assessment, exc) from None
    finished = action_in(assessment, action_id)
    response["ETag"] = etag(finished.version)
    data = action_json(request, assessment, finished)
    data["to_confirm"] = _answers(
        request, assessment, (a.objective.code for a in result.to_confirm)
    )
    data["confirmations_url"] = data["url"] + "/confirmations"
    return data


@router.get(
    ACTION + "/confirmations",
    response=reading({200: ConfirmationsOut}),
    summary="List the objectives a finished action has still to confirm",
)
def list_confirmations(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, action_id: uuid.UUID
) -> Any:
    """For a done action: the answers of its objectives that are not yet achieved or not
    applicable, as the action's page shows them. Empty while the action is not done."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    action = action_in(assessment, action_id)
    url = _action_url(request, assessment, action)
    return {
        "url": url + "/confirmations",
        "action": url,
        "to_confirm": _answers(request, assessment, _pending(action)),
    }


@router.post(
    ACTION + "/confirmations",
    verb=Verb.PLAN,
    response=writing({200: ConfirmOut}, 409),
    summary="Confirm objectives of a finished action achieved",
)
def confirm_objectives(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ConfirmIn,
) -> Any:
    """Mark the chosen objectives achieved in the assessment, adding the evidence to each
    answer's evidence (admins and editors; the action must be done and the assessment a
    draft). All or nothing; the answers' history records the change with source "action"."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    action = action_in(assessment, action_id)
    try:
        results = planning.confirm_objectives(
            action=action, user=caller(request), codes=payload.codes, evidence=payload.evidence
        )
    except PlanningValidationError as exc:
        if "assessment" in exc.errors:
            raise ApiError(409, exc.errors["assessment"], code="assessment_final") from None
        raise planning_error(exc) from None
    url = _action_url(request, assessment, action)
    return {
        "url": url + "/confirmations",
        "action": url,
        "confirmed": _answers(request, assessment, (r.answer.objective.code for r in results)),
        "to_confirm": _answers(request, assessment, _pending(action)),
    }
