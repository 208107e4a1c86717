"""``vertebra token create``: a personal API token for a person, printed once."""

from __future__ import annotations

import argparse
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
