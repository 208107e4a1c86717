"""What every command shares: errors that end in exit status 2, lazy Django set-up and the
language people read the output in."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

# The one message function of the command line: in the active language once Django is set up
# (cli_language), as written before (vertebra/i18n.py).
from vertebra.i18n import gettext, gettext_noop, ngettext

_ = gettext


class CliError(Exception):
    """A problem with the caller's input: printed on stderr, exit status 2, no traceback."""

    def __init__(self, *lines: str, exit_code: int = 2) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)
        self.exit_code = exit_code


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vertebra.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        # A setting read from the environment is wrong: its message names the variable.
        raise CliError(str(exc)) from None


# The environment variables that name a person's language, in the order gettext reads them.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str], offered: Iterable[str]) -> str:
    """The first offered language the environment names (``LANGUAGE`` may list several,
    ``es:fr``; ``LANG=es_ES.UTF-8`` names ``es``), else English. The first variable set wins,
    as in gettext; ``C`` and ``POSIX`` mean English."""
    codes = set(offered)
    for variable in LANGUAGE_VARIABLES:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        for item in value.split(":"):
            tag = item.split(".")[0].split("@")[0].replace("_", "-").lower()
            if tag in codes:
                return tag
            if tag.split("-")[0] in codes:
                return tag.split("-")[0]
        if variable != "LANGUAGE":
            break
    return "en"


@contextmanager
def cli_language(requested: str | None = None) -> Iterator[str]:
    """Speak a command's output in ``requested`` (a ``--lang``) when given, else in the
    environment's language (:func:`environment_language`) when it is offered, else English.

    An unknown ``--lang`` is a CliError naming the offered languages. Django is set up for its
    translations only (no database); when its settings cannot be read the output stays English
    and the command that needs them says why.
    """
    try:
        setup_django()
    except CliError:
        if requested:
            raise
        yield "en"
        return
    from django.conf import settings
    from django.utils import translation

    from vertebra.languages import LanguageNotOffered, chosen_language

    offered = [code for code, _name in settings.LANGUAGES]
    language = environment_language(os.environ, offered)
    with translation.override(language):
        if requested:
            try:
                language = chosen_language(requested)
            except LanguageNotOffered as exc:
                raise CliError(_("--lang: %(exc)s") % {"exc": exc}) from None
        with translation.override(language):
            yield language


def pending_migrations() -> list[str]:
    """The migrations not yet applied to the database, as ``app.name``."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def all_migrations() -> list[str]:
    """Every migration of this version, as ``app.name``, read without a database."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [f"{app}.{name}" for app, name in loader.graph.nodes]


def _brand_new() -> bool:
    from django.db import connection

    return not connection.introspection.table_names()


def setup_database(*, prepare_new: bool = False) -> None:
    """Django set up on a database whose layout is up to date; never migrates by itself.

    Only ``vertebra migrate`` (and ``init`` and ``serve``, which call it) change the layout,
    so that a report or an import never migrates a production database as a side effect.
    ``prepare_new``: a brand-new database (no tables at all, so nothing to lose) is prepared
    instead; ``vertebra restore`` fills such a database on a new server.
    """
    if prepare_new:
        from vertebra.instance import create_data_dir

        create_data_dir()
    setup_django()
    from django.db import DatabaseError

    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        raise CliError(
            (_("the database cannot be read: %(error)s") % {"error": exc}).strip()
        ) from None
    if pending and prepare_new and _brand_new():
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return
    if pending:
        raise CliError(
            _(
                "the database is not up to date (%(count)d changes of its layout to apply); "
                "run 'vertebra migrate' first"
            )
            % {"count": len(pending)}
        )


def read_password_stdin() -> str:
    import sys

    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError(_("no password on standard input"))
    return password


# -- the language of --help, usage and argparse's own messages ----------------------------------


def peek(arguments: Sequence[str]) -> tuple[str | None, str | None]:
    """The command (the first word that is not an option) and the ``--lang X`` or
    ``--lang=X`` of a command line, read before the parser is built: its help texts and
    argparse's own words are written in that language as the parser is made."""
    command = language = None
    words = iter(arguments)
    for word in words:
        if word == "--":
            break
        if word == "--lang":
            language = next(words, None)
        elif word.startswith("--lang="):
            language = word.partition("=")[2]
        elif command is None and not word.startswith("-"):
            command = word
    return command, language


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """``--lang`` on a parser that has none; left out of the namespace unless given, so the
    one given before the command is kept (``vertebra --lang es assess ...``)."""
    if "--lang" in parser._option_string_actions:
        return
    parser.add_argument(
        "--lang",
        metavar="LANG",
        default=argparse.SUPPRESS,
        help=_(
            "the language of the output, one of the instance's languages (en, es, ...); "
            "default: the environment's (LANG), else en"
        ),
    )


def _argparse_gettext(message: str) -> str:
    # argparse also asks for the translation of a missing description (None).
    return _(message) if message else message


@contextmanager
def argparse_in_our_language() -> Iterator[None]:
    """argparse's own words ("usage:", "error:", "options", "the following arguments are
    required: %s", ...) from our catalogue, in the active language.

    argparse imports ``gettext as _`` and ``ngettext`` from Python's gettext (its domain
    ``argparse``, which Vertebra does not ship) and looks both names up in its module each
    time it calls them: for as long as a command runs they are ours. The messages are marked
    in ``ARGPARSE_MESSAGES`` so that ``make messages`` extracts them."""
    module: Any = argparse
    saved = module._, module.ngettext
    module._, module.ngettext = _argparse_gettext, ngettext
    try:
        yield
    finally:
        module._, module.ngettext = saved


# argparse's messages that people meet, for the catalogues.
ARGPARSE_MESSAGES = (
    gettext_noop("usage: "),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)"),
    gettext_noop("can't open '%(filename)s': %(error)s"),
)


def file_errors(errors: Iterable[str], *, prefix: str) -> list[str]:
    """A file's problems (already in the output's language) as CliError lines, each after
    the file's name (or what names it, such as ``--framework FILE``)."""
    return [f"{prefix}: {error}" for error in errors]
