"""``vertebra user list/set-password/unlock`` and ``vertebra city list``: the people and cities
of the instance, for its operator."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from vertebra.cli.base import CliError, _, file_errors, read_password_stdin, setup_database

if TYPE_CHECKING:
    from vertebra.accounts.models import User


def register_user_actions(user_sub: Any) -> None:
    listing = user_sub.add_parser(
        "list",
        help=_("list the people and their roles"),
        description=(
            _(
                "List every person (or a city's members) by email: name, and each city with the "
                "person's role there."
            )
        ),
    )
    listing.add_argument("--city", metavar="SLUG", help=_("only the members of this city"))
    listing.set_defaults(handler=run_user_list)

    password = user_sub.add_parser(
        "set-password",
        help=_("give a person a new password"),
        description=(
            _(
                "Give the person who logs in with EMAIL a new password, read from the first line of "
                "standard input and checked as on the pages (length, not common, not like the "
                "person's email or name)."
            )
        ),
    )
    password.add_argument("email", metavar="EMAIL")
    password.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help=_("read the password from the first line of standard input"),
    )
    password.set_defaults(handler=run_user_set_password)

    unlock = user_sub.add_parser(
        "unlock",
        help=_("let an address sign in again after too many failures"),
        description=(
            _(
                "After 10 failed sign-ins within 15 minutes, an email address cannot sign in for 15 "
                "minutes. This forgets its failed sign-ins, so it can sign in at once. It works for "
                "any address tried, whether or not a person has it."
            )
        ),
    )
    unlock.add_argument("email", metavar="EMAIL")
    unlock.set_defaults(handler=run_user_unlock)


def register_city_actions(city_sub: Any) -> None:
    listing = city_sub.add_parser(
        "list",
        help=_("list the cities"),
        description=_("List every city: short name, number of members and full name."),
    )
    listing.set_defaults(handler=run_city_list)


def person_by_email(email: str) -> User:
    """The person with this email address, or a one-line refusal."""
    from vertebra.accounts.models import User

    person = User.objects.filter(email=email.strip().lower()).first()
    if person is None:
        raise CliError(
            _("%(email)s: no such person (create one with 'vertebra user create')")
            % {"email": email}
        )
    return person


def run_user_list(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra import access

    city = None
    if args.city is not None:
        city = access.city_for_operator(args.city)
        if city is None:
            raise CliError(_("--city %(city)s: no such city") % {"city": args.city})
    rows = [
        (
            person.email,
            person.name or "-",
            ", ".join(f"{m.city.slug} ({m.role})" for m in memberships) or "-",
        )
        for person, memberships in access.people_for_operator(city)
    ]
    email, name = _("EMAIL"), _("NAME")
    email_width = max([len(email), *(len(row[0]) for row in rows)])
    name_width = max([len(name), *(len(row[1]) for row in rows)])
    cities_heading = _("CITIES")
    print(f"{email:<{email_width}}  {name:<{name_width}}  {cities_heading}")
    for address, person_name, cities in rows:
        print(f"{address:<{email_width}}  {person_name:<{name_width}}  {cities}")
    return 0


def run_user_set_password(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.accounts.profile import AccountInputError, set_password

    person = person_by_email(args.email)
    password = read_password_stdin()
    try:
        set_password(user=person, password=password)
    except AccountInputError as error:
        raise CliError(*file_errors(error.errors["password"], prefix="password")) from None
    print(_("Set a new password for %(email)s") % {"email": person.email})
    return 0


def run_user_unlock(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.accounts.signin import failures_of, normalized_email, unlock

    email = normalized_email(args.email)
    if not email:
        raise CliError(_("EMAIL: give the email address to unlock"))
    failures = failures_of(email)
    unlock(email)
    if failures:
        print(
            _("Unlocked %(email)s: %(failures)s failed sign-ins forgotten")
            % {"email": email, "failures": failures}
        )
    else:
        print(_("%(email)s was not locked: no recent failed sign-ins") % {"email": email})
    return 0


def run_city_list(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra import access

    cities = list(access.cities_for_operator())
    slug = _("SLUG")
    slug_width = max([len(slug), *(len(city.slug) for city in cities)])
    members_heading, name = _("MEMBERS"), _("NAME")
    print(f"{slug:<{slug_width}}  {members_heading:>7}  {name}")
    for city in cities:
        members: int = city.member_count  # type: ignore[attr-defined]
        print(f"{city.slug:<{slug_width}}  {members:>7}  {city.name}")
    return 0
