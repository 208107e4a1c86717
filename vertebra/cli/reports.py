"""``vertebra report``, ``vertebra import``, ``vertebra backup`` and ``vertebra restore``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vertebra.cli.base import CliError, _, file_errors, setup_database

# As vertebra.reports.rendering.FORMATS (read without loading Django before the command runs).
FORMATS = ("pdf", "xlsx", "csv", "json", "ratings.csv", "decisions.csv")


def register(subparsers: Any) -> None:
    report = subparsers.add_parser(
        "report",
        help=_("write a report of a city's assessment (PDF, XLSX, CSV or JSON)"),
        description=(
            _(
                "Write a report of one of a city's assessments: a PDF for the council, an XLSX "
                "workbook (answers, profile, actions, the workshops' ratings and decisions), the "
                "answers as CSV, the complete JSON export, or the workshops' ratings or agreed "
                "answers as CSV. Without --assessment, the city's latest assessment is used."
            )
        ),
    )
    report.add_argument("city", metavar="CITY", help=_("the city's short name (slug)"))
    report.add_argument("--assessment", metavar="ID", help=_("the assessment's id (a UUID)"))
    report.add_argument("--format", choices=FORMATS, required=True, help=_("the report format"))
    report.add_argument(
        "-o", "--output", metavar="FILE", required=True, help=_("the file to write")
    )
    report.add_argument(
        "--lang",
        metavar="LANG",
        help=(
            _(
                "the report's language, one of the instance's languages (en, es, ...); default: "
                "the environment's (LANG), else en"
            )
        ),
    )
    report.set_defaults(handler=run_report)

    imp = subparsers.add_parser(
        "import",
        help=_("import answers from an XLSX, CSV, JSON or YAML file into a draft assessment"),
        description=(
            _(
                "Import answers into a city's draft assessment from our own XLSX, CSV or JSON "
                "exports or the files 'vertebra assess' reads. The whole file is checked first; on "
                "any problem nothing changes and every problem is listed (exit status 2). Without "
                "--assessment, a new draft assessment is created on the model --framework names "
                "(by default the SMR model's newest version)."
            )
        ),
    )
    imp.add_argument("city", metavar="CITY", help=_("the city's short name (slug)"))
    imp.add_argument("file", metavar="FILE", help=_("the answers file (.xlsx, .csv, .json, .yaml)"))
    imp.add_argument("--assessment", metavar="ID", help=_("the draft assessment's id (a UUID)"))
    imp.add_argument(
        "--framework",
        metavar="ID[@VERSION]",
        help=(
            _(
                "the maturity model (and version) the answers are for; the file's codes are checked "
                "against it (default: the new assessment's default model, newest version; with "
                "--assessment, that assessment's model)"
            )
        ),
    )
    imp.set_defaults(handler=run_import)

    backup = subparsers.add_parser(
        "backup",
        help=_("write the whole instance to one file"),
        description=(
            _(
                "Write the whole instance (people, cities, maturity models, assessments, answers, "
                "history, comments, targets, actions, attachments, API tokens) to one zip file."
            )
        ),
    )
    backup.add_argument("file", metavar="FILE", help=_("the backup file to write"))
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser(
        "restore",
        help=_("fill an empty instance from a backup file"),
        description=(
            _(
                "Fill an empty instance from a file made by 'vertebra backup', on SQLite or "
                "PostgreSQL. The file is checked completely before anything is written. An instance "
                "that already has people, cities or assessments is refused unless --force is given, "
                "which replaces everything in it."
            )
        ),
    )
    restore.add_argument("file", metavar="FILE", help=_("the backup file"))
    restore.add_argument(
        "--force", action="store_true", help=_("replace everything in a non-empty instance")
    )
    restore.set_defaults(handler=run_restore)


def _city(slug: str) -> Any:
    from vertebra.access import city_for_operator

    city = city_for_operator(slug)
    if city is None:
        raise CliError(_("no city with the short name %(slug)r") % {"slug": slug})
    return city


def _assessment(city: Any, assessment_id: str | None) -> Any:
    import uuid

    from vertebra.access import assessment_for_operator, latest_assessment_for_operator

    if assessment_id is None:
        latest = latest_assessment_for_operator(city)
        if latest is None:
            raise CliError(_("%(city)s has no assessments yet") % {"city": city.slug})
        return latest
    try:
        key = uuid.UUID(assessment_id)
    except ValueError:
        raise CliError(
            _("--assessment %(id)r is not an assessment id (a UUID)") % {"id": assessment_id}
        ) from None
    assessment = assessment_for_operator(city, key)
    if assessment is None:
        raise CliError(
            _("%(slug)s has no assessment %(assessment_id)s")
            % {"slug": city.slug, "assessment_id": assessment_id}
        )
    return assessment


def run_report(args: argparse.Namespace) -> int:
    # The language, from --lang or the environment, is active already (cli_language).
    setup_database()
    city = _city(args.city)
    assessment = _assessment(city, args.assessment)
    from vertebra.reports.rendering import render_report

    data = render_report(assessment, args.format)
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise CliError(
            _("%(file)s: cannot write: %(error)s") % {"file": args.output, "error": exc.strerror}
        ) from None
    print(
        _("Wrote %(file)s: %(title)s (%(date)s), %(format)s")
        % {
            "file": args.output,
            "title": assessment.title,
            "date": assessment.date,
            "format": args.format.upper(),
        }
    )
    return 0


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _open_database(*, prepare_new: bool = False) -> None:
    """Set the database up; a database that cannot be used is one line, not a traceback."""
    from django.db import DatabaseError

    try:
        setup_database(prepare_new=prepare_new)
    except DatabaseError as exc:
        raise CliError(
            _("the database cannot be used: %(error)s") % {"error": _first_line(exc)}
        ) from None


def run_import(args: argparse.Namespace) -> int:
    _open_database()
    from django.db import DatabaseError

    from vertebra.assessments.domain import AssessmentLockedError
    from vertebra.reports.imports import (
        MAX_IMPORT_BYTES,
        ImportFileError,
        import_answers,
        import_into_new_assessment,
    )

    city = _city(args.city)
    assessment = _assessment(city, args.assessment) if args.assessment else None
    framework = _framework_choice(args.framework, assessment) if args.framework else None
    path = Path(args.file)
    if not path.is_file():
        raise CliError(_("%(file)s: no such file") % {"file": args.file})
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise CliError(
            _("%(file)s: the file is larger than %(mb)d MB")
            % {"file": path.name, "mb": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(
            _("%(file)s: cannot read: %(error)s") % {"file": args.file, "error": exc.strerror}
        ) from None
    try:
        if assessment is None:
            summary = import_into_new_assessment(
                city=city, user=None, data=data, filename=path.name, framework=framework
            )
        else:
            summary = import_answers(
                assessment=assessment, user=None, data=data, filename=path.name
            )
    except ImportFileError as exc:
        raise CliError(*exc.errors) from None
    except AssessmentLockedError:
        title = assessment.title if assessment is not None else args.assessment
        raise CliError(
            _("%(title)s is final and can no longer be changed; import into a draft")
            % {"title": title}
        ) from None
    except DatabaseError as exc:
        raise CliError(
            _("the database did not take the import, nothing was imported: %(error)s")
            % {"error": _first_line(exc)}
        ) from None
    a = summary.assessment
    if summary.created_assessment:
        print(
            _("Created the draft assessment %(title)r (%(id)s).") % {"title": a.title, "id": a.uuid}
        )
    print(
        _(
            "Imported %(file)s into %(title)r: %(new)d new, %(changed)d changed, %(unchanged)d unchanged."
        )
        % {
            "file": path.name,
            "title": a.title,
            "new": len(summary.new),
            "changed": len(summary.changed),
            "unchanged": len(summary.unchanged),
        }
    )
    return 0


def _framework_choice(reference: str, assessment: Any) -> Any:
    """The model version ``--framework`` names; with ``--assessment``, it must be that one's."""
    from vertebra.frameworks.domain import ModelChoiceError, choose_version, parse_reference

    try:
        framework_id, version = parse_reference(reference)
        chosen = choose_version(framework_id=framework_id, version=version)
    except ModelChoiceError as exc:
        raise CliError(*file_errors(exc.errors.values(), prefix="--framework")) from None
    fv = assessment.framework_version if assessment is not None else None
    if fv is not None and (fv.framework_id, fv.version) != (framework_id, version or fv.version):
        raise CliError(
            _(
                "--framework: %(title)r uses %(framework_id)s@%(version)s, not %(reference)s; leave --framework out to import into it"
            )
            % {
                "title": assessment.title,
                "framework_id": fv.framework_id,
                "version": fv.version,
                "reference": reference,
            }
        )
    return chosen


@contextmanager
def _written_whole(target: Path) -> Iterator[int]:
    """A file descriptor to write ``target`` through: a hidden temporary file in the same
    folder, flushed to disk and renamed over ``target`` only when everything was written;
    removed on any failure, so a half-written backup never carries the final name."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    partial = Path(name)
    try:
        yield fd
        os.fsync(fd)
        os.close(fd)
        fd = -1
        partial.replace(target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        partial.unlink(missing_ok=True)
        raise


def run_backup(args: argparse.Namespace) -> int:
    _open_database()
    from django.db import DatabaseError

    from vertebra.reports.backup import BackupError, write_backup

    target = Path(args.file)
    if not target.parent.is_dir():
        raise CliError(_("%(file)s: no such folder") % {"file": args.file})
    try:
        with _written_whole(target) as fd, open(fd, "wb", closefd=False) as handle:
            manifest = write_backup(handle)
    except BackupError as exc:
        raise CliError(*exc.errors) from None
    except OSError as exc:
        raise CliError(
            _("%(file)s: cannot write: %(error)s")
            % {"file": args.file, "error": exc.strerror or _first_line(exc)}
        ) from None
    except DatabaseError as exc:
        raise CliError(
            _("the database cannot be read: %(error)s") % {"error": _first_line(exc)}
        ) from None
    counts = manifest["counts"]
    print(
        _(
            "Wrote %(file)s: %(people)d people, %(cities)d cities, %(assessments)d assessments, "
            "%(files)d attachment files."
        )
        % {
            "file": args.file,
            "people": counts.get("accounts.user", 0),
            "cities": counts.get("cities.city", 0),
            "assessments": counts.get("assessments.assessment", 0),
            "files": len(manifest["files"]),
        }
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    _open_database(prepare_new=True)
    from django.db import DatabaseError

    from vertebra.reports.backup import BackupError, restore_backup

    try:
        result = restore_backup(args.file, force=args.force)
    except BackupError as exc:
        raise CliError(*file_errors(exc.errors, prefix=args.file)) from None
    except OSError as exc:
        raise CliError(
            _("%(file)s: cannot read: %(error)s")
            % {"file": args.file, "error": exc.strerror or _first_line(exc)}
        ) from None
    except DatabaseError as exc:
        raise CliError(
            _("the database did not take the restore, nothing was restored: %(error)s")
            % {"error": _first_line(exc)}
        ) from None
    counts = result.counts
    print(
        _(
            "Restored %(file)s: %(people)d people, %(cities)d cities, %(assessments)d "
            "assessments, %(files)d attachment files."
        )
        % {
            "file": args.file,
            "people": counts.get("accounts.user", 0),
            "cities": counts.get("cities.city", 0),
            "assessments": counts.get("assessments.assessment", 0),
            "files": result.files,
        },
        file=sys.stdout,
    )
    return 0
