"""The ``vertebra`` command.

Each command group lives in its own module with a ``register(subparsers)`` function.
Commands that need the database set Django up themselves (``vertebra.cli.base.setup_django``);
``vertebra assess`` and ``vertebra framework export/validate`` of the shipped model do not.

The language (``--lang``, else the environment's) is chosen before the parser is built, so
that its help texts and argparse's own words are in it too; every command takes ``--lang``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from vertebra import __version__
from vertebra.cli import assess, cities, crosswalk, framework, notify, reports, server, tokens
from vertebra.cli.base import (
    CliError,
    _,
    add_language_option,
    argparse_in_our_language,
    cli_language,
    peek,
)

COMMAND_MODULES = [server, framework, crosswalk, assess, cities, tokens, reports, notify]


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, its texts in the active language."""
    parser = argparse.ArgumentParser(
        prog="vertebra",
        description=_("Vertebra: measure and grow a city's resilience maturity."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"vertebra {__version__}",
        help=_("show the version number and exit"),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    for path, sub in all_parsers(parser, []):
        if not (path and path[0] in server.PREPARES_INSTANCE):
            add_language_option(sub)
    return parser


def all_parsers(
    parser: argparse.ArgumentParser, path: list[str]
) -> list[tuple[list[str], argparse.ArgumentParser]]:
    """``parser`` and every parser below it, each with its command words."""
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.extend(all_parsers(child, [*path, name]))
    return found


# The exit status of a command whose reader went away (``vertebra ... | head``): that of a
# process ended by SIGPIPE, as the shell reports it (128 + 13).
CLOSED_PIPE_STATUS = 141


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    command, language = peek(arguments)
    try:
        try:
            # The commands that prepare the instance (init, serve) write its key file and the
            # metrics folder before Django reads its settings: they speak English, unset up.
            speaking = (
                contextlib.nullcontext()
                if command in server.PREPARES_INSTANCE
                else cli_language(language)
            )
            with speaking, argparse_in_our_language():
                args = build_parser().parse_args(arguments)
                given = getattr(args, "lang", None)
                # An abbreviated option (--lan es) is only known once parsed.
                again = cli_language(given) if given not in (None, language) else None
                with again or contextlib.nullcontext():
                    result: int = args.handler(args)
        except CliError as exc:
            sys.stdout.flush()
            for line in exc.lines:
                print("vertebra:", line, file=sys.stderr)
            return exc.exit_code
        sys.stdout.flush()  # here, so that a closed pipe is noticed while it can be handled
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _discard_output()
        return CLOSED_PIPE_STATUS
    return result


def _discard_output() -> None:
    """Point standard output at /dev/null: what is still buffered for a reader that went away
    is dropped when Python exits, instead of failing again with a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
