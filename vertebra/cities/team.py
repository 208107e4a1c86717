"""A city's team: invitations, joining, roles and removal, each recorded with who and when.

The rules every interface keeps (pages, API, commands):

- An invitation's link holds a secret that is stored only as a digest; it works once, for
  :data:`INVITATION_DAYS` days. Sending it again makes a new secret (the old link stops
  working) and a new expiry. A city has at most one open invitation per address.
- A city always keeps at least one admin: the last one can be neither removed nor demoted
  (:class:`LastAdminError`).
- Every change is a :class:`~vertebra.cities.models.MembershipEvent` row.

Sending the email is the interface's part (it knows the link's address); a mail server that
is down loses nothing, since the invitation is written first and can be sent again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.cities.domain import CityInputError, city_problems, create_city
from vertebra.cities.models import (
    City,
    Invitation,
    InvitationKind,
    Membership,
    MembershipEvent,
    Role,
)
from vertebra.text import clean_text

INVITATION_DAYS = 7
Kind = MembershipEvent.Kind


class TeamError(ValueError):
    """A change the team's rules refuse; the text says why, for the person who asked."""


class LastAdminError(TeamError):
    """The change would leave the city without an admin."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_email(email: str) -> str:
    """The address lower-cased and checked; :class:`TeamError` naming it when not valid."""
    cleaned = clean_text(email, single_line=True).strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError:
        raise TeamError(_("%(email)r is not a valid email address.") % {"email": email}) from None
    return cleaned


def clean_role(role: str) -> Role:
    if role not in Role.values:
        raise TeamError(
            _("Unknown role %(role)r: use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    return Role(role)


def _record(
    city: City,
    kind: str,
    *,
    email: str,
    by: User | None,
    role: str = "",
    previous_role: str = "",
) -> MembershipEvent:
    return MembershipEvent.objects.create(
        city=city,
        kind=kind,
        email=email,
        role=role,
        previous_role=previous_role,
        by=by,
        by_email=by.email if by is not None else "",
    )


# --- invitations --------------------------------------------------------------------------


def invite(*, city: City, email: str, role: str, by: User | None) -> tuple[Invitation, str]:
    """Invite ``email`` to the city with ``role``: the invitation and its link's secret.

    An open invitation to the same address is renewed instead (its role, a new secret and
    expiry). A person who is already a member is refused."""
    email = clean_email(email)
    role = clean_role(role)
    if Membership.objects.filter(city=city, user__email=email).exists():
        raise TeamError(_("%(email)s is already a member of this city.") % {"email": email})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    expires_at = now + timedelta(days=INVITATION_DAYS)
    with transaction.atomic():
        found = (
            Invitation.objects.select_for_update()
            .filter(
                city=city,
                email=email,
                accepted_at=None,
                withdrawn_at=None,
                kind=InvitationKind.MEMBER,
            )
            .first()
        )
        if found is not None:
            found.role = role
            found.token_digest = digest(token)
            found.expires_at = expires_at
            found.invited_by = by
            found.sent_at = None
            found.save(
                update_fields=["role", "token_digest", "expires_at", "invited_by", "sent_at"]
            )
            _record(city, Kind.INVITATION_RESENT, email=email, role=role, by=by)
            return found, token
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    city=city,
                    email=email,
                    role=role,
                    token_digest=digest(token),
                    invited_by=by,
                    created_at=now,
                    expires_at=expires_at,
                )
        except IntegrityError:
            # Someone invited the same address at the same moment.
            raise TeamError(
                _("%(email)s was invited a moment ago; see the pending invitations.")
                % {"email": email}
            ) from None
        _record(city, Kind.INVITED, email=email, role=role, by=by)
    return invitation, token


def resend(*, invitation: Invitation, by: User | None) -> str:
    """A new secret and expiry for an open invitation (the old link stops working)."""
    if not invitation.is_open:
        raise TeamError(_("This invitation was accepted or withdrawn already."))
    token = secrets.token_urlsafe(32)
    _change_open(
        invitation,
        Kind.INVITATION_RESENT,
        by=by,
        token_digest=digest(token),
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        sent_at=None,
    )
    return token


def mark_sent(invitation: Invitation) -> None:
    """The invitation's email left for the mail server."""
    invitation.sent_at = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=invitation.sent_at)


def withdraw(*, invitation: Invitation, by: User | None) -> None:
    _change_open(invitation, Kind.INVITATION_WITHDRAWN, by=by, withdrawn_at=timezone.now())


def _change_open(invitation: Invitation, kind: str, *, by: User | None, **changes: Any) -> None:
    """Write ``changes`` to the invitation while it is still open, and record ``kind``;
    :class:`TeamError` when it was accepted or withdrawn meanwhile."""
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, withdrawn_at=None
        ).update(**changes)
        if not updated:
            raise TeamError(_("This invitation was accepted or withdrawn already."))
        _record(invitation.city, kind, email=invitation.email, role=invitation.role, by=by)
    invitation.refresh_from_db()


def invitation_by_token(token: str) -> Invitation | None:
    """The open, unexpired invitation whose link holds ``token``; ``None`` for any other."""
    if not token or len(token) > 200:
        return None
    found = (
        Invitation.objects.select_related("city", "invited_by")
        .filter(token_digest=digest(token), accepted_at=None, withdrawn_at=None)
        .first()
    )
    if found is None or found.has_expired():
        return None
    return found


def open_invitations_to(email: str) -> QuerySet[Invitation]:
    """The open, unexpired invitations to an address (every city), newest first."""
    return Invitation.objects.select_related("city").filter(
        email=email.strip().lower(),
        kind=InvitationKind.MEMBER,
        accepted_at=None,
        withdrawn_at=None,
        expires_at__gt=timezone.now(),
    )


def accept(*, invitation: Invitation, user: User) -> Membership | None:
    """``user`` joins the invitation's city with its role; the invitation is then used up.

    A person who is a member already keeps their role (the invitation is used up all the
    same). A review's invitation makes no member (``None``): who accepted it is the review's
    reviewer (``vertebra.reviews``)."""
    with transaction.atomic():
        now = timezone.now()
        used = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, withdrawn_at=None, expires_at__gt=now
        ).update(accepted_at=now, accepted_by=user)
        if not used:
            raise TeamError(
                _(
                    "This invitation was used, withdrawn or has expired: ask your city admin for a new one."
                )
            )
        if invitation.kind == InvitationKind.REVIEW:
            return None
        membership, created = Membership.objects.get_or_create(
            city=invitation.city, user=user, defaults={"role": invitation.role}
        )
        if created:
            _record(invitation.city, Kind.JOINED, email=user.email, role=membership.role, by=user)
    return membership


def new_person_problems(*, email: str, name: str, password: str) -> dict[str, list[str]]:
    """What is wrong with a new person's name and password, by field (empty: nothing).

    The password is checked by the instance's validators given the new person, so that it
    may not resemble their email or name."""
    name = clean_text(name, single_line=True).strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Please give your name.")]
    elif len(name) > 150:
        errors["name"] = [_("At most 150 characters.")]
    try:
        validate_password(password, user=User(email=email, name=name))
    except ValidationError as error:
        errors["password"] = list(error.messages)
    return errors


def join_as_new_person(*, invitation: Invitation, name: str, password: str) -> User:
    """A new account for the invitation's address, with its name and password, joined.

    :class:`django.core.exceptions.ValidationError` by field (see :func:`new_person_problems`)."""
    errors = new_person_problems(email=invitation.email, name=name, password=password)
    if errors:
        raise ValidationError(errors)
    name = clean_text(name, single_line=True).strip()
    with transaction.atomic():
        if User.objects.filter(email=invitation.email).exists():
            raise TeamError(
                _("An account with this address exists already: sign in to accept the invitation.")
            )
        user = User.objects.create_user(invitation.email, password, name=name)
        accept(invitation=invitation, user=user)
    return user


def has_account(invitation: Invitation) -> bool:
    """Whether a person with the invited address exists (they sign in and accept)."""
    return User.objects.filter(email=invitation.email).exists()


def accept_as(*, invitation: Invitation, user: User) -> Membership | None:
    """:func:`accept`, by the person the invitation was sent to (their address) only."""
    if user.email.lower() != invitation.email:
        raise TeamError(
            _(
                "This invitation is for %(email)s: sign out and sign in with that address "
                "to accept it."
            )
            % {"email": invitation.email}
        )
    return accept(invitation=invitation, user=user)


def found_city(
    *, slug: str, name: str, country: str, admin_email: str, by: User | None
) -> tuple[City, Invitation, str]:
    """A new city and the invitation of its first admin (a new or an existing person alike,
    who accepts it); :class:`CityProblems` naming every wrong field, nothing written then."""
    name = clean_text(name, single_line=True).strip()
    country = clean_text(country, single_line=True).strip()
    problems = city_problems(slug=slug, name=name)
    if not problems and City.objects.filter(slug=slug).exists():
        problems["slug"] = _("A city with the short name %(slug)r exists already.") % {"slug": slug}
    if len(name) > 200:
        problems["name"] = _("At most 200 characters.")
    if len(country) > 100:
        problems["country"] = _("At most 100 characters.")
    if not admin_email.strip():
        problems["admin_email"] = _("Give the first admin's email address.")
    else:
        try:
            clean_email(admin_email)
        except TeamError as error:
            problems["admin_email"] = str(error)
    if problems:
        raise CityProblems(problems)
    try:
        with transaction.atomic():
            city = create_city(slug=slug, name=name, country=country)
            invitation, token = invite(city=city, email=admin_email, role=Role.ADMIN, by=by)
    except (CityInputError, IntegrityError):
        # Someone created a city with this short name a moment ago.
        raise CityProblems(
            {"slug": _("A city with the short name %(slug)r exists already.") % {"slug": slug}}
        ) from None
    return city, invitation, token


class CityProblems(TeamError):
    """What is wrong with a new city, by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


# --- members ------------------------------------------------------------------------------


def _admins_left_without(membership: Membership) -> int:
    """The city's other admins, their rows locked until the change is written."""
    return len(
        Membership.objects.select_for_update()
        .filter(city=membership.city_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )


def change_role(*, membership: Membership, role: str, by: User | None) -> Membership:
    role = clean_role(role)
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update()
            .select_related("user", "city")
            .get(pk=membership.pk)
        )
        if current.role == role:
            return current
        if current.role == Role.ADMIN and not _admins_left_without(current):
            raise LastAdminError(
                _("%(person)s is the city's last admin: make someone else admin first.")
                % {"person": current.user.display_name}
            )
        previous = current.role
        current.role = role
        current.save(update_fields=["role"])
        _record(
            current.city,
            Kind.ROLE_CHANGED,
            email=current.user.email,
            role=role,
            previous_role=previous,
            by=by,
        )
    return current


def remove(*, membership: Membership, by: User | None) -> None:
    with transaction.atomic():
        current = (
            Membership.objects.select_for_update()
            .select_related("user", "city")
            .get(pk=membership.pk)
        )
        if current.role == Role.ADMIN and not _admins_left_without(current):
            raise LastAdminError(
                _("%(person)s is the city's last admin: make someone else admin first.")
                % {"person": current.user.display_name}
            )
        current.delete()
        _record(
            current.city,
            Kind.REMOVED,
            email=current.user.email,
            previous_role=current.role,
            by=by,
        )


def history(city: City) -> QuerySet[MembershipEvent]:
    """The city's team changes, newest first."""
    return MembershipEvent.objects.filter(city=city).select_related("by")
