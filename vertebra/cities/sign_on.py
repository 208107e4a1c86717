"""Who may sign in through the city's identity provider (single sign-on), and what it does.

Only people the instance already knows, matched by an email address the provider has
verified (lower-cased):

- an account with that address signs in (a superuser too, but no superuser is ever made
  here), and joins the cities it has open invitations to;
- an address with an open, unexpired invitation and no account gets one (with no usable
  password: it signs in through the provider, or sets a password with "forgot password")
  and joins every city that invited it;
- anyone else (an unknown address, an address not verified, an inactive account) is refused,
  and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from vertebra.accounts.models import User
from vertebra.cities import team
from vertebra.cities.models import Invitation
from vertebra.text import clean_text

NAME_MAX_LENGTH = 150


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The claims' email address, lower-cased, when the provider says it verified it.

    ``email_verified`` must be true (JSON ``true``; some providers send the string
    ``"true"``). Microsoft Entra ID says it with ``xms_edov`` (the address's domain is
    verified by its owner) when that optional claim is configured."""
    email = claims.get("email")
    if not isinstance(email, str):
        return None
    email = email.strip().lower()
    if not email or len(email) > 254:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    if not any(_true(claims.get(name)) for name in ("email_verified", "xms_edov")):
        return None
    return email


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def name_from(claims: Mapping[str, Any]) -> str:
    """The person's name as the provider gives it (``name``, else given and family name)."""
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str))
    return clean_text(name, single_line=True).strip()[:NAME_MAX_LENGTH]


def person_for_sign_on(*, claims: Mapping[str, Any]) -> User | None:
    """The person these claims sign in (made and joined when invited); ``None``: refused,
    with nothing written."""
    email = verified_email(claims)
    if email is None:
        return None
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is not None and not user.is_active:
            return None
        invitations = list(team.open_invitations_to(email))
        if user is None and not invitations:
            return None
        made = user is None
        if user is None:
            user = _new_person(email, name_from(claims))
        joined = [invitation for invitation in invitations if _accepted(invitation, user)]
        if made and not joined:
            # Every invitation was used or withdrawn a moment ago: no account after all.
            transaction.set_rollback(True)
            return None
    return user


def _accepted(invitation: Invitation, user: User) -> bool:
    try:
        team.accept(invitation=invitation, user=user)
    except team.TeamError:
        return False  # used or withdrawn a moment ago
    return True


def _new_person(email: str, name: str) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(email, None, name=name)
    except IntegrityError:
        # The same person's other sign-in made the account a moment ago.
        return User.objects.get(email=email)
