"""The shapes of the city's team in the API: members and invitations."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from vertebra.api.schemas import Input, Page, RoleCode, Schema


class MemberOut(Schema):
    url: str
    id: str = Field(
        description="The membership's stable id (a new one if the person leaves and joins again)."
    )
    email: str
    name: str = Field(description="The person's name; empty when they gave none.")
    role: RoleCode
    joined_at: dt.datetime


class MemberPage(Page):
    results: list[MemberOut]


class MemberIn(Input):
    role: RoleCode = Field(description="The member's new role.")


class InvitationOut(Schema):
    url: str
    id: str
    email: str
    role: RoleCode
    invited_by: str | None = Field(description="The email of who invited; null when unknown.")
    created_at: dt.datetime
    expires_at: dt.datetime = Field(description="The link works until then (7 days).")
    expired: bool
    sent: bool = Field(description="Whether the email left for the mail server.")
    sent_at: dt.datetime | None
    send_problem: str | None = Field(
        None,
        description="Only in the answer to creating or resending an invitation: why its email "
        "could not be sent (the invitation is kept, 'sent' is false; send it again).",
    )


class InvitationPage(Page):
    results: list[InvitationOut]


class InvitationIn(Input):
    email: str = Field(max_length=254, description="The address the invitation goes to.")
    role: RoleCode = Field(description="The role the person gets when they accept.")
