"""Reading, validating and exporting maturity-model files (YAML or JSON). Pure Python, no Django.

Every problem with a file, from unreadable bytes to a duplicate objective code, becomes one
:class:`FrameworkFileError` listing all problems found, one line each: ``LOCATION: message``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from vertebra.documents import DocumentError, load_json, load_yaml
from vertebra.frameworks.schema import Framework
from vertebra.i18n import gettext as _
from vertebra.i18n import gettext_noop

if TYPE_CHECKING:
    from vertebra.maturity import Shape

MAX_FILE_SIZE = 5 * 1024 * 1024
_M = TypeVar("_M", bound=BaseModel)
DATA_DIR = Path(__file__).resolve().parent / "data"
YAML_EXTENSIONS = frozenset({".yaml", ".yml"})
JSON_EXTENSIONS = frozenset({".json"})

FILE = "(file)"
DOCUMENT = "(document)"


class FrameworkFileError(Exception):
    """A framework file that cannot be used; ``errors`` holds one ``LOCATION: message`` per line."""

    def __init__(self, path: str, errors: list[str]) -> None:
        self.path = path
        # One line per error, even when the message quotes a value with a line break in it.
        self.errors = [error.replace("\r", "\\r").replace("\n", "\\n") for error in errors]
        super().__init__(path, errors)

    def __str__(self) -> str:
        count = len(self.errors)
        header = f"{self.path}: {count} error{'s' if count != 1 else ''}"
        return "\n".join([header, *(f"  {error}" for error in self.errors)])


class UnknownFrameworkError(KeyError):
    """No shipped framework has this id; the message lists the ids that exist."""

    def __init__(self, framework_id: str, known: list[str]) -> None:
        self.framework_id = framework_id
        self.known = known
        super().__init__(framework_id)

    def __str__(self) -> str:
        known = ", ".join(self.known) or _("none")
        return _("unknown framework %(id)r (shipped frameworks: %(known)s)") % {
            "id": self.framework_id,
            "known": known,
        }


# -- reading -------------------------------------------------------------------------------------


def parse_framework(data: bytes, *, filename: str) -> Framework:
    """Parse and validate a framework file's bytes; ``filename``'s extension picks the syntax."""
    return parse_document(data, filename=filename, model=Framework)


def parse_document(data: bytes, *, filename: str, model: type[_M]) -> _M:
    """Parse a YAML or JSON file's bytes and validate them as ``model`` (a strict pydantic
    model of the file format: a framework, a crosswalk), every problem with its location."""
    document = _decode(data, filename=filename)
    if not isinstance(document, dict):
        kind = _kind(document)
        raise FrameworkFileError(
            filename,
            [_("%(where)s: expected a mapping of fields, got %(kind)s") % _at(DOCUMENT, kind=kind)],
        )
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise FrameworkFileError(
            filename, [_describe(error, document) for error in exc.errors(include_url=False)]
        ) from None
    except RecursionError:
        raise FrameworkFileError(
            filename, [_("%(where)s: nested too deeply") % _at(DOCUMENT)]
        ) from None


def read_framework_file(path: str | Path) -> Framework:
    """Read and validate a framework file from disk."""
    return parse_framework(read_bounded(path), filename=str(path))


def read_bounded(path: str | Path) -> bytes:
    """A model or crosswalk file's bytes, at most one byte past the size limit (checked later)."""
    name = str(path)
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise FrameworkFileError(name, [_("%(where)s: is a directory, not a file") % _at(FILE)])
        if not stat.S_ISREG(mode):
            raise FrameworkFileError(name, [_("%(where)s: not a regular file") % _at(FILE)])
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_SIZE + 1)
    except FileNotFoundError:
        raise FrameworkFileError(name, [_("%(where)s: no such file") % _at(FILE)]) from None
    except OSError as exc:
        raise FrameworkFileError(
            name, [_("%(where)s: cannot read (%(error)s)") % _at(FILE, error=exc.strerror or exc)]
        ) from None


def shipped_framework_paths() -> dict[str, Path]:
    """The framework files shipped with Vertebra, keyed by framework id (``data/<id>.yaml``)."""
    return {path.stem: path for path in sorted(DATA_DIR.glob("*.yaml"))}


@functools.cache
def load_shipped(framework_id: str) -> Framework:
    """The shipped framework ``framework_id``, parsed once per process (treat it as read-only)."""
    paths = shipped_framework_paths()
    if framework_id not in paths:
        raise UnknownFrameworkError(framework_id, sorted(paths))
    framework = read_framework_file(paths[framework_id])
    if framework.id != framework_id:
        raise FrameworkFileError(
            str(paths[framework_id]),
            [
                _("%(where)s: %(id)r does not match the file name (expected %(expected)r)")
                % _at("id", id=framework.id, expected=framework_id)
            ],
        )
    return framework


def _decode(data: bytes, *, filename: str) -> Any:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in YAML_EXTENSIONS | JSON_EXTENSIONS:
        raise FrameworkFileError(
            filename,
            [
                _("%(where)s: unknown extension %(extension)r; use .yaml, .yml or .json")
                % _at(FILE, extension=suffix or _("(none)"))
            ],
        )
    if len(data) > MAX_FILE_SIZE:
        raise FrameworkFileError(
            filename,
            [
                _("%(where)s: too large (the limit is %(mb)s MB)")
                % _at(FILE, mb=MAX_FILE_SIZE // (1024 * 1024))
            ],
        )
    if b"\x00" in data:
        raise FrameworkFileError(
            filename, [_("%(where)s: binary content (NUL bytes), not a text file") % _at(FILE)]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FrameworkFileError(
            filename,
            [
                _("%(where)s: not UTF-8 text (byte %(byte)s)")
                % _at(_("line %(line)s") % {"line": line}, byte=f"0x{data[exc.start]:02x}")
            ],
        ) from None
    if not text.strip():
        raise FrameworkFileError(filename, [_("%(file)s: the file is empty") % {"file": FILE}])
    try:
        document = load_json(text) if suffix in JSON_EXTENSIONS else load_yaml(text)
    except DocumentError as exc:
        if exc.line is None:
            where = FILE
        elif exc.column is None:
            where = _("line %(line)s") % {"line": exc.line}
        else:
            where = _("line %(line)s, column %(column)s") % {"line": exc.line, "column": exc.column}
        problem = _("%(where)s: invalid %(syntax)s: %(problem)s") % {
            "where": where,
            "syntax": exc.syntax,
            "problem": exc.problem,
        }
        raise FrameworkFileError(filename, [problem]) from None
    if document is None:
        raise FrameworkFileError(filename, [_("%(file)s: the file is empty") % {"file": FILE}])
    return document


# -- describing validation errors ----------------------------------------------------------------


def _at(where: str, **values: Any) -> dict[str, Any]:
    """The values of a problem's message, after its location (kept as the file names it)."""
    return {"where": where, **values}


# Translated where they are shown (_kind, _message).
_KINDS: dict[type, str] = {
    str: gettext_noop("text"),
    bool: gettext_noop("a boolean"),
    int: gettext_noop("an integer"),
    float: gettext_noop("a number"),
    list: gettext_noop("a list"),
    dict: gettext_noop("a mapping"),
    type(None): gettext_noop("nothing (null)"),
    bytes: gettext_noop("binary data"),
}

_EXPECTED = {
    "string_type": gettext_noop("text"),
    "int_type": gettext_noop("an integer"),
    "list_type": gettext_noop("a list"),
    "dict_type": gettext_noop("a mapping"),
    "model_type": gettext_noop("a mapping"),
}


# pydantic's own checks that a file can fail beyond the ones above, worded from their context.
_PYDANTIC = {
    "string_too_long": gettext_noop("must be at most %(max_length)s characters"),
    "too_long": gettext_noop("must have at most %(max_length)s items, got %(actual_length)s"),
    "literal_error": gettext_noop("expected %(expected)s"),
    "bool_type": gettext_noop("expected true or false"),
}


def _kind(value: Any) -> str:
    kind = _KINDS.get(type(value))
    return _(kind) if kind is not None else type(value).__name__


def _describe(error: ErrorDetails, document: dict[str, Any]) -> str:
    location = _location(tuple(error["loc"]), document)
    return f"{location}: {_message(error)}"


def _message(error: ErrorDetails) -> str:
    error_type = error["type"]
    value = error["input"]
    if error_type == "missing":
        return _("missing required field")
    if error_type == "extra_forbidden":
        return _("unknown field")
    if error_type in _EXPECTED:
        values = {"expected": _(_EXPECTED[error_type]), "kind": _kind(value)}
        if isinstance(value, bool):
            return (
                _(
                    "expected %(expected)s, got %(kind)s (in YAML, quote words such as yes, no, on and off)"
                )
                % values
            )
        return _("expected %(expected)s, got %(kind)s") % values
    if error_type == "too_short":
        return _("must not be empty")
    if error_type == "greater_than":
        return _("must be a positive integer, got %(value)r") % {"value": value}
    if error_type in _PYDANTIC:
        return _(_PYDANTIC[error_type]) % error.get("ctx", {})
    # The schema's own rules are worded in the active language as they are checked.
    return error["msg"]


def _location(loc: tuple[str | int, ...], document: dict[str, Any]) -> str:
    """Render ``("dimensions", 0, "policies", 1)`` as ``dimensions[0].policies[1] (L2)``.

    The code of the innermost list element on the path is added when the document has one.
    """
    if not loc:
        return DOCUMENT
    parts: list[str] = []
    coded_at: tuple[int, str] | None = None
    node: Any = document
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool):
            parts.append(f"[{part}]")
            node = node[part] if 0 <= part < len(node) else None
            code = node["code"] if isinstance(node, dict) and "code" in node else None
            if isinstance(code, str) and code:
                coded_at = (len(parts), code)
        elif part == "[key]":
            parts.append(" (key)")
            node = None
        else:
            # pydantic reports a YAML key such as `no` (read as False) as 0: show what YAML read.
            key = next((k for k in node if k == part), part) if isinstance(node, dict) else part
            name = str(key).lower() if isinstance(key, bool) else str(key)
            parts.append(f".{name}" if parts else name)
            node = node[key] if isinstance(node, dict) and key in node else None
    if coded_at is not None:
        index, code = coded_at
        parts.insert(index, f" ({code})")
    return "".join(parts)


# -- exporting -----------------------------------------------------------------------------------


def export_file(fw: Framework) -> dict[str, Any]:
    """The whole model as a framework file: translations, indicators and descriptions
    included, fields with their default value left out. Reading it back gives the same model
    (the same ``content_digest``)."""
    document: dict[str, Any] = fw.model_dump(mode="json", exclude_defaults=True)
    return document


class _PlainDumper(yaml.SafeDumper):
    """Writes every value in full: no anchors or aliases, which model files may not hold."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: Any) -> str:
    """``document`` as YAML in its own key order, readable by ``parse_framework``."""
    text: str = yaml.dump(
        document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return text


def export_dict(fw: Framework) -> dict[str, Any]:
    """The framework's content in the base language, in file order (a summary, not a file)."""
    return {
        "id": fw.id,
        "version": fw.version,
        "name": fw.name,
        "stages": [
            {"code": stage.code, "name": stage.name, "description": stage.description}
            for stage in fw.stages
        ],
        "dimensions": [
            {
                "code": dimension.code,
                "name": dimension.name,
                "policies": [
                    {
                        "code": policy.code,
                        "name": policy.name,
                        "objectives": [
                            {
                                "code": objective.code,
                                "stage": objective.stage,
                                "text": objective.text,
                            }
                            for objective in policy.objectives
                        ],
                    }
                    for policy in dimension.policies
                ],
            }
            for dimension in fw.dimensions
        ],
    }


def to_shape(fw: Framework, language: str | None = None) -> Shape:
    """The framework's structure as the scoring engine's ``Shape`` (codes and names only),
    with the names in ``language`` where the model has them (``vertebra.frameworks.texts``)."""
    from vertebra.frameworks.texts import texts_in
    from vertebra.maturity import Shape

    texts = texts_in(fw, language)
    return Shape.from_lists(
        stages=[(stage.code, texts.stages[stage.code]) for stage in fw.stages],
        dimensions=[
            (
                dimension.code,
                texts.dimensions[dimension.code],
                [(policy.code, texts.policies[policy.code]) for policy in dimension.policies],
            )
            for dimension in fw.dimensions
        ],
        objectives=[
            (objective.code, policy.code, objective.stage)
            for _, policy, objective in fw.objectives()
        ],
    )


def content_digest(fw: Framework) -> str:
    """SHA-256 of the framework's full content (translations and indicators included).

    Two files with the same meaning have the same digest whatever their syntax, key order or
    omitted defaults; loading an id+version again with a different digest must be refused.
    """
    canonical = json.dumps(
        fw.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def meaning_digest(fw: Framework) -> str:
    """SHA-256 of what the model means, its translations left out: a version whose
    translations are added or corrected keeps its meaning, so its answers keep theirs."""
    canonical = json.dumps(
        _without_translations(fw.model_dump(mode="json")),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _without_translations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_translations(v) for k, v in value.items() if k != "translations"}
    if isinstance(value, list):
        return [_without_translations(v) for v in value]
    return value
