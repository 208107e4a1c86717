"""``vertebra crosswalk list|validate``: links from a model's objectives to another reference.

Neither needs a database: the shipped crosswalks and models are files.
"""

from __future__ import annotations

import argparse
from typing import Any

from vertebra.cli.base import CliError, _, file_errors


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crosswalk",
        help=_("list and validate crosswalks (a model's objectives linked to another reference)"),
        description=(
            _(
                "Work with crosswalk files: links from a maturity model's objectives to the items of "
                "another reference, such as the UNDRR Ten Essentials (docs/FRAMEWORK-FORMAT.md)."
            )
        ),
    )
    sub = parser.add_subparsers(dest="crosswalk_command", metavar="ACTION", required=True)

    listing = sub.add_parser(
        "list",
        help=_("list the shipped crosswalks"),
        description=_("List the crosswalks shipped with Vertebra."),
    )
    listing.set_defaults(handler=run_list)

    validate = sub.add_parser(
        "validate",
        help=_("check a crosswalk file"),
        description=(
            _(
                "Check a crosswalk file (YAML or JSON): its structure, its links, and, when the model "
                "version it reads is shipped, that every linked objective exists in that model. "
                "Exit 0 when valid, 2 when not."
            )
        ),
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    from vertebra.frameworks.crosswalk import problems_against, read_crosswalk_file
    from vertebra.frameworks.files import FrameworkFileError, load_shipped, shipped_framework_paths

    try:
        crosswalk = read_crosswalk_file(args.file)
    except FrameworkFileError as exc:
        raise CliError(*file_errors(exc.errors, prefix=exc.path)) from None
    model = crosswalk.framework
    summary = _(
        "%(id)s version %(version)s: %(links)s links from %(model)s version %(model_version)s "
        "to %(items)s items of %(reference)s"
    ) % {
        "id": crosswalk.id,
        "version": crosswalk.version,
        "links": len(crosswalk.links),
        "model": model.id,
        "model_version": model.version,
        "items": len(crosswalk.reference.items),
        "reference": crosswalk.reference.name,
    }
    shipped = None
    if model.id in shipped_framework_paths():
        candidate = load_shipped(model.id)
        if candidate.version == model.version:
            shipped = candidate
    if shipped is None:
        print(_("%(file)s: valid; %(summary)s") % {"file": args.file, "summary": summary})
        print(
            _(
                "%(file)s: objective codes not checked: %(id)s version %(version)s is not a shipped model"
            )
            % {"file": args.file, "id": model.id, "version": model.version}
        )
        return 0
    problems = problems_against(crosswalk, shipped)
    if problems:
        raise CliError(*file_errors(problems, prefix=args.file))
    print(_("%(file)s: valid; %(summary)s") % {"file": args.file, "summary": summary})
    return 0


def run_list(args: argparse.Namespace) -> int:
    from vertebra.frameworks.crosswalk import shipped_crosswalks

    # The headings are worded outside the f-string: make messages reads no code inside one.
    heading, version, model, links = _("ID"), _("VERSION"), _("MODEL"), _("LINKS")
    reference = _("REFERENCE")
    print(f"{heading:<32} {version:>7}  {model:<16} {links:>5}  {reference}")
    for crosswalk in shipped_crosswalks():
        model = f"{crosswalk.framework.id}@{crosswalk.framework.version}"
        print(
            f"{crosswalk.id:<32} {crosswalk.version:>7}  {model:<16} {len(crosswalk.links):>5}  "
            f"{crosswalk.reference.name}"
        )
    return 0
