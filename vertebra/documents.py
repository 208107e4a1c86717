"""Reading a JSON or YAML document a person sends: strictly, in bounded time and memory.

Pure Python, no Django. The answer files (``vertebra.assessments.responses``) and the
maturity-model files (``vertebra.frameworks.files``) are read here, so both refuse the same
things, each with a :class:`DocumentError` that says what and, where it can, on which line:

- YAML anchors and aliases (``&name``, ``*name``): a few hundred bytes of them can stand for
  gigabytes. They are refused while the file is parsed, before anything is built from it.
- a key given twice in one mapping (the second would silently win);
- numbers that are not finite (``NaN``, ``Infinity``, ``.nan``, ``.inf``, ``1e999``) and numbers
  with more than :data:`MAX_DIGITS` digits (converting them costs time, and no field needs them);
- nesting deeper than ``max_depth`` levels (Python's parsers recurse).
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from vertebra.i18n import gettext as _

try:  # libyaml's parser: several times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_DEPTH = 32
MAX_DIGITS = 20
MAX_NUMBER_TEXT = 64


class DocumentError(Exception):
    """Why a document cannot be read; ``line`` and ``column`` count from 1 when known."""

    def __init__(
        self, syntax: str, problem: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.syntax = syntax
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(f"{syntax}: {problem}")


class _Refused(Exception):
    """Raised inside json's hooks; becomes a DocumentError."""


def _number(text: str) -> float:
    if len(text) > MAX_NUMBER_TEXT:
        raise _Refused(_("the number %(number)s… is too long") % {"number": text[:20]})
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(_("the number %(number)s is too large") % {"number": text})
    return value


def _integer(text: str) -> int:
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise _Refused(
            _("a number with %(count)s digits is too long") % {"count": len(text.lstrip("+-"))}
        )
    return int(text)


def _constant(name: str) -> Any:
    raise _Refused(_("%(name)s is not a number") % {"name": name})


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _Refused(_("duplicate key %(key)r") % {"key": key})
        mapping[key] = value
    return mapping


def load_json(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=_number,
            parse_int=_integer,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise DocumentError("JSON", exc.msg, line=exc.lineno, column=exc.colno) from None
    except _Refused as exc:
        raise DocumentError("JSON", str(exc)) from None
    except RecursionError:
        raise DocumentError("JSON", _too_deep(max_depth)) from None
    except ValueError as exc:  # pragma: no cover - the hooks refuse what int() and float() do
        raise DocumentError("JSON", str(exc)) from None
    if _deeper_than(document, max_depth):
        raise DocumentError("JSON", _too_deep(max_depth))
    return document


class _StrictLoader(_BaseLoader):
    """The safe loader, refusing duplicate keys and numbers that are too long or not finite."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, _("duplicate key %(key)r") % {"key": key}, key_node.start_mark
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isalnum() for c in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("a number with %(count)s digits is too long") % {"count": digits},
                node.start_mark,
            )
        value: int = super().construct_yaml_int(node)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        if len(str(node.value)) > MAX_NUMBER_TEXT:
            raise yaml.constructor.ConstructorError(
                None, None, _("a number is too long"), node.start_mark
            )
        value: float = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                _("%(value)s is not a finite number") % {"value": node.value},
                node.start_mark,
            )
        return value


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


def _check_events(text: str, max_depth: int) -> None:
    """Refuse anchors, aliases and deep nesting from the parser's events, building nothing."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            problem = _("anchors and aliases (&name, *name) are not allowed")
            raise DocumentError("YAML", problem, **_place(event.start_mark))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise DocumentError("YAML", _too_deep(max_depth), **_place(event.start_mark))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_yaml(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    try:
        _check_events(text, max_depth)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or _("syntax error")
        place = _place(exc.problem_mark or exc.context_mark)
        raise DocumentError("YAML", problem, **place) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise DocumentError("YAML", f"{exc.reason} (U+{character:04X})", line=line) from None
    except yaml.YAMLError as exc:
        raise DocumentError("YAML", str(exc)) from None
    except RecursionError:
        raise DocumentError("YAML", _too_deep(max_depth)) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # The safe constructor lets a few of these through, e.g. for the date 2024-13-45.
        raise DocumentError(
            "YAML", _("a value cannot be read: %(problem)s") % {"problem": exc}
        ) from None


def _place(mark: Any) -> dict[str, int]:
    if mark is None:
        return {}
    return {"line": mark.line + 1, "column": mark.column + 1}


def _too_deep(max_depth: int) -> str:
    return _("nested more than %(depth)s levels deep") % {"depth": max_depth}


def _deeper_than(document: Any, max_depth: int) -> bool:
    pending = [(document, 1)]
    while pending:
        node, level = pending.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if level > max_depth:
            return True
        pending.extend((child, level + 1) for child in children)
    return False
