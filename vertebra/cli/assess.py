"""``vertebra assess``: the maturity profile of a file of answers, without a database."""

from __future__ import annotations

import argparse
import json
from pathlib import PurePath
from typing import Any

from vertebra.cli.base import CliError, _, file_errors
from vertebra.frameworks.defaults import DEFAULT_FRAMEWORK_ID
from vertebra.i18n import active_language


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "assess",
        help=_("compute the maturity profile of a file of answers"),
        description=(
            _(
                "Compute the maturity profile of a file of answers. RESPONSES is a CSV file with the "
                "header objective,status (optional columns progress,evidence,notes,owner,links,"
                "na_justification) or a JSON or YAML mapping of objective code to status. Unanswered "
                "objectives are not_started. The answers follow the same rules as an import (a "
                "not_applicable answer needs its na_justification), so a file that passes here "
                "imports too."
            )
        ),
    )
    parser.add_argument(
        "responses", metavar="RESPONSES", help=_("the answers file (.csv, .json, .yaml)")
    )
    parser.add_argument(
        "--framework",
        default=DEFAULT_FRAMEWORK_ID,
        metavar="ID|FILE",
        help=_(
            "the maturity model: the id of a shipped or loaded model, or a model file "
            "(.yaml, .yml, .json), read without a database (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help=_("output format (default: table)"),
    )
    parser.add_argument(
        "--target",
        metavar="T",
        help=(
            _(
                "target stages: one stage code for every policy (e.g. A) or a list such as L1=A,P1=M; "
                "adds the objectives that stand between each policy and its target"
            )
        ),
    )
    parser.set_defaults(handler=run_assess)


def parse_targets(
    value: str, *, stage_codes: tuple[str, ...], policy_codes: tuple[str, ...]
) -> dict[str, str]:
    text = value.strip()
    stages = ", ".join(stage_codes)
    if not text:
        raise CliError(
            _("--target: give a stage (%(stages)s) or a list such as L1=A,P1=M")
            % {"stages": stages}
        )
    if "=" not in text:
        if text not in stage_codes:
            raise CliError(
                _("--target %(text)r: unknown stage; use one of %(stages)s")
                % {"text": text, "stages": stages}
            )
        return dict.fromkeys(policy_codes, text)
    targets: dict[str, str] = {}
    errors: list[str] = []
    for item in text.split(","):
        policy, _sep, stage = (part.strip() for part in item.partition("="))
        if policy not in policy_codes:
            errors.append(
                _("--target: unknown policy %(policy)r; use one of %(policies)s")
                % {"policy": policy, "policies": ", ".join(policy_codes)}
            )
        elif stage not in stage_codes:
            errors.append(
                _("--target: unknown stage %(stage)r for %(policy)s; use one of %(stages)s")
                % {"stage": stage, "policy": policy, "stages": stages}
            )
        elif policy in targets:
            errors.append(_("--target: policy %(policy)s is given twice") % {"policy": policy})
        else:
            targets[policy] = stage
    if errors:
        raise CliError(*errors)
    return targets


def _framework(framework_id: str) -> Any:
    from vertebra.frameworks.files import (
        JSON_EXTENSIONS,
        YAML_EXTENSIONS,
        FrameworkFileError,
        UnknownFrameworkError,
        load_shipped,
        read_framework_file,
        shipped_framework_paths,
    )

    if PurePath(framework_id).suffix.lower() in YAML_EXTENSIONS | JSON_EXTENSIONS:
        try:
            return read_framework_file(framework_id)
        except FrameworkFileError as exc:
            raise CliError(*file_errors(exc.errors, prefix=f"--framework {exc.path}")) from None
    if framework_id in shipped_framework_paths():
        return load_shipped(framework_id)
    from vertebra.cli.base import setup_django

    setup_django()
    from django.db import DatabaseError

    from vertebra.frameworks.domain import framework_of
    from vertebra.frameworks.models import FrameworkVersion

    try:
        fv = FrameworkVersion.objects.filter(framework_id=framework_id).order_by("-version").first()
    except DatabaseError:
        fv = None
    if fv is None:
        try:
            load_shipped(framework_id)
        except UnknownFrameworkError as exc:
            raise CliError(_("--framework: %(exc)s") % {"exc": exc}) from None
        raise CliError(
            _("--framework: unknown maturity model %(framework_id)r")
            % {"framework_id": framework_id}
        )
    return framework_of(fv)


def run_assess(args: argparse.Namespace) -> int:
    from vertebra.assessments.responses import ResponsesError, read_responses_file, statuses_of
    from vertebra.frameworks.files import to_shape
    from vertebra.frameworks.texts import texts_in
    from vertebra.maturity import profile

    fw = _framework(args.framework)
    # The model's names in the output's language where the model has them, else its own.
    language = active_language()
    shape = to_shape(fw, language)
    targets = None
    if args.target is not None:
        targets = parse_targets(
            args.target,
            stage_codes=tuple(shape.stage_codes),
            policy_codes=tuple(shape.policy_codes),
        )
    try:
        responses = read_responses_file(args.responses, shape=shape)
    except ResponsesError as exc:
        raise CliError(*file_errors(exc.errors, prefix=exc.filename)) from None
    result = profile(shape, statuses_of(responses), targets=targets)
    if args.format == "json":
        print(json.dumps(result.to_json(framework=fw.id, version=fw.version), indent=2))
    else:
        name = texts_in(fw, language).name
        title = _("%(name)s (version %(version)s)") % {"name": name, "version": fw.version}
        print(render_table(result, shape=shape, title=title))
    return 0


def _stage_name(shape: Any, code: str | None) -> str:
    return _("none yet") if code is None else f"{shape.stage_names[code]} ({code})"


def render_table(result: Any, *, shape: Any, title: str) -> str:
    """The profile as people read it, in the active language (the explanations as the pages
    word them, vertebra/explanations.py)."""
    from vertebra.explanations import explain_policy

    stage_codes = list(shape.stage_codes)
    answered = _("Answered: %(answered)s of %(total)s objectives") % {
        "answered": result.answered,
        "total": result.total,
    }
    lines = [title, answered, ""]
    policy, stage = _("Policy"), _("Stage")
    header = f"{policy:<8}" + "".join(f"{code:>7}" for code in stage_codes) + f"   {stage}"
    lines.append(header)
    lines.append("-" * len(header + "     "))
    for policy_code, p in result.policies.items():
        cells = "".join(f"{'-' if c.total == 0 else f'{c.achieved}/{c.total}':>7}" for c in p.cells)
        lines.append(f"{policy_code:<8}{cells}   {p.stage or '-'}")
    lines.append("")
    lines.append(
        _("Cells: achieved / objectives at that stage ('-': no objectives at that stage).")
    )
    lines.append("")
    lines.append(_("Overall: %(stage)s") % {"stage": _stage_name(shape, result.overall.stage)})
    for code, group in result.dimensions.items():
        lines.append(f"{group.name} ({code}): {_stage_name(shape, group.stage)}")
    lines.append("")
    for p in result.policies.values():
        lines.append(explain_policy(shape, p))
        if p.next_stage_progress is not None:
            progress = round(p.next_stage_progress * 100)
            lines.append("    " + _("next stage progress: %(percent)s%%") % {"percent": progress})
        if p.ahead_of_order:
            codes = ", ".join(p.ahead_of_order)
            lines.append("    " + _("achieved ahead of order: %(codes)s") % {"codes": codes})
        if p.target is not None:
            todo = ", ".join(p.to_target) if p.to_target else _("nothing: the target is met")
            lines.append(
                "    "
                + _("to reach the target %(target)s (%(code)s): %(todo)s")
                % {"target": shape.stage_names[p.target], "code": p.target, "todo": todo}
            )
    return "\n".join(lines)
