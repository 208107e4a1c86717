"""Creating cities and people, and giving people a role in a city."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from vertebra.accounts.models import User
from vertebra.cities.models import City, Membership, Role
from vertebra.text import clean_text

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class CityInputError(ValueError):
    pass


def city_problems(*, slug: str, name: str) -> dict[str, str]:
    """What is wrong with a city's short name and name, by field; empty when nothing is.

    The rules of every city: ``create_city`` and a restored backup's rows both keep them."""
    problems: dict[str, str] = {}
    if not SLUG_RE.fullmatch(slug):
        problems["slug"] = (
            f"{slug!r} is not a valid short name: use lower-case letters, digits and hyphens "
            "(at most 64), starting with a letter or digit"
        )
    if not clean_text(name, single_line=True).strip():
        problems["name"] = "the city's name is empty"
    return problems


def create_city(*, slug: str, name: str, country: str = "") -> City:
    name = clean_text(name, single_line=True).strip()
    country = clean_text(country, single_line=True).strip()
    problems = city_problems(slug=slug, name=name)
    if problems:
        raise CityInputError(next(iter(problems.values())))
    if City.objects.filter(slug=slug).exists():
        raise CityInputError(f"a city with the short name {slug!r} exists already")
    return City.objects.create(slug=slug, name=name, country=country)


def add_person(
    *, email: str, city: City, role: str, password: str | None = None
) -> tuple[User, Membership, bool]:
    """Create the person if new (a password is then required) and give them the role in the city.

    Returns the person, the membership and whether the person was created.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise CityInputError(f"{email!r} is not a valid email address") from None
    if role not in Role.values:
        raise CityInputError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        created = user is None
        if user is None:
            if not password:
                raise CityInputError("a new person needs a password")
            user = User.objects.create_user(email, password)
        membership, _ = Membership.objects.update_or_create(
            city=city, user=user, defaults={"role": role}
        )
    return user, membership, created
