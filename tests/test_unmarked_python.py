"""Every message Python hands to people through a page's or the API's channels is marked for
translation: a literal text given to one of them fails here (docs/TRANSLATING.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "vertebra"
MODULES = sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts)
# The calls whose text argument people read: a page's 404 or 403, a form's or a model's
# error, a flashed message, a plain-text refusal, an API problem document.
PEOPLE_CALLS = {
    "Http404",
    "PermissionDenied",
    "ValidationError",
    "add_error",
    "success",
    "info",
    "warning",
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
    "problem_response",
    "SignInFailed",
}
FLASHED = {"success", "info", "warning"}  # only as messages.<level>(request, text)
# The command line's output meant for people: a CliError's lines and what is printed.
CLI_CALLS = {"print", "CliError"}
CLI = SOURCE / "cli"


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value) and " " in node.value.strip()
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and any(c.isalpha() for c in v.value) for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_text(node.left)
    return False


def unmarked(source: str, *, cli: bool = False) -> list[tuple[int, str]]:
    """The literal texts ``source`` gives to a channel people read, not through gettext;
    ``cli``: also what a command prints or raises as a CliError."""
    calls = PEOPLE_CALLS | CLI_CALLS if cli else PEOPLE_CALLS
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in calls:
            continue
        if name in FLASHED and not (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "messages"
        ):
            continue
        arguments = [
            *node.args,
            *(k.value for k in node.keywords if k.arg in ("message", "detail")),
        ]
        found += [(node.lineno, ast.unparse(a)) for a in arguments if _is_text(a)]
    return found


def test_the_check_finds_literal_texts_given_to_people():
    source = """
raise Http404("No such page.")
raise Http404(_("No such page."))
messages.success(request, f"{name} saved.")
messages.success(request, _("%(name)s saved.") % {"name": name})
form.add_error("title", "Too long.")
logger.info("Saved %s", name)
"""
    assert unmarked(source) == [
        (2, "'No such page.'"),
        (4, "f'{name} saved.'"),
        (6, "'Too long.'"),
    ]


def test_the_check_finds_literal_command_line_output():
    source = """
print("Wrote the report.")
print(_("Wrote the report."))
raise CliError(f"{path}: cannot write")
raise CliError(_("%(path)s: cannot write") % {"path": path})
print(json.dumps(data))
print("Wrote the report.", file=sys.stderr)
"""
    assert unmarked(source, cli=True) == [
        (2, "'Wrote the report.'"),
        (4, "f'{path}: cannot write'"),
        (7, "'Wrote the report.'"),
    ]
    assert unmarked(source) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_a_module_gives_people_no_unmarked_text(path):
    assert unmarked(path.read_text(encoding="utf-8"), cli=CLI in path.parents) == []


# The names a message is marked with; extraction reads their literal argument only where the
# call stands on its own, never inside an f-string's braces.
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "gettext_noop"}


def gettext_in_fstrings(source: str) -> list[tuple[int, str]]:
    """The gettext calls written inside an f-string's braces in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for value in node.values:
            for inner in ast.walk(value):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT_NAMES
                ):
                    found.append((inner.lineno, ast.unparse(inner)))
    return found


def test_the_check_finds_a_gettext_call_inside_an_f_string() -> None:
    assert gettext_in_fstrings("x = f\"{title} ({_('due')} {day})\"\n") == [(1, "_('due')")]
    assert gettext_in_fstrings('due = _("due %(date)s")\nx = f"{title} ({due})"\n') == []


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_message_is_marked_inside_an_f_string(module: Path) -> None:
    """A message marked inside an f-string is translated at run time but never reaches the
    catalogues, so it stays English in every language: mark it outside, then place it."""
    assert gettext_in_fstrings(module.read_text(encoding="utf-8")) == []
