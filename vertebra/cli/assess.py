"""``vertebra assess``: the maturity profile of a file of answers, without a database."""

from __future__ import annotations

import argparse
import json
from pathlib import PurePath
from typing import Any

from vertebra.cli.base import CliError
from vertebra.frameworks.defaults import DEFAULT_FRAMEWORK_ID


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "assess",
        help="compute the maturity profile of a file of answers",
        description=(
            "Compute the maturity profile of a file of answers. RESPONSES is a CSV file with the "
            "header objective,status (optional columns progress,evidence,notes,owner,links,"
            "na_justification) or a JSON or YAML mapping of objective code to status. Unanswered "
            "objectives are not_started. The answers follow the same rules as an import (a "
            "not_applicable answer needs its na_justification), so a file that passes here "
            "imports too."
        ),
    )
    parser.add_argument(
        "responses", metavar="RESPONSES", help="the answers file (.csv, .json, .yaml)"
    )
    parser.add_argument(
        "--framework",
        default=DEFAULT_FRAMEWORK_ID,
        metavar="ID|FILE",
        help=(
            "the maturity model: the id of a shipped or loaded model, or a model file "
            f"(.yaml, .yml, .json), read without a database (default: {DEFAULT_FRAMEWORK_ID})"
        ),
    )
    parser.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="output format (default: table)",
    )
    parser.add_argument(
        "--target",
        metavar="T",
        help=(
            "target stages: one stage code for every policy (e.g. A) or a list such as L1=A,P1=M; "
            "adds the objectives that stand between each policy and its target"
        ),
    )
    parser.set_defaults(handler=run_assess)


def parse_targets(
    value: str, *, stage_codes: tuple[str, ...], policy_codes: tuple[str, ...]
) -> dict[str, str]:
    text = value.strip()
    stages = ", ".join(stage_codes)
    if not text:
        raise CliError(f"--target: give a stage ({stages}) or a list such as L1=A,P1=M")
    if "=" not in text:
        if text not in stage_codes:
            raise CliError(f"--target {text!r}: unknown stage; use one of {stages}")
        return dict.fromkeys(policy_codes, text)
    targets: dict[str, str] = {}
    errors: list[str] = []
    for item in text.split(","):
        policy, _, stage = (part.strip() for part in item.partition("="))
        if policy not in policy_codes:
            errors.append(
                f"--target: unknown policy {policy!r}; use one of {', '.join(policy_codes)}"
            )
        elif stage not in stage_codes:
            errors.append(f"--target: unknown stage {stage!r} for {policy}; use one of {stages}")
        elif policy in targets:
            errors.append(f"--target: policy {policy} is given twice")
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
            raise CliError(*(f"--framework {exc.path}: {error}" for error in exc.errors)) from None
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
            raise CliError(f"--framework: {exc}") from None
        raise CliError(f"--framework: unknown maturity model {framework_id!r}")
    return framework_of(fv)


def run_assess(args: argparse.Namespace) -> int:
    from vertebra.assessments.responses import ResponsesError, read_responses_file, statuses_of
    from vertebra.frameworks.files import to_shape
    from vertebra.maturity import profile

    fw = _framework(args.framework)
    shape = to_shape(fw)
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
        raise CliError(*(f"{exc.filename}: {error}" for error in exc.errors)) from None
    result = profile(shape, statuses_of(responses), targets=targets)
    if args.format == "json":
        print(json.dumps(result.to_json(framework=fw.id, version=fw.version), indent=2))
    else:
        print(render_table(result, shape=shape, title=f"{fw.name} (version {fw.version})"))
    return 0


def _stage_name(shape: Any, code: str | None) -> str:
    return "none yet" if code is None else f"{shape.stage_names[code]} ({code})"


def render_table(result: Any, *, shape: Any, title: str) -> str:
    stage_codes = list(shape.stage_codes)
    lines = [title, f"Answered: {result.answered} of {result.total} objectives", ""]
    header = f"{'Policy':<8}" + "".join(f"{code:>7}" for code in stage_codes) + "   Stage"
    lines.append(header)
    lines.append("-" * len(header + "     "))
    for policy_code, p in result.policies.items():
        cells = "".join(f"{'-' if c.total == 0 else f'{c.achieved}/{c.total}':>7}" for c in p.cells)
        lines.append(f"{policy_code:<8}{cells}   {p.stage or '-'}")
    lines.append("")
    lines.append("Cells: achieved / objectives at that stage ('-': no objectives at that stage).")
    lines.append("")
    lines.append(f"Overall: {_stage_name(shape, result.overall.stage)}")
    for code, group in result.dimensions.items():
        lines.append(f"{group.name} ({code}): {_stage_name(shape, group.stage)}")
    lines.append("")
    for p in result.policies.values():
        lines.append(p.explanation)
        if p.next_stage_progress is not None:
            lines.append(f"    next stage progress: {round(p.next_stage_progress * 100)}%")
        if p.ahead_of_order:
            lines.append(f"    achieved ahead of order: {', '.join(p.ahead_of_order)}")
        if p.target is not None:
            target = shape.stage_names[p.target]
            todo = ", ".join(p.to_target) if p.to_target else "nothing: the target is met"
            lines.append(f"    to reach the target {target} ({p.target}): {todo}")
    return "\n".join(lines)
