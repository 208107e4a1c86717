"""Render docs/CLI.md from the commands' own ``--help`` (``make docs-cli``).

A test checks that the committed file equals this output, so the reference never drifts.
"""

from __future__ import annotations

import argparse
import os


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.items())
    return found


def _walk(
    parser: argparse.ArgumentParser, path: list[str]
) -> list[tuple[list[str], argparse.ArgumentParser]]:
    children = _subparsers(parser)
    if not children:
        return [(path, parser)]
    out: list[tuple[list[str], argparse.ArgumentParser]] = []
    for name, child in children:
        out.extend(_walk(child, [*path, name]))
    return out


def render() -> str:
    from vertebra.cli import build_parser

    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parts = [
        "# The `vertebra` command",
        "",
        "Generated from `vertebra ... --help` by `make docs-cli`; a test keeps it in step.",
        "",
        "Every command exits with status 0 on success and 2 on bad input (an unknown file, code,",
        "option or value), with one line per problem on standard error and no traceback. A",
        "command whose reader stops early (`vertebra ... | head`) ends quietly with status 141,",
        "as a program ended by SIGPIPE does.",
        "",
        "What a command writes for people (its help and usage, its messages, errors and tables,",
        "the model's names and the explanations of `vertebra assess`, the problems of a model",
        "file) is in the language of `--lang`, which every command takes, else in the one the",
        "environment names (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set;",
        "e.g. `LANG=es_ES.UTF-8`) when it is one of the offered languages, else in English;",
        "English too when the settings cannot be read. `init` and `serve` speak English: they",
        "prepare the instance before Django reads its settings. Output for programs (JSON,",
        "exported files) stays as it is (docs/TRANSLATING.md). This reference is the English",
        "help.",
        "",
    ]
    for path, sub in _walk(parser, ["vertebra"]):
        parts.append(f"## `{' '.join(path)}`")
        parts.append("")
        parts.append("```text")
        parts.append(sub.format_help().rstrip())
        parts.append("```")
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
