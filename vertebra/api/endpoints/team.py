"""The city's team: its members and their roles, and the pending invitations (admins only).

The rules are ``vertebra.cities.team``'s (the last admin stays, every change is recorded);
an invitation's email is ``vertebra.cities.invitation_mail``'s, the link in it the page's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from vertebra import access
from vertebra.access import Verb
from vertebra.api.auth import caller
from vertebra.api.errors import INVALID, ApiError
from vertebra.api.links import city_url
from vertebra.api.pagination import paginate
from vertebra.api.routing import ApiRouter
from vertebra.api.schemas import PageQuery, Problem, reading, writing
from vertebra.api.scope import membership
from vertebra.api.team_schemas import (
    InvitationIn,
    InvitationOut,
    InvitationPage,
    MemberIn,
    MemberOut,
    MemberPage,
)
from vertebra.cities import team
from vertebra.cities.invitation_mail import send_invitation
from vertebra.cities.models import Invitation, Membership

router = ApiRouter(tags=["team"])

MEMBERS = "/cities/{city}/members"
INVITATIONS = "/cities/{city}/invitations"
ADMINS_ONLY = {403: Problem}


def _member_json(request: HttpRequest, member: Membership) -> dict[str, Any]:
    return {
        "url": city_url(request, member.city.slug, "members", member.uuid),
        "id": str(member.uuid),
        "email": member.user.email,
        "name": member.user.name,
        "role": member.role,
        "joined_at": member.created_at,
    }


def _invitation_json(request: HttpRequest, invitation: Invitation) -> dict[str, Any]:
    return {
        "url": city_url(request, invitation.city.slug, "invitations", invitation.uuid),
        "id": str(invitation.uuid),
        "email": invitation.email,
        "role": invitation.role,
        "invited_by": invitation.invited_by.email if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "expired": invitation.has_expired(timezone.now()),
        "sent": invitation.sent_at is not None,
        "sent_at": invitation.sent_at,
    }


def _last_admin(error: team.LastAdminError) -> ApiError:
    return ApiError(409, str(error), code="last_admin")


# --- members -------------------------------------------------------------------------------


@router.api_operation(
    ["GET"],
    MEMBERS,
    verb=Verb.MANAGE_PEOPLE,
    response=reading({200: MemberPage}) | ADMINS_ONLY,
    summary="List a city's members",
)
def list_members(request: HttpRequest, city: str, page: Query[PageQuery]) -> Any:
    """Every member with their email, name and role, by email (admins of the city only)."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    members = access.members_of(member)
    for found in members:
        found.city = member.city
    return paginate(request, members, page, lambda m: _member_json(request, m))


@router.api_operation(
    ["GET"],
    MEMBERS + "/{member_id}",
    verb=Verb.MANAGE_PEOPLE,
    response=reading({200: MemberOut}) | ADMINS_ONLY,
    summary="Read a city's member",
)
def get_member(request: HttpRequest, city: str, member_id: uuid.UUID) -> Any:
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    return _member_json(request, access.member_in(member, member_id))


@router.patch(
    MEMBERS + "/{member_id}",
    verb=Verb.MANAGE_PEOPLE,
    response=writing({200: MemberOut}, 409),
    summary="Change a member's role",
)
def update_member(request: HttpRequest, city: str, member_id: uuid.UUID, payload: MemberIn) -> Any:
    """The city's last admin cannot be demoted: 409 ``last_admin``, nothing changed."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    found = access.member_in(member, member_id)
    try:
        changed = team.change_role(membership=found, role=payload.role, by=caller(request))
    except team.LastAdminError as error:
        raise _last_admin(error) from None
    return _member_json(request, changed)


@router.delete(
    MEMBERS + "/{member_id}",
    verb=Verb.MANAGE_PEOPLE,
    response=writing({204: None}, 409),
    summary="Remove a member from a city",
)
def delete_member(request: HttpRequest, city: str, member_id: uuid.UUID) -> Any:
    """The person keeps their account; the history keeps who they were. The city's last
    admin cannot be removed: 409 ``last_admin``, nothing changed."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    found = access.member_in(member, member_id)
    try:
        team.remove(membership=found, by=caller(request))
    except team.LastAdminError as error:
        raise _last_admin(error) from None
    return Status(204, None)


# --- invitations ---------------------------------------------------------------------------


@router.api_operation(
    ["GET"],
    INVITATIONS,
    verb=Verb.MANAGE_PEOPLE,
    response=reading({200: InvitationPage}) | ADMINS_ONLY,
    summary="List a city's pending invitations",
)
def list_invitations(request: HttpRequest, city: str, page: Query[PageQuery]) -> Any:
    """Invitations neither accepted nor withdrawn, newest first (expired ones too)."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    invitations = access.invitations_of(member)
    return paginate(request, invitations, page, lambda i: _invitation_json(request, _in(i, member)))


def _in(invitation: Invitation, member: Membership) -> Invitation:
    invitation.city = member.city
    return invitation


@router.api_operation(
    ["GET"],
    INVITATIONS + "/{invitation_id}",
    verb=Verb.MANAGE_PEOPLE,
    response=reading({200: InvitationOut}) | ADMINS_ONLY,
    summary="Read a pending invitation",
)
def get_invitation(request: HttpRequest, city: str, invitation_id: uuid.UUID) -> Any:
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    return _invitation_json(request, access.invitation_in(member, invitation_id))


@router.post(
    INVITATIONS,
    verb=Verb.MANAGE_PEOPLE,
    response=writing({201: InvitationOut}),
    summary="Invite someone to a city",
)
def create_invitation(request: HttpRequest, city: str, payload: InvitationIn) -> Any:
    """The invitation is written, then its email sent. A mail server that is down still
    gives 201: ``sent`` is false and ``send_problem`` says why; the invitation is kept and
    can be sent again. An open invitation to the same address is renewed (a new link)."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    try:
        invitation, token = team.invite(
            city=member.city, email=payload.email, role=payload.role, by=caller(request)
        )
    except team.TeamError as error:
        raise ApiError(422, _(INVALID), details={"email": str(error)}) from None
    return Status(201, _sent(request, invitation, token))


@router.post(
    INVITATIONS + "/{invitation_id}/resend",
    verb=Verb.MANAGE_PEOPLE,
    response=writing({200: InvitationOut}),
    summary="Send an invitation again",
)
def resend_invitation(request: HttpRequest, city: str, invitation_id: uuid.UUID) -> Any:
    """A new link (the old one stops working) and a new 7-day expiry, sent by email; as when
    inviting, ``sent`` is false and ``send_problem`` says why when the email could not leave."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    invitation = access.invitation_in(member, invitation_id)
    try:
        token = team.resend(invitation=invitation, by=caller(request))
    except team.TeamError:
        raise ApiError(404, _("No such pending invitation in this city.")) from None
    return _sent(request, invitation, token)


def _sent(request: HttpRequest, invitation: Invitation, token: str) -> dict[str, Any]:
    """Send the invitation's email; the invitation as it is then, with why it did not leave."""
    link = request.build_absolute_uri(reverse("invitation", args=[token]))
    problem = send_invitation(invitation=invitation, link=link)
    return {**_invitation_json(request, invitation), "send_problem": problem}


@router.delete(
    INVITATIONS + "/{invitation_id}",
    verb=Verb.MANAGE_PEOPLE,
    response=writing({204: None}, 409),
    summary="Withdraw an invitation",
)
def delete_invitation(request: HttpRequest, city: str, invitation_id: uuid.UUID) -> Any:
    """Its link stops working; the history records the withdrawal. Withdrawing one that is
    withdrawn already is 204 again, with nothing changed; one that was accepted is 409."""
    member = membership(request, city, verb=Verb.MANAGE_PEOPLE)
    invitation = access.invitation_in(member, invitation_id, pending=False)
    if invitation.withdrawn_at is not None:
        return Status(204, None)
    try:
        team.withdraw(invitation=invitation, by=caller(request))
    except team.TeamError as error:
        raise ApiError(409, str(error)) from None
    return Status(204, None)
