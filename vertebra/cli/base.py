"""What every command shares: errors that end in exit status 2, and lazy Django set-up."""

from __future__ import annotations

import os


class CliError(Exception):
    """A problem with the caller's input: printed on stderr, exit status 2, no traceback."""

    def __init__(self, *lines: str, exit_code: int = 2) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)
        self.exit_code = exit_code


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vertebra.settings")
    import django

    django.setup()


def setup_database() -> None:
    """Django set up, the database migrated and the shipped models loaded (quietly)."""
    from vertebra.cli.server import initialise

    initialise(verbose=False)


def read_password_stdin() -> str:
    import sys

    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError("no password on standard input")
    return password
