"""``vertebra token create``: a personal API token for a person, printed once."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import Any

from vertebra.cli.base import CliError, setup_database


def register(subparsers: Any) -> None:
    token = subparsers.add_parser(
        "token",
        help="manage personal API tokens",
        description="Manage the personal tokens that scripts send to the JSON API.",
    )
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser(
        "create",
        help="create a token for a person and print it",
        description=(
            "Create a personal API token for the person who logs in with EMAIL. The token acts "
            "with exactly that person's cities and roles. It is printed once, as the last line; "
            "only its fingerprint is stored."
        ),
    )
    create.add_argument("email", metavar="EMAIL")
    create.add_argument(
        "--name", default="Command line", help="what the token is for (default: Command line)"
    )
    create.set_defaults(handler=run_token_create)

    listing = token_sub.add_parser(
        "list",
        help="list a person's tokens",
        description=(
            "List the personal API tokens of the person who logs in with EMAIL: id, name, "
            "created, last used and whether revoked. A token's secret is never shown again."
        ),
    )
    listing.add_argument("email", metavar="EMAIL")
    listing.set_defaults(handler=run_token_list)

    revoke = token_sub.add_parser(
        "revoke",
        help="revoke one of a person's tokens",
        description=(
            "Revoke the token TOKEN_ID (as 'vertebra token list' shows it) of the person who "
            "logs in with EMAIL: scripts that send it are refused from now on."
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
        raise CliError(f"{args.email}: no such person (create one with 'vertebra user create')")
    if not user.is_active:
        raise CliError(f"{args.email}: this account is deactivated")
    try:
        token, key = create_token(user=user, name=args.name)
    except TokenInputError as exc:
        raise CliError(f"--name: {exc}") from None
    print(f"Created token '{token.name}' for {user.email}. It is shown only once:")
    print(key)
    return 0


def _when(moment: dt.datetime | None) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"


def run_token_list(args: argparse.Namespace) -> int:
    setup_database()
    from vertebra.cli.people import person_by_email

    person = person_by_email(args.email)
    tokens = list(person.api_tokens.order_by("-created_at", "-id"))
    print(f"{'ID':<36}  {'CREATED':<16}  {'LAST USED':<16}  {'STATE':<7}  NAME")
    for token in tokens:
        state = "active" if token.is_active else "revoked"
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
            f"{args.token_id}: not a token id (one of 'vertebra token list {person.email}')"
        ) from None
    already = person.api_tokens.filter(uuid=token_id, revoked_at__isnull=False).exists()
    token = revoke_token(user=person, token_id=token_id)
    if token is None:
        raise CliError(f"{args.token_id}: {person.email} has no such token")
    if already:
        print(f"Token '{token.name}' of {person.email} was already revoked")
    else:
        print(f"Revoked token '{token.name}' of {person.email}")
    return 0
