"""``vertebra framework list|export|validate|import``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from vertebra.cli.base import CliError, _, file_errors, setup_database, setup_django
from vertebra.frameworks.defaults import DEFAULT_FRAMEWORK_ID
from vertebra.i18n import active_language


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "framework",
        help=_("list, export, validate and import maturity models"),
        description=_("Work with maturity models (frameworks) stored as data files."),
    )
    sub = parser.add_subparsers(dest="framework_command", metavar="ACTION", required=True)

    listing = sub.add_parser(
        "list",
        help=_("list the shipped and loaded maturity models"),
        description=_(
            "List the maturity models shipped with Vertebra and those loaded in the database."
        ),
    )
    listing.set_defaults(handler=run_list)

    export = sub.add_parser(
        "export",
        help=_("print a maturity model as a model file"),
        description=(
            _(
                "Print a maturity model as a model file (docs/FRAMEWORK-FORMAT.md), with everything "
                "in it: stages, dimensions, policies, objectives, indicators, descriptions and "
                "translations. 'vertebra framework validate' and 'import' read it back as the same "
                "model."
            )
        ),
    )
    export.add_argument(
        "framework_id",
        metavar="ID",
        help=_("the model's id, e.g. %(example)s") % {"example": DEFAULT_FRAMEWORK_ID},
    )
    export.add_argument(
        "--format",
        choices=["json", "yaml"],
        default="json",
        help=_("output format (default: json)"),
    )
    export.add_argument(
        "--model-version",
        type=int,
        dest="model_version",
        help=_("a stored version (default: the shipped or latest one)"),
    )
    export.set_defaults(handler=run_export)

    validate = sub.add_parser(
        "validate",
        help=_("check a maturity model file"),
        description=_("Check a maturity model file (YAML or JSON). Exit 0 when valid, 2 when not."),
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(handler=run_validate)

    load = sub.add_parser(
        "import",
        help=_("validate a maturity model file and store it in the database"),
        description=(
            _(
                "Validate a maturity model file and store it. Importing the same version again "
                "changes nothing; a new version is stored beside the old one."
            )
        ),
    )
    load.add_argument("file", metavar="FILE")
    load.set_defaults(handler=run_import)


def _read(path: str) -> Any:
    from vertebra.frameworks.files import FrameworkFileError, read_framework_file

    try:
        return read_framework_file(path)
    except FrameworkFileError as exc:
        raise CliError(*file_errors(exc.errors, prefix=exc.path)) from None


def _summary(fw: Any) -> str:
    policies = sum(len(d.policies) for d in fw.dimensions)
    objectives = sum(len(p.objectives) for d in fw.dimensions for p in d.policies)
    return _(
        "%(id)s version %(version)s: %(stages)s stages, %(dimensions)s dimensions, "
        "%(policies)s policies, %(objectives)s objectives"
    ) % {
        "id": fw.id,
        "version": fw.version,
        "stages": len(fw.stages),
        "dimensions": len(fw.dimensions),
        "policies": policies,
        "objectives": objectives,
    }


def run_validate(args: argparse.Namespace) -> int:
    fw = _read(args.file)
    print(_("%(file)s: valid; %(summary)s") % {"file": args.file, "summary": _summary(fw)})
    return 0


def run_import(args: argparse.Namespace) -> int:
    fw = _read(args.file)
    setup_database()
    from vertebra.frameworks.domain import FrameworkConflictError, load_framework

    try:
        result = load_framework(framework=fw)
    except FrameworkConflictError as exc:
        raise CliError(*file_errors([str(exc)], prefix=args.file)) from None
    state = _("imported") if result.created else _("already loaded, nothing changed")
    print(_("%(summary)s: %(state)s") % {"summary": _summary(fw), "state": state})
    return 0


def run_export(args: argparse.Namespace) -> int:
    from vertebra.frameworks.files import (
        UnknownFrameworkError,
        dump_yaml,
        export_file,
        load_shipped,
        shipped_framework_paths,
    )

    fw: Any = None
    if args.framework_id in shipped_framework_paths():
        shipped = load_shipped(args.framework_id)
        if args.model_version in (None, shipped.version):
            fw = shipped
    if fw is None:
        fw = _from_database(args.framework_id, args.model_version)
    if fw is None:
        try:
            load_shipped(args.framework_id)
        except UnknownFrameworkError as exc:
            raise CliError(str(exc)) from None
        raise CliError(
            _("%(framework_id)s version %(model_version)s is not loaded")
            % {"framework_id": args.framework_id, "model_version": args.model_version}
        )
    document = export_file(fw)
    if args.format == "yaml":
        print(dump_yaml(document), end="")
    else:
        print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def _from_database(framework_id: str, version: int | None) -> Any:
    setup_django()
    from django.db import DatabaseError

    from vertebra.frameworks.domain import framework_of
    from vertebra.frameworks.models import FrameworkVersion

    try:
        versions = FrameworkVersion.objects.filter(framework_id=framework_id)
        if version is not None:
            versions = versions.filter(version=version)
        fv = versions.order_by("-version").first()
    except DatabaseError:
        return None
    return framework_of(fv) if fv is not None else None


def run_list(args: argparse.Namespace) -> int:
    from vertebra.frameworks.files import load_shipped, shipped_framework_paths
    from vertebra.frameworks.texts import texts_in

    # Each model's name in the output's language where the model has it, else its own.
    language = active_language()
    rows: dict[tuple[str, int], list[str]] = {}
    names: dict[tuple[str, int], str] = {}
    for framework_id in sorted(shipped_framework_paths()):
        fw = load_shipped(framework_id)
        rows.setdefault((fw.id, fw.version), []).append(_("shipped"))
        names[(fw.id, fw.version)] = texts_in(fw, language).name
    setup_django()
    from django.db import DatabaseError

    from vertebra.frameworks.domain import framework_of
    from vertebra.frameworks.models import FrameworkVersion

    try:
        for fv in FrameworkVersion.objects.order_by("framework_id", "version"):
            key = (fv.framework_id, fv.version)
            rows.setdefault(key, []).append(_("loaded"))
            if key not in names:
                names[key] = texts_in(framework_of(fv), language).name
    except DatabaseError:
        pass
    # The headings are worded outside the f-string: make messages reads no code inside one.
    heading, version, state, name = _("ID"), _("VERSION"), _("STATE"), _("NAME")
    print(f"{heading:<20} {version:>7}  {state:<16} {name}")
    for key in sorted(rows):
        print(f"{key[0]:<20} {key[1]:>7}  {', '.join(rows[key]):<16} {names[key]}")
    return 0
