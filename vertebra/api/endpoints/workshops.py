"""Workshops: the facilitator's endpoints under the assessment (admins and editors, who may
edit answers), and the participants' under the workshop's ``join_api_url``
(``/api/v1/workshops/{join_code}``) with their own credential.

Every rule is in vertebra.workshops.domain; the agreed answers are saved through
``assessments.domain.save_answers`` like any other answers.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from vertebra import access
from vertebra.access import Scoped, Verb
from vertebra.api.auth import caller, participant
from vertebra.api.errors import ApiError
from vertebra.api.links import api_url, assessment_url
from vertebra.api.pagination import paginate
from vertebra.api.routing import ANYONE, PARTICIPANT, ApiRouter
from vertebra.api.schemas import PageQuery, Problem, reading, writing
from vertebra.api.scope import membership
from vertebra.api.serializers import agreements_json, answer_json
from vertebra.api.workshop_schemas import (
    ConsensusIn,
    ConsensusOut,
    FacilitatorResultsOut,
    JoinIn,
    JoinOut,
    ParticipantWorkshopOut,
    RatingIn,
    RatingOut,
    ResultsOut,
    WorkshopIn,
    WorkshopOut,
    WorkshopPage,
)
from vertebra.workshops import domain
from vertebra.workshops.models import Rating, Workshop, WorkshopStatus

router = ApiRouter(tags=["workshops"])

WORKSHOPS = "/cities/{city}/assessments/{assessment_id}/workshops"
WORKSHOP = WORKSHOPS + "/{workshop_id}"
JOIN = "/workshops/{join_code}"


def _scope(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Scoped:
    """The facilitator's assessment: admins and editors (404 elsewhere, 403 by role)."""
    member = membership(request, city, verb=Verb.EDIT_ANSWERS)
    return access.scoped(member, assessment_id, verb=Verb.EDIT_ANSWERS)


def _workshop(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, workshop_id: uuid.UUID
) -> Workshop:
    return access.workshop_in(_scope(request, city, assessment_id), workshop_id)


def join_api_url(request: HttpRequest, workshop: Workshop) -> str:
    return api_url(request, "workshops", workshop.join_code)


def workshop_json(request: HttpRequest, workshop: Workshop, participants: int) -> dict[str, Any]:
    assessment = workshop.assessment
    return {
        "url": assessment_url(
            request, assessment.city.slug, assessment.uuid, "workshops", workshop.uuid
        ),
        "id": str(workshop.uuid),
        "title": workshop.title,
        "date": workshop.date,
        "policies": list(workshop.policies),
        "stakeholder_types": list(workshop.stakeholder_types),
        "anonymous": workshop.anonymous,
        "status": workshop.status,
        "join_code": workshop.join_code,
        "join_api_url": join_api_url(request, workshop),
        "participants": participants,
        "created_at": workshop.created_at,
        "revealed_at": workshop.revealed_at,
        "closed_at": workshop.closed_at,
    }


def _one(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    return workshop_json(request, workshop, workshop.participants.count())


def results_json(workshop: Workshop, *, versions: dict[str, int] | None = None) -> dict[str, Any]:
    found = domain.results_of(workshop)
    objectives = []
    for result in found.objectives:
        item = {
            "code": result.code,
            "ratings": result.ratings,
            "distribution": result.distribution,
            "by_stakeholder_type": result.by_stakeholder_type,
            "agreement": result.agreement,
            "flagged": result.flagged,
        }
        if versions is not None:
            item["answer_version"] = versions[result.code]
        objectives.append(item)
    return {"objectives": objectives, "participants": found.participants}


def rating_json(rating: Rating) -> dict[str, Any]:
    return {
        "code": rating.objective_code,
        "status": rating.status,
        "progress": rating.progress,
        "comment": rating.comment,
        "updated_at": rating.updated_at,
    }


# --- the facilitator ------------------------------------------------------------------------


@router.post(
    WORKSHOPS,
    verb=Verb.EDIT_ANSWERS,
    response=writing({201: WorkshopOut}, 409),
    summary="Open a workshop",
)
def create_workshop(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, payload: WorkshopIn
) -> Any:
    """A new open workshop on a draft assessment, with its join code (409 on a final one)."""
    scope = _scope(request, city, assessment_id)
    workshop = domain.create_workshop(
        assessment=scope.assessment, user=caller(request), data=payload.model_dump()
    )
    return Status(201, workshop_json(request, workshop, 0))


@router.get(
    WORKSHOPS, response=reading({200: WorkshopPage}) | {403: Problem}, summary="List workshops"
)
def list_workshops(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, page: Query[PageQuery]
) -> Any:
    """The assessment's workshops, newest first."""
    from django.db.models import Count

    scope = _scope(request, city, assessment_id)
    rows = access.workshops_of(scope).annotate(joined=Count("participants"))

    def to_json(workshop: Workshop) -> dict[str, Any]:
        workshop.assessment = scope.assessment
        return workshop_json(request, workshop, workshop.joined)  # type: ignore[attr-defined]

    return paginate(request, rows, page, to_json)


@router.get(
    WORKSHOP, response=reading({200: WorkshopOut}) | {403: Problem}, summary="Read a workshop"
)
def get_workshop(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, workshop_id: uuid.UUID
) -> Any:
    return _one(request, _workshop(request, city, assessment_id, workshop_id))


@router.get(
    WORKSHOP + "/results",
    response=reading({200: FacilitatorResultsOut}) | {403: Problem},
    summary="Read a workshop's results",
)
def get_workshop_results(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, workshop_id: uuid.UUID
) -> Any:
    """Per objective of the covered policies: ratings, distribution, split by stakeholder
    type, agreement, flag, and the version of the city's answer; participants per type."""
    workshop = _workshop(request, city, assessment_id, workshop_id)
    versions = dict(
        workshop.assessment.answers.filter(
            objective__code__in=domain.covered_codes(workshop)
        ).values_list("objective__code", "version")
    )
    return results_json(workshop, versions=versions)


@router.post(
    WORKSHOP + "/reveal",
    verb=Verb.EDIT_ANSWERS,
    response=writing({200: WorkshopOut}, 409),
    summary="Reveal a workshop's results to its participants",
)
def reveal_workshop(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, workshop_id: uuid.UUID
) -> Any:
    """Participants may read the results from now on (409 once closed)."""
    workshop = _workshop(request, city, assessment_id, workshop_id)
    return _one(request, domain.reveal(workshop=workshop))


@router.post(
    WORKSHOP + "/close",
    verb=Verb.EDIT_ANSWERS,
    response=writing({200: WorkshopOut}, 409),
    summary="Close a workshop",
)
def close_workshop(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, workshop_id: uuid.UUID
) -> Any:
    """No more joining or rating; everything is kept (409 once closed)."""
    workshop = _workshop(request, city, assessment_id, workshop_id)
    return _one(request, domain.close(workshop=workshop))


@router.post(
    WORKSHOP + "/consensus",
    verb=Verb.EDIT_ANSWERS,
    response=writing({200: ConsensusOut}, 409),
    summary="Record the agreed answers",
)
def record_consensus(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    workshop_id: uuid.UUID,
    payload: ConsensusIn,
) -> Any:
    """All or nothing: every item is checked first; the answers are saved like any answer
    (history with source ``workshop`` and a note naming the workshop and its ratings). An
    item's ``version`` that is not the answer's current one is 409 with the current answers
    in ``details.current``; a closed workshop is 403."""
    workshop = _workshop(request, city, assessment_id, workshop_id)
    items = [
        domain.AgreedAnswer(item.code, item.status, item.progress, item.note, item.version)
        for item in payload.answers
    ]
    try:
        decisions = domain.record_consensus(workshop=workshop, user=caller(request), answers=items)
    except domain.ConsensusConflictError as exc:
        agreed = agreements_json(request, workshop.assessment, codes=exc.current)
        raise ApiError(
            409,
            str(exc),
            details={
                "current": {
                    code: answer_json(request, workshop.assessment, answer, agreed)
                    for code, answer in exc.current.items()
                }
            },
        ) from None
    return {
        "decisions": [
            {
                "code": d.objective_code,
                "status": d.status,
                "progress": d.progress,
                "note": d.note,
                "ratings": d.ratings,
                "agreement": d.agreement,
                "decided_at": d.decided_at,
            }
            for d in decisions
        ]
    }


# --- the participants -----------------------------------------------------------------------


@router.post(
    JOIN + "/participants",
    guest=ANYONE,
    response=writing({201: JoinOut}, 429),
    summary="Join a workshop",
)
def join_workshop(request: HttpRequest, join_code: str, payload: JoinIn) -> Any:
    """No account needed: a display name and a stakeholder type of the workshop. The answer's
    ``participant_token`` is shown once. A closed or unknown code is 404; too many attempts
    from one address or for one workshop are 429."""
    workshop = access.workshop_to_join(domain.normalized_code(join_code))
    _participant, key = domain.join(
        workshop=workshop,
        data=payload.model_dump(),
        address=request.META.get("REMOTE_ADDR", ""),
    )
    assert workshop is not None  # join refuses an unknown code
    return Status(201, {"participant_token": key, "join_api_url": join_api_url(request, workshop)})


@router.get(
    JOIN,
    guest=PARTICIPANT,
    response=reading({200: ParticipantWorkshopOut}) | {403: Problem},
    summary="Read a workshop as its participant",
)
def get_joined_workshop(request: HttpRequest, join_code: str) -> Any:
    """What to rate, and your own ratings (403 once the workshop is closed)."""
    me = participant(request)
    workshop = me.workshop
    if workshop.is_closed:
        raise domain.WorkshopClosedError()
    return {
        "title": workshop.title,
        "date": workshop.date,
        "status": workshop.status,
        "stakeholder_types": list(workshop.stakeholder_types),
        "objectives": domain.covered_codes(workshop),
        "ratings": [rating_json(r) for r in me.ratings.order_by("objective_code")],
    }


@router.put(
    JOIN + "/ratings/{code}",
    guest=PARTICIPANT,
    response=writing({200: RatingOut}),
    summary="Rate one objective",
)
def rate_objective(request: HttpRequest, join_code: str, code: str, payload: RatingIn) -> Any:
    """Your rating of one objective of the workshop; change it as often as you like until
    the workshop closes (then 403)."""
    rating = domain.rate(participant=participant(request), code=code, data=payload.model_dump())
    return rating_json(rating)


@router.get(
    JOIN + "/results",
    guest=PARTICIPANT,
    response=reading({200: ResultsOut}) | {403: Problem},
    summary="Read a workshop's results as its participant",
)
def get_joined_results(request: HttpRequest, join_code: str) -> Any:
    """403 until the facilitator reveals them, and once the workshop is closed."""
    workshop = participant(request).workshop
    if workshop.is_closed:
        raise domain.WorkshopClosedError()
    if workshop.status != WorkshopStatus.REVEALED:
        raise ApiError(403, _("The facilitator has not revealed the results yet."))
    return results_json(workshop)
