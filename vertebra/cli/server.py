"""``vertebra init`` and ``vertebra serve``."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from typing import Any

from vertebra.cli.base import CliError, _, all_migrations, pending_migrations, setup_django

# The commands that prepare the instance (its key file, the metrics folder) before Django reads
# its settings: they speak English, their help included, since Django is not set up before.
PREPARES_INSTANCE = ("init", "serve")


def register(subparsers: Any) -> None:
    migrate = subparsers.add_parser(
        "migrate",
        help=_("bring the database's layout up to date (safe to repeat)"),
        description=(
            _(
                "Apply the database changes this version of Vertebra needs. Every other command "
                "that uses the database stops with a message until they are applied."
            )
        ),
    )
    migrate.add_argument(
        "--check",
        action="store_true",
        help=(
            _(
                "change nothing: exit 0 when the layout is up to date, 1 (with one line naming how "
                "many changes are due) when 'vertebra migrate' is needed, for deployment scripts"
            )
        ),
    )
    migrate.set_defaults(handler=run_migrate)
    init = subparsers.add_parser(
        "init",
        help=_("prepare the database and load the shipped maturity models (safe to repeat)"),
        description=(
            _("Run 'vertebra migrate', then load the shipped maturity models. Idempotent.")
        ),
    )
    init.add_argument(
        "--first-run",
        action="store_true",
        help=(
            _(
                "when no account exists yet, also create an admin account (printing its email and "
                "a generated password once) and the Demo City"
            )
        ),
    )
    init.set_defaults(handler=run_init)
    serve = subparsers.add_parser(
        "serve",
        help=_("run init, then serve the web application"),
        description=(
            _(
                "Run 'vertebra init', then serve the application with gunicorn "
                "(Django's development server when VERTEBRA_DEBUG is set). An address it cannot "
                "listen on (a port in use, a host that is not this machine's) stops it with one "
                "line and exit status 2 before anything else is done."
            )
        ),
    )
    serve.add_argument(
        "--port", type=port_number, help=_("port to listen on (default: $PORT or 8000)")
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help=_("address to listen on (default: 127.0.0.1)")
    )
    serve.add_argument(
        "--workers",
        type=at_least_one,
        default=None,
        help=_("gunicorn worker processes, 1 or more (default: one per core plus one, at least 3)"),
    )
    serve.add_argument(
        "--threads",
        type=at_least_one,
        default=1,
        help=(
            _(
                "threads per worker process, 1 or more; more than 1 uses gunicorn's threaded "
                "workers (default: 1)"
            )
        ),
    )
    serve.set_defaults(handler=run_serve)


def at_least_one(text: str) -> int:
    """A whole number of 1 or more, for argparse (which exits 2 with the message)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(text)r is not a whole number") % {"text": text}
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("%(value)s: give 1 or more") % {"value": value})
    return value


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(text)r is not a port number") % {"text": text}
        ) from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(
            _("%(value)s: a port is a number from 1 to 65535") % {"value": value}
        )
    return value


def check_address(host: str, port: int) -> None:
    """Stop with one line when the server could not listen on ``host:port``.

    Tried before anything else is done, by listening on the address for a moment (with
    SO_REUSEADDR, as gunicorn and Django's server do, so the address is free again at once)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise CliError(
            _("--host %(host)s: not an address or a name this machine knows") % {"host": host}
        ) from None
    family, kind, proto, _canonname, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
            probe.listen(1)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    _(
                        "port %(port)s on %(host)s is already in use; stop the program using it or choose another --port"
                    )
                    % {"port": port, "host": host}
                ) from None
            if exc.errno == errno.EACCES:
                raise CliError(
                    _(
                        "port %(port)s on %(host)s: permission denied (ports below 1024 need administrator rights)"
                    )
                    % {"port": port, "host": host}
                ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise CliError(
                    _("--host %(host)s: not an address of this machine") % {"host": host}
                ) from None
            raise CliError(
                _("cannot listen on %(host)s:%(port)s: %(value)s")
                % {"host": host, "port": port, "value": exc.strerror or exc}
            ) from None


def migrate(*, verbose: bool = True) -> None:
    from vertebra.instance import create_data_dir

    create_data_dir()  # before the settings are read: they only read the key file
    setup_django()
    from django.core.management import call_command

    pending = pending_migrations()
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
    if verbose:
        applied = _("database: %(count)s changes applied") % {"count": len(pending)}
        print(applied if pending else _("database: up to date"))


def run_migrate(args: argparse.Namespace) -> int:
    if args.check:
        return check_migrations()
    migrate()
    return 0


def check_migrations() -> int:
    """Whether ``vertebra migrate`` is due, without writing anything: no data folder, key
    file or database file is created, and a database that cannot be read says so (status 2)."""
    setup_django()
    from django.db import DatabaseError

    from vertebra.instance import sqlite_file

    try:
        if not os.environ.get("DATABASE_URL") and not sqlite_file().exists():
            pending = all_migrations()  # opening a missing SQLite file would create it
        else:
            pending = pending_migrations()
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CliError(_("the database cannot be read: %(first)s") % {"first": first}) from None
    if pending:
        raise CliError(
            _(
                "the database is not up to date (%(count)s changes of its layout to apply); run 'vertebra migrate'"
            )
            % {"count": len(pending)},
            exit_code=1,
        )
    print(_("database: up to date"))
    return 0


def initialise(*, verbose: bool = True) -> None:
    migrate(verbose=verbose)
    from vertebra.frameworks.domain import load_shipped_frameworks

    for result in load_shipped_frameworks():
        fv = result.framework_version
        if verbose:
            state = _("loaded") if result.created else _("already loaded")
            print(
                _("%(framework_id)s version %(version)s: %(state)s")
                % {"framework_id": fv.framework_id, "version": fv.version, "state": state}
            )


def run_init(args: argparse.Namespace) -> int:
    initialise()
    if args.first_run:
        first_run()
    return 0


FIRST_ADMIN_EMAIL = "admin@vertebra.local"


def first_run() -> None:
    """On an instance with no accounts: an admin with a generated password, and the Demo City."""
    import secrets

    from vertebra.accounts.models import User
    from vertebra.demo import build_demo

    if User.objects.exists():
        return
    password = secrets.token_urlsafe(12)
    admin = User.objects.create_superuser(FIRST_ADMIN_EMAIL, password)
    build_demo(admin=admin)
    print("", flush=True)
    print(_("An administrator account was created. Keep this password; it is shown only once:"))
    print(_("    email:    %(FIRST_ADMIN_EMAIL)s") % {"FIRST_ADMIN_EMAIL": FIRST_ADMIN_EMAIL})
    print(_("    password: %(password)s") % {"password": password})
    print(_("The Demo City is ready for you to explore."), flush=True)
    print("", flush=True)


def metrics_folder() -> None:
    """The folder where gunicorn's workers keep their metrics (prometheus_client's
    multiprocess mode), so that /metrics adds up every worker's counts whichever worker
    answers: ``metrics/PID`` in the data folder, new for each ``vertebra serve`` and removed
    when it stops (with those of earlier ones that were killed), unless
    ``PROMETHEUS_MULTIPROC_DIR`` names one already (it is then emptied)."""
    import atexit
    import shutil

    from vertebra.instance import data_dir

    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if given:
        os.makedirs(given, exist_ok=True)
        for entry in os.scandir(given):
            if entry.is_file() and entry.name.endswith(".db"):
                os.unlink(entry.path)
        return
    parent = os.getpid()
    folders = data_dir() / "metrics"
    folders.mkdir(mode=0o700, parents=True, exist_ok=True)
    for entry in os.scandir(folders):
        if entry.name.isdigit() and not _running(int(entry.name)):
            shutil.rmtree(entry.path, ignore_errors=True)
    folder = folders / str(parent)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)

    def remove() -> None:
        if os.getpid() == parent:  # not in a worker that exits before the others
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_serve(args: argparse.Namespace) -> int:
    if args.port is not None:
        port = args.port
    else:
        try:
            port = port_number(os.environ.get("PORT", "8000"))
        except argparse.ArgumentTypeError as exc:
            raise CliError(_("$PORT %(exc)s") % {"exc": exc}) from None
    check_address(args.host, port)
    metrics_folder()  # before Django, and so prometheus_client, is imported
    initialise()
    from django.conf import settings

    if settings.DEBUG:
        from django.core.management import call_command

        call_command("runserver", f"{args.host}:{port}", use_reloader=False)
        return 0
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    # No database connection may cross the fork into the workers (see vertebra.gunicorn_conf).
    from django.db import connections

    connections.close_all()
    # Page rendering is CPU-bound: threads in one process wait for each other's interpreter
    # lock. Measured with bench/bench_pages.py on 2 cores (20 people), single-threaded workers,
    # one per core plus one, gave the lowest latency at the same throughput (docs/PERFORMANCE.md).
    workers = args.workers or max(3, (os.cpu_count() or 1) + 1)
    gunicorn_args = [
        "gunicorn",
        "vertebra.wsgi:application",
        "--config",
        "python:vertebra.gunicorn_conf",
        "--bind",
        f"{args.host}:{port}",
        "--workers",
        str(workers),
        *(
            ["--worker-class", "gthread", "--threads", str(args.threads)]
            if args.threads > 1
            else []
        ),
        # With VERTEBRA_LOG_FORMAT=json, Vertebra writes the one line per request itself.
        *(["--access-logfile", "-"] if settings.LOG_FORMAT != "json" else []),
    ]
    print(
        _("Vertebra is serving on http://%(host)s:%(port)s/") % {"host": args.host, "port": port},
        flush=True,
    )
    from gunicorn.app.wsgiapp import run

    sys.argv = gunicorn_args
    run()
    return 0
