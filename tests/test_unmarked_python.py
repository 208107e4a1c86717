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


def unmarked(source: str) -> list[tuple[int, str]]:
    """The literal texts ``source`` gives to a channel people read, not through gettext."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in PEOPLE_CALLS:
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


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(SOURCE)))
def test_a_module_gives_people_no_unmarked_text(path):
    assert unmarked(path.read_text(encoding="utf-8")) == []
