"""Targets and the action plan of an assessment, through vertebra.planning.domain."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Status

from vertebra.access import Verb
from vertebra.accounts.models import User
from vertebra.api.auth import caller
from vertebra.api.concurrency import etag, expected_version, stale
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import assessment_url
from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import (
    ActionCreate,
    ActionHistory,
    ActionOut,
    ActionPage,
    ActionQuery,
    ActionUpdate,
    DeleteQuery,
    PageQuery,
    TargetsIn,
    TargetsOut,
    reading,
    writing,
)
from vertebra.api.scope import assessment_in, membership
from vertebra.api.serializers import action_event_json, action_json, targets_json
from vertebra.assessments.models import Assessment
from vertebra.frameworks.domain import shape_of
from vertebra.planning import domain as planning
from vertebra.planning.domain import (
    ActionConflictError,
    PlanningValidationError,
    actions_of,
    create_proposed_actions,
    set_targets,
)
from vertebra.planning.models import Action, ActionEvent, ActionNote, Target

router = ApiRouter(tags=["planning"])


# --- targets -------------------------------------------------------------------------------


def _targets(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    rows = Target.objects.filter(assessment=assessment).order_by("policy_code")
    order = {code: i for i, code in enumerate(shape_of(assessment.framework_version).policy_codes)}
    return targets_json(
        request, assessment, sorted(rows, key=lambda t: order.get(t.policy_code, len(order)))
    )


@router.get(
    "/cities/{city}/assessments/{assessment_id}/targets",
    response=reading({200: TargetsOut}),
    summary="Read the target stages",
)
def get_targets(request: HttpRequest, city: str, assessment_id: uuid.UUID) -> Any:
    """The target stage (and date) of each policy that has one, in model order."""
    member = membership(request, city)
    return _targets(request, assessment_in(member, assessment_id))


_TARGET_KEYS = (("target_", "targets."), ("dimension_", "dimensions."))


def _target_error_path(key: str) -> str:
    for prefix, path in _TARGET_KEYS:
        if key.startswith(prefix):
            return path + key.removeprefix(prefix)
    return key


@router.patch(
    "/cities/{city}/assessments/{assessment_id}/targets",
    verb=Verb.SET_TARGETS,
    response=writing({200: TargetsOut}, 409),
    summary="Set target stages",
)
def set_assessment_targets(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, payload: TargetsIn
) -> Any:
    """Set (or, with null, clear) targets per policy, per dimension or for all policies at
    once; the more specific wins. Policies not named keep their target (admins only)."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.SET_TARGETS)
    try:
        set_targets(
            assessment=assessment,
            user=caller(request),
            targets=payload.targets,
            dimensions=payload.dimensions,
            all_policies=payload.all_policies,
            target_date=payload.target_date,
        )
    except PlanningValidationError as exc:
        raise ApiError(
            422,
            _(INVALID),
            details={_target_error_path(k): v for k, v in exc.errors.items()},
        ) from None
    return _targets(request, assessment)


# --- actions -------------------------------------------------------------------------------


def _actions(assessment: Assessment) -> QuerySet[Action]:
    return (
        actions_of(assessment)
        .select_related("created_by")
        .prefetch_related(Prefetch("notes", queryset=ActionNote.objects.select_related("author")))
    )


def action_in(assessment: Assessment, action_id: uuid.UUID) -> Action:
    action = _actions(assessment).filter(uuid=action_id).first()
    if action is None:
        raise Http404(_("No such action in this assessment."))
    action.assessment = assessment
    return action


def planning_error(exc: PlanningValidationError) -> ApiError:
    details = {("owner" if k == "owner_user" else k): v for k, v in exc.errors.items()}
    return ApiError(422, _(INVALID), details=details)


def action_conflict(
    request: HttpRequest, assessment: Assessment, exc: ActionConflictError
) -> ApiError:
    current = action_in(assessment, exc.action.uuid)
    return stale(request, str(exc), action_json(request, assessment, current))


def action_version(
    request: HttpRequest, assessment: Assessment, action: Action, body_version: int | None
) -> int:
    """The version of ``action`` the client read (vertebra.api.concurrency)."""
    return expected_version(
        request,
        body_version,
        current=action.version,
        current_json=lambda: action_json(request, assessment, action),
    )


def _domain_data(member_city: Any, payload: ActionCreate | ActionUpdate) -> dict[str, Any]:
    """Body fields to the domain's names; an owner's email becomes the member."""
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "owner" in data:
        email = data.pop("owner")
        if email in (None, ""):
            data["owner_user"] = None
        else:
            user = User.objects.filter(email=email.strip().lower()).first()
            if user is None:
                raise ApiError(
                    422,
                    _(INVALID),
                    details={
                        "owner": _("%(email)s is not a member of %(city)s.")
                        % {"email": email, "city": member_city.name}
                    },
                )
            data["owner_user"] = user
    return data


@router.get(
    "/cities/{city}/assessments/{assessment_id}/actions",
    response=reading({200: ActionPage}),
    summary="List actions",
)
def list_actions(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, filters: Query[ActionQuery]
) -> Any:
    """By due date; filter by ``status``, ``owner`` (email, department or ``me``) and
    ``policy``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    actions = _actions(assessment)
    if filters.policy is not None:
        shape = shape_of(assessment.framework_version)
        if filters.policy not in shape.policy_codes:
            raise ApiError(
                422,
                _(INVALID),
                details={
                    "policy": _("Unknown policy. Choose from: %(codes)s.")
                    % {"codes": ", ".join(shape.policy_codes)}
                },
            )
        actions = actions.filter(
            pk__in=assessment.actions.filter(objectives__policy_code=filters.policy).values("pk")
        )
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.owner:
        owner = filters.owner.strip()
        if owner.lower() == "me":
            actions = actions.filter(owner_user=caller(request))
        else:
            actions = actions.filter(
                Q(owner_user__email=owner.lower()) | Q(owner_department__iexact=owner)
            )
    return paginate(request, actions, filters, lambda a: action_json(request, assessment, a))


@router.post(
    "/cities/{city}/assessments/{assessment_id}/actions",
    verb=Verb.PLAN,
    response=writing({201: ActionOut}, 409),
    summary="Create an action",
)
def create_action(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, payload: ActionCreate
) -> Any:
    """A new action (admins and editors); only ``title`` is required."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    try:
        action = planning.create_action(
            assessment=assessment,
            user=caller(request),
            data=_domain_data(member.city, payload),
            source="api",
        )
    except PlanningValidationError as exc:
        raise planning_error(exc) from None
    return Status(201, action_json(request, assessment, action_in(assessment, action.uuid)))


@router.post(
    "/cities/{city}/assessments/{assessment_id}/actions/proposals",
    verb=Verb.PLAN,
    response=writing({201: ActionPage}, 409),
    summary="Propose actions for every gap toward the targets",
)
def propose_actions(
    request: HttpRequest, city: str, assessment_id: uuid.UUID, response: HttpResponse
) -> Any:
    """One proposed action per objective between today and the targets that has no open
    action yet (admins and editors). Answers with the actions created; ``Location`` is the
    address of the proposed actions."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    response["Location"] = assessment_url(request, city, assessment.uuid, "actions") + (
        "?status=proposed"
    )
    created = create_proposed_actions(assessment=assessment, user=caller(request))
    actions = list(_actions(assessment).filter(pk__in=[a.pk for a in created]))
    return Status(
        201,
        {
            "count": len(actions),
            "next": None,
            "previous": None,
            "results": [action_json(request, assessment, a) for a in actions],
        },
    )


@router.get(
    "/cities/{city}/assessments/{assessment_id}/actions/{action_id}",
    response=reading({200: ActionOut}),
    summary="Read an action",
)
def get_action(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    response: HttpResponse,
) -> Any:
    """One action with its notes; its ETag header carries the version."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    action = action_in(assessment, action_id)
    response["ETag"] = etag(action.version)
    return action_json(request, assessment, action)


@router.patch(
    "/cities/{city}/assessments/{assessment_id}/actions/{action_id}",
    verb=Verb.PLAN,
    response=writing({200: ActionOut}, 409, 412, 428),
    summary="Update an action",
)
def update_action(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ActionUpdate,
    response: HttpResponse,
) -> Any:
    """Change some fields (admins and editors). Send the ``version`` you read (or
    ``If-Match``); a stale version is 409 (412 for ``If-Match``) with the current action in
    ``details.current``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    action = action_in(assessment, action_id)
    version = action_version(request, assessment, action, payload.version)
    try:
        planning.update_action(
            action=action,
            user=caller(request),
            changes=_domain_data(member.city, payload),
            expected_version=version,
            source="api",
        )
    except PlanningValidationError as exc:
        raise planning_error(exc) from None
    except ActionConflictError as exc:
        raise action_conflict(request, assessment, exc) from None
    saved = action_in(assessment, action_id)
    response["ETag"] = etag(saved.version)
    return action_json(request, assessment, saved)


@router.delete(
    "/cities/{city}/assessments/{assessment_id}/actions/{action_id}",
    verb=Verb.PLAN,
    response=writing({204: None}, 409, 412, 428),
    summary="Delete an action",
)
def delete_action(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    query: Query[DeleteQuery],
) -> Any:
    """Delete an action (admins and editors); its history is kept. Send the version you read
    as ``?version=`` or ``If-Match``."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id, verb=Verb.PLAN)
    action = action_in(assessment, action_id)
    version = action_version(request, assessment, action, query.version)
    try:
        planning.delete_action(
            action=action, user=caller(request), expected_version=version, source="api"
        )
    except ActionConflictError as exc:
        raise action_conflict(request, assessment, exc) from None
    return Status(204, None)


@router.get(
    "/cities/{city}/assessments/{assessment_id}/actions/{action_id}/history",
    response=reading({200: ActionHistory}),
    summary="Read the history of an action",
)
def get_action_history(
    request: HttpRequest,
    city: str,
    assessment_id: uuid.UUID,
    action_id: uuid.UUID,
    page: Query[PageQuery],
) -> Any:
    """Every change, newest first: who, when, which field, old and new value."""
    member = membership(request, city)
    assessment = assessment_in(member, assessment_id)
    action = action_in(assessment, action_id)
    events = ActionEvent.objects.filter(action=action).select_related("user").order_by("-at", "-id")
    return paginate(request, events, page, action_event_json)
