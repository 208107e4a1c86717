"""The ``vertebra`` command.

Each command group lives in its own module with a ``register(subparsers)`` function.
Commands that need the database set Django up themselves (``vertebra.cli.base.setup_django``);
``vertebra assess`` and ``vertebra framework export/validate`` of the shipped model do not.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from vertebra import __version__
from vertebra.cli import assess, cities, crosswalk, framework, notify, reports, server, tokens
from vertebra.cli.base import CliError, cli_language

COMMAND_MODULES = [server, framework, crosswalk, assess, cities, tokens, reports, notify]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vertebra",
        description="Vertebra: measure and grow a city's resilience maturity.",
    )
    parser.add_argument("--version", action="version", version=f"vertebra {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


# The exit status of a command whose reader went away (``vertebra ... | head``): that of a
# process ended by SIGPIPE, as the shell reports it (128 + 13).
CLOSED_PIPE_STATUS = 141


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        try:
            # The commands that prepare the instance (init, serve) write its key file and the
            # metrics folder before Django reads its settings: they speak English, unset up.
            speaking = (
                contextlib.nullcontext()
                if getattr(args, "prepares_instance", False)
                else cli_language(getattr(args, "lang", None))
            )
            with speaking:
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
