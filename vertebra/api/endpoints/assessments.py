"""Assessments of a city: list, create (empty or as a new cycle), read, finalize, profile."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from vertebra import access
from vertebra.access import Load, Verb
from vertebra.api.auth import caller
from vertebra.api.concurrency import none_match, not_modified
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import api_root
from vertebra.api.pagination import paginate
from vertebra.api.rendering import json_response, validated_json
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    AssessmentCreate,
    AssessmentDetail,
    AssessmentOut,
    AssessmentPage,
    AssessmentQuery,
    CycleCreate,
    DetailQuery,
    ProfileOut,
    reading,
    writing,
)
from vertebra.api.scope import assessment_in, membership
from vertebra.api.serializers import (
    ANSWER_COLUMNS,
    agreements_json,
    answer_row_json,
    assessment_json,
    profile_json,
    stage_map,
)
from vertebra.assessments.domain import finalize, profile_of
from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.cities.models import Membership
from vertebra.fragments import assessment_state, kept, tag
from vertebra.frameworks.domain import ModelChoiceError, choose_version, shape_of
from vertebra.frameworks.models import FrameworkVersion
from vertebra.maturity import profile
from vertebra.planning.domain import start_assessment
from vertebra.planning.models import Target

router = ApiRouter(tags=["assessments"])

INCLUDES = ("answers", "profile")


def _summaries(request: HttpRequest, assessments: list[Assessment]) -> list[dict[str, Any]]:
    """Each assessment with its overall stage and coverage, in one query for all statuses."""
    statuses: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        Answer.objects.filter(assessment__in=[a.pk for a in assessments])
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("assessment_id", "objective__code", "status")
    )
    for assessment_id, code, status in rows:
        statuses[assessment_id][code] = status
    out = []
    for assessment in assessments:
        result = profile(shape_of(assessment.framework_version), statuses[assessment.pk])
        out.append(
            assessment_json(
                request,
                assessment,
                overall_stage=result.overall.stage,
                answered=result.answered,
                total=result.total,
            )
        )
    return out


def _one(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    return _summaries(request, [assessment])[0]


def _chosen_version(
    *, framework_id: str | None, version: int | None, continuing: Assessment | None
) -> FrameworkVersion:
    """The model version asked for; an unknown one is 422 naming the field."""
    try:
        return choose_version(
            framework_id=framework_id,
            version=version,
            continuing=continuing.framework_version if continuing is not None else None,
        )
    except ModelChoiceError as exc:
        raise ApiError(422, _(INVALID), details=exc.errors) from None


def _assessments(member: Membership) -> Any:
    return access.assessments(member.city, load=Load.DETAIL)


@router.get(
    "/cities/{city}/assessments",
    response=reading({200: AssessmentPage}),
    summary="List a city's assessments",
)
def list_assessments(request: HttpRequest, city: str, filters: Query[AssessmentQuery]) -> Any:
    """Newest first; filter by ``status`` (draft or final)."""
    member = membership(request, city)
    queryset = _assessments(member).order_by("-date", "-created_at", "-id")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    page = paginate(request, queryset, filters, lambda a: a)
    for assessment in page["results"]:
        assessment.city = member.city
    page["results"] = _summaries(request, page["results"])
    return page


@router.post(
    "/cities/{city}/assessments",
    verb=Verb.START_ASSESSMENT,
    response=writing({201: AssessmentOut}, 409),
    summary="Create an assessment",
)
def create_assessment(request: HttpRequest, city: str, payload: AssessmentCreate) -> Any:
    """An empty draft on the chosen model version (``framework`` and ``version``; by default
    the SMR model's newest), or, with ``copy_from``, a new cycle that copies the answers of an
    earlier assessment of the same city (admins and editors)."""
    member = membership(request, city, verb=Verb.START_ASSESSMENT)
    source = None
    if payload.copy_from is not None:
        source = _assessments(member).filter(uuid=payload.copy_from).first()
        if source is None:
            raise ApiError(
                422,
                _(INVALID),
                details={"copy_from": _("No assessment with this id in this city.")},
            )
    fv = _chosen_version(framework_id=payload.framework, version=payload.version, continuing=source)
    assessment = start_assessment(
        city=member.city,
        user=caller(request),
        title=payload.title,
        date=payload.date,
        copy_from=source,
        framework_version=fv,
    )
    return Status(201, _one(request, assessment_in(member, assessment.uuid)))


@router.get(
    "/cities/{city}/assessments/{assessment_id}",
    response=reading({200: AssessmentDetail, 304: None}),
    summary="Read an assessment",
)
def get_assessment(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, query: Query[DetailQuery]
) -> Any:
    """With ``include=answers,profile`` the answers and the profile come in the same response.

    The response's ``ETag`` changes whenever anything in it changes: send it back as
    ``If-None-Match`` to get 304 with no body while the assessment is unchanged."""
    includes = {part.strip() for part in query.include.split(",") if part.strip()}
    unknown = sorted(includes - set(INCLUDES))
    if unknown:
        raise ApiError(
            422,
            _(INVALID),
            details={
                "include": _("Unknown: %(unknown)s. Choose from: %(choices)s.")
                % {"unknown": ", ".join(unknown), "choices": ", ".join(INCLUDES)}
            },
        )
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    # The revision counts target changes too (they show in the profile).
    # Whether the caller may open the workshops an answer was agreed in (their links).
    facilitates = access.can(member, Verb.EDIT_ANSWERS)
    key = (assessment_state(assessment), api_root(request), tuple(sorted(includes)), facilitates)

    def build() -> str:
        targets = (
            dict(
                Target.objects.filter(assessment=assessment)
                .order_by("policy_code")
                .values_list("policy_code", "stage_code")
            )
            if "profile" in includes
            else {}
        )
        rows = list(
            Answer.objects.filter(assessment=assessment)
            .order_by("objective__position")
            .values_list(*ANSWER_COLUMNS)
        )
        statuses = {row[0]: row[5] for row in rows if row[5] != AnswerStatus.NOT_STARTED}
        result = profile_of(assessment, statuses=statuses, targets=targets)
        data = assessment_json(
            request,
            assessment,
            overall_stage=result.overall.stage,
            answered=result.answered,
            total=result.total,
        )
        if "answers" in includes:
            agreed = agreements_json(request, assessment, member=member)
            data["answers"] = [answer_row_json(request, assessment, row, agreed) for row in rows]
        if "profile" in includes:
            data["profile"] = profile_json(request, assessment, result)
        return validated_json(request, AssessmentDetail, data)

    # A whole assessment is read often and changes rarely: its validated JSON is kept per
    # revision (see vertebra.fragments), so a repeated read costs a few small queries, and a
    # client that sends the ETag it has gets 304 with no body while nothing changed.
    etag = tag("api-assessment", key)
    if none_match(request, etag):
        return not_modified(etag)
    response = json_response(kept("api-assessment", key, build))
    response["ETag"] = etag
    return response


@router.post(
    "/cities/{city}/assessments/{assessment_id}/finalize",
    verb=Verb.FINALIZE,
    response=writing({200: AssessmentOut}, 409),
    summary="Finalize an assessment",
)
def finalize_assessment(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """Make a draft final and read-only, keeping its profile as a snapshot (admins only)."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.FINALIZE)
    finalize(assessment=assessment, user=caller(request))
    return _one(request, assessment_in(member, assessment_id))


@router.post(
    "/cities/{city}/assessments/{assessment_id}/cycles",
    verb=Verb.START_ASSESSMENT,
    response=writing({201: AssessmentOut}, 409),
    summary="Start a new cycle from an assessment",
)
def start_cycle(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, payload: CycleCreate
) -> Any:
    """A new draft that copies this assessment's answers (admins and editors), on the same
    model version or, with ``version``, a newer one."""
    member = membership(request, city)
    source = assessment_in(member, assessment_id, verb=Verb.START_ASSESSMENT)
    fv = _chosen_version(framework_id=None, version=payload.version, continuing=source)
    assessment = start_assessment(
        city=member.city,
        user=caller(request),
        title=payload.title,
        date=payload.date,
        copy_from=source,
        framework_version=fv,
    )
    return Status(201, _one(request, assessment_in(member, assessment.uuid)))


@router.get(
    "/cities/{city}/assessments/{assessment_id}/profile",
    response=reading({200: ProfileOut}),
    summary="Read an assessment's maturity profile",
)
def get_profile(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """The engine's result: stages per policy, dimension and city, gaps, explanations and,
    for policies with a target, ``target`` and ``to_target``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    targets = stage_map(Target.objects.filter(assessment=assessment))
    return profile_json(request, assessment, profile_of(assessment, targets=targets))
