"""A person's own settings: name, password, language and digest emails.

Pages ("Your account", the password reset) and commands (``vertebra user set-password``)
change them through these functions, so a password is always checked by
``AUTH_PASSWORD_VALIDATORS`` with the person it is for, and a change is written whole or not
at all.
"""

from __future__ import annotations

import copy

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vertebra.accounts.models import User
from vertebra.text import clean_text

NAME_MAX = User._meta.get_field("name").max_length or 150


class AccountInputError(ValueError):
    """What cannot be saved, per field (``errors``); nothing was written."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(m)}" for field, m in errors.items()))
        self.errors = errors


def password_problems(password: str, *, user: User, name: str | None = None) -> list[str]:
    """Why ``password`` may not be ``user``'s (empty when it may), as the validators say it,
    given the person (with ``name`` when it is about to change), so that a password like the
    person's own email or name is refused."""
    candidate = user
    if name is not None and name != user.name:
        candidate = copy.copy(user)
        candidate.name = name
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        return list(error.messages)
    return []


def name_problems(name: str) -> list[str]:
    if len(clean_text(name, single_line=True)) > NAME_MAX:
        return [_("A name has at most %(limit)d characters.") % {"limit": NAME_MAX}]
    return []


def language_problems(language: str) -> list[str]:
    from vertebra.languages import available_language

    if language and not available_language(language):
        return [_("“%(code)s” is not one of this instance's languages.") % {"code": language}]
    return []


def set_password(*, user: User, password: str) -> None:
    """Give ``user`` a new password, checked by the validators first."""
    problems = password_problems(password, user=user)
    if problems:
        raise AccountInputError({"password": problems})
    user.set_password(password)
    user.save(update_fields=["password"])


def update_account(
    *,
    user: User,
    name: str,
    language: str,
    digest_emails: bool,
    new_password: str | None = None,
) -> list[str]:
    """Save the person's own settings, all checked before any is written; the names of the
    fields that changed (``password`` among them when a new one was given)."""
    name = clean_text(name, single_line=True).strip()
    errors = {
        field: problems
        for field, problems in {
            "name": name_problems(name),
            "language": language_problems(language),
            "password": password_problems(new_password, user=user, name=name)
            if new_password is not None
            else [],
        }.items()
        if problems
    }
    if errors:
        raise AccountInputError(errors)
    changed = [
        field
        for field, value in (
            ("name", name),
            ("language", language),
            ("digest_emails", digest_emails),
        )
        if getattr(user, field) != value
    ]
    with transaction.atomic():
        user.name = name
        user.language = language
        user.digest_emails = digest_emails
        if new_password is not None:
            user.set_password(new_password)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
    return changed


def set_language(*, user: User, language: str) -> bool:
    """Keep ``language`` (one of ``settings.LANGUAGES``) as the person's own, the language of
    their pages and emails; True when it changed. The switcher on every page calls it."""
    problems = language_problems(language)
    if problems:
        raise AccountInputError({"language": problems})
    if user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True
