"""``vertebra token create``: a personal API token for a person, printed once."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import Any

from vertebra.cli.base import CliError, _, setup_database


def register(subparsers: Any) -> None:
    token = subparsers.add_parser(
        "token",
        help=_("manage personal API tokens"),
        description=_("Manage the personal tokens that scripts send to the JSON API."),
    )
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create",
        help=_("create a token for a person and print it"),
        description=(
            _(
                "Create a personal API token for the person who logs in with EMAIL. The token acts "
                "with exactly that person's cities and roles. It is printed once, as the last line; "
                "only its fingerprint is stored."
            )
        ),
    )
    create.add_argument("email", metavar="EMAIL")
    create.add_argument(
        "--name", default="Command line", help=_("what the token is for (default: Command line)")
    )
    create.set_defaults(handler=run_token_create)

    listing = token_sub.add_parser(
        "list",
        help=_("list a person's tokens"),
        description=(
            _(
                "List the personal API tokens of the person who logs in with EMAIL: id, name, "
                "created, last used and whether revoked. A token's secret is never shown again."
            )
        ),
    )
    listing.add_argument("email", metavar="EMAIL")
    listing.set_defaults(handler=run_token_list)

    revoke = token_sub.add_parser(
        "revoke",
        help=_("revoke one of a person's tokens"),
        description=(
            _(
                "Revoke the token TOKEN_ID (as 'vertebra token list' shows it) of the person who "
                "logs in with EMAIL: scripts that send it are refused from now on."
            )
        ),
    )
    revoke.add_argument("email", metavar="EMAIL")
    revoke.add_argument("token_id", metavar="TOKEN_ID")
    revoke.set_defaults(handler=run_token_revoke)


def run_token_create(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.accounts.models import User
    from vertebra.api.tokens import TokenInputError, create_token

    user = User.objects.filter(email=args.email.strip().lower()).first()
    if user is None:
        raise CliError(
            _("%(email)s: no such person (create one with 'vertebra user create')")
            % {"email": args.email}
        )
    if not user.is_active:
        raise CliError(_("%(email)s: this account is deactivated") % {"email": args.email})
    try:
        token, key = create_token(user=user, name=args.name)
    except TokenInputError as exc:
        raise CliError(_("--name: %(exc)s") % {"exc": exc}) from None
    print(
        _("Created token '%(name)s' for %(email)s. It is shown only once:")
        % {"name": token.name, "email": user.email}
    )
    print(key)
    return 0


def _when(moment: dt.datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else _("never")


def run_token_list(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.cli.people import person_by_email

    person = person_by_email(args.email)
    tokens = list(person.api_tokens.order_by("-created_at", "-id"))
    # The headings are worded outside the f-string: make messages reads no code inside one.
    heading, created, used = _("ID"), _("CREATED"), _("LAST USED")
    state, name = _("STATE"), _("NAME")
    print(f"{heading:<36}  {created:<16}  {used:<16}  {state:<7}  {name}")
    for token in tokens:
        state = _("active") if token.is_active else _("revoked")
        print(
            f"{token.uuid!s:<36}  {_when(token.created_at):<16}  "
            f"{_when(token.last_used_at):<16}  {state:<7}  {token.name}"
        )
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.api.tokens import revoke_token
    from vertebra.cli.people import person_by_email

    person = person_by_email(args.email)
    try:
        token_id = uuid.UUID(args.token_id)
    except ValueError:
        raise CliError(
            _("%(token_id)s: not a token id (one of 'vertebra token list %(email)s')")
            % {"token_id": args.token_id, "email": person.email}
        ) from None
    already = person.api_tokens.filter(uuid=token_id, revoked_at__isnull=False).exists()
    token = revoke_token(user=person, token_id=token_id)
    if token is None:
        raise CliError(
            _("%(token_id)s: %(email)s has no such token")
            % {"token_id": args.token_id, "email": person.email}
        )
    if already:
        print(
            _("Token '%(name)s' of %(email)s was already revoked")
            % {"name": token.name, "email": person.email}
        )
    else:
        print(
            _("Revoked token '%(name)s' of %(email)s") % {"name": token.name, "email": person.email}
        )
    return 0
