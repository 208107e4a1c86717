"""``vertebra city create``, ``vertebra user create`` and ``vertebra demo``."""

from __future__ import annotations

import argparse
from typing import Any

from vertebra.cli import people
from vertebra.cli.base import CliError, _, file_errors, read_password_stdin, setup_database


def register(subparsers: Any) -> None:
    city = subparsers.add_parser(
        "city",
        help=_("manage cities"),
        description=_("Manage the cities (tenants) of this instance."),
    )
    city_sub = city.add_subparsers(dest="city_command", metavar="ACTION", required=True)
    create = city_sub.add_parser(
        "create", help=_("create a city"), description=_("Create a city with a short name (SLUG).")
    )
    create.add_argument(
        "slug", metavar="SLUG", help=_("short name used in addresses, e.g. donostia")
    )
    create.add_argument("--name", required=True, help=_("the city's full name"))
    create.set_defaults(handler=run_city_create)
    people.register_city_actions(city_sub)

    user = subparsers.add_parser(
        "user", help=_("manage people"), description=_("Manage the people who log in to Vertebra.")
    )
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    ucreate = user_sub.add_parser(
        "create",
        help=_("create a person, or add an existing person to a city"),
        description=(
            _(
                "Create a person who logs in with EMAIL and give them a role in a city. For an "
                "existing person, only the role in the city is added or changed: their password "
                "stays as it is, and the command says so (change it with 'vertebra user "
                "set-password')."
            )
        ),
    )
    ucreate.add_argument("email", metavar="EMAIL")
    ucreate.add_argument("--city", required=True, metavar="SLUG", help=_("the city's short name"))
    ucreate.add_argument(
        "--role",
        required=True,
        choices=["admin", "editor", "contributor", "viewer"],
        help=_("the person's role in the city"),
    )
    ucreate.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help=_("read the password from the first line of standard input"),
    )
    ucreate.set_defaults(handler=run_user_create)
    people.register_user_actions(user_sub)

    demo = subparsers.add_parser(
        "demo",
        help=_("create the Demo City, or add the sample assessments it is missing"),
        description=(
            _(
                "Create the city 'demo' (Demo City) with two sample assessment cycles: an older "
                "final one and a newer, partly answered draft. Run again, it only adds a sample "
                "that is missing: assessments, answers, comments and actions people made in the "
                "Demo City, in the samples too, stay as they are."
            )
        ),
    )
    demo.set_defaults(handler=run_demo)


def run_city_create(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.cities.domain import CityInputError, create_city

    try:
        city = create_city(slug=args.slug, name=args.name)
    except CityInputError as exc:
        raise CliError(str(exc)) from None
    print(_("Created city %(slug)s (%(name)s)") % {"slug": city.slug, "name": city.name})
    return 0


def run_user_create(args: argparse.Namespace) -> int:
    setup_database()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from vertebra.access import city_for_operator
    from vertebra.accounts.models import User
    from vertebra.cities.domain import CityInputError, add_person

    city = city_for_operator(args.city)
    if city is None:
        raise CliError(_("--city %(city)s: no such city") % {"city": args.city})
    password: str | None = read_password_stdin()
    if User.objects.filter(email=args.email.strip().lower()).exists():
        password = None
    elif password is not None:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CliError(*file_errors(exc.messages, prefix="password")) from None
    try:
        user, membership, created = add_person(
            email=args.email, city=city, role=args.role, password=password
        )
    except CityInputError as exc:
        raise CliError(str(exc)) from None
    done = (
        _("Created %(email)s: %(role)s in %(slug)s")
        if created
        else _("Updated %(email)s: %(role)s in %(slug)s")
    )
    print(done % {"email": user.email, "role": membership.role, "slug": city.slug})
    if not created:
        print(
            _(
                "The password on standard input was not used: %(email)s already has one. To change it: vertebra user set-password EMAIL --password-stdin"
            )
            % {"email": user.email}
        )
    return 0


def run_demo(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.access import city_for_operator
    from vertebra.demo import DEMO_SLUG, SAMPLES, build_demo, sample_assessments
    from vertebra.frameworks.domain import load_shipped_frameworks

    load_shipped_frameworks()  # the demo answers the shipped SMR model
    before = city_for_operator(DEMO_SLUG)
    had = len(sample_assessments(before)) if before is not None else 0
    city = build_demo()
    added = len(SAMPLES) - had
    count = city.assessments.count()
    ready = (
        _(
            "Demo City is ready: %(added)s sample assessments added; %(had)s kept as they were; "
            "%(count)s assessments in city '%(slug)s'"
        )
        if had
        else _(
            "Demo City is ready: %(added)s sample assessments added; %(count)s assessments in "
            "city '%(slug)s'"
        )
    )
    print(ready % {"added": added, "had": had, "count": count, "slug": city.slug})
    return 0
