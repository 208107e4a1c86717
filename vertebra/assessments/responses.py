"""Reading a city's answers from a file: CSV, JSON or YAML (and, through
:func:`parse_table`, the rows of a spreadsheet).

The one reader of answer files: ``vertebra assess``, ``vertebra import`` and the import page
all call it, and it applies the answer rules of ``rules.py``, so a file gets the same verdict
from each. JSON and YAML are read strictly by ``vertebra.documents``. No database needed, so
that ``vertebra assess`` runs without one. Every
problem is collected with its file, line and column, and nothing is returned unless
the whole file is valid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vertebra.assessments.rules import check_answer
from vertebra.documents import DocumentError, load_json, load_yaml
from vertebra.i18n import gettext as _
from vertebra.maturity import STATUSES, Shape
from vertebra.text import csv_text_value

MAX_RESPONSES_BYTES = 5 * 1024 * 1024
# An answer file needs three levels ({"answers": [{...}]}); our JSON export has a few more.
MAX_DEPTH = 16
REQUIRED_COLUMNS = ("objective", "status")
OPTIONAL_COLUMNS = ("progress", "evidence", "links", "notes", "owner", "na_justification")
TEXT_FIELDS = ("evidence", "links", "notes", "owner", "na_justification")
# Columns of our own exports that describe the objective or list its files; read and ignored.
DESCRIPTIVE_COLUMNS = ("dimension", "policy", "stage", "text", "objective_text", "files")
ANSWER_FIELDS = ("status", *OPTIONAL_COLUMNS)


@dataclass(frozen=True)
class Response:
    objective: str
    status: str
    progress: int | None = None
    evidence: str = ""
    notes: str = ""
    owner: str = ""
    links: str = ""
    na_justification: str = ""
    line: int | None = None
    # The answer fields the file gave for this objective (an importer changes only these).
    given: frozenset[str] = field(default_factory=frozenset)
    # Where each given field sits in the file, for messages: field name -> "column 3 (status)".
    columns: Mapping[str, str] = field(default_factory=dict)


class ResponsesError(Exception):
    def __init__(self, filename: str, errors: list[str]) -> None:
        self.filename = filename
        self.errors = errors
        super().__init__("\n".join(f"{filename}: {e}" for e in errors))


def normalise_status(value: str) -> str | None:
    cleaned = value.strip().lower().replace(" ", "_").replace("-", "_")
    return cleaned if cleaned in STATUSES else None


def _too_large() -> str:
    return _("file is larger than %(mb)d MB") % {"mb": MAX_RESPONSES_BYTES // 1024 // 1024}


def read_responses_file(path: str | Path, *, shape: Shape) -> list[Response]:
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise ResponsesError(name, [_("no such file")])
    if not p.is_file():
        raise ResponsesError(name, [_("not a regular file")])
    if p.stat().st_size > MAX_RESPONSES_BYTES:
        raise ResponsesError(name, [_too_large()])
    return parse_responses(p.read_bytes(), filename=name, shape=shape)


def parse_responses(data: bytes, *, filename: str, shape: Shape) -> list[Response]:
    if len(data) > MAX_RESPONSES_BYTES:
        raise ResponsesError(filename, [_too_large()])
    if not data.strip():
        raise ResponsesError(filename, [_("the file is empty")])
    if b"\x00" in data:
        raise ResponsesError(
            filename, [_("this is a binary file, not a CSV, JSON or YAML text file")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResponsesError(
            filename,
            [
                _("the file is not UTF-8 text (byte %(byte)d); save it as UTF-8")
                % {"byte": exc.start + 1}
            ],
        ) from None
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return _parse_csv(text, filename=filename, shape=shape)
    if suffix in {".json", ".yaml", ".yml"}:
        return _parse_document(text, filename=filename, shape=shape, is_json=suffix == ".json")
    raise ResponsesError(
        filename,
        [
            _("unknown file type %(suffix)s; use .csv, .json, .yaml or .yml")
            % {"suffix": repr(suffix or "(none)")}
        ],
    )


def _parse_csv(text: str, *, filename: str, shape: Shape) -> list[Response]:
    try:
        # Our CSV export starts formula-like text with a ' (vertebra.text): taken off here.
        rows = [
            [csv_text_value(cell) for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""))
        ]
    except csv.Error as exc:
        raise ResponsesError(
            filename, [_("not a readable CSV file: %(error)s") % {"error": exc}]
        ) from None
    return parse_table(rows, filename=filename, shape=shape)


def parse_table(
    rows: Sequence[Sequence[str]],
    *,
    filename: str,
    shape: Shape,
    row_word: str | None = None,
    prefix: str = "",
    column_label: Callable[[int], str] = str,
) -> list[Response]:
    """Answers from a table whose first row names the columns (a CSV file or a spreadsheet).

    ``prefix`` (e.g. "sheet Answers, ") and ``row_word`` / ``column_label`` shape the places
    in messages: "line 3, column 6 (status)" or "sheet Answers, row 3, column F (status)".
    """
    row_word = row_word or _("line")
    if not rows:
        raise ResponsesError(filename, [f"{prefix}{row_word} 1: " + _("the table is empty")])
    header = [h.strip().lower() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    errors: list[str] = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ResponsesError(
            filename,
            [
                f"{prefix}{row_word} 1: "
                + _(
                    "the header must name the columns 'objective' and 'status' "
                    "(missing: %(missing)s; found: %(found)s)"
                )
                % {
                    "missing": ", ".join(missing),
                    "found": ", ".join(h for h in header if h) or _("nothing"),
                }
            ],
        )
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(DESCRIPTIVE_COLUMNS)
    for index, name in enumerate(header):
        where = f"{prefix}{row_word} 1, " + _("column %(column)s") % {
            "column": column_label(index + 1)
        }
        if name not in known:
            errors.append(f"{where}: " + _("unknown column %(name)s") % {"name": _shown(name)})
        elif header.count(name) > 1 and header.index(name) != index:
            errors.append(
                f"{where}: " + _("column %(name)s appears twice") % {"name": _shown(name)}
            )
    columns = {
        name: _("column %(column)s (%(name)s)") % {"column": column_label(index + 1), "name": name}
        for index, name in enumerate(header)
        if (name in ANSWER_FIELDS or name == "objective") and header.index(name) == index
    }
    records: list[tuple[int, dict[str, object]]] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if any(cell.strip() for cell in row[len(header) :]):
            errors.append(
                f"{prefix}{row_word} {line}: "
                + _("%(cells)d cells but the header has %(columns)d")
                % {"cells": len(row), "columns": len(header)}
            )
            continue
        record = {name: row[i].strip() if i < len(row) else "" for i, name in enumerate(header)}
        records.append(
            (line, {k: v for k, v in record.items() if k in ANSWER_FIELDS or k == "objective"})
        )
    return _validate(
        records,
        filename=filename,
        shape=shape,
        errors=errors,
        where=f"{prefix}{row_word}",
        columns=columns,
        numbered_lines=True,
    )


def _parse_document(text: str, *, filename: str, shape: Shape, is_json: bool) -> list[Response]:
    try:
        document = (
            load_json(text, max_depth=MAX_DEPTH)
            if is_json
            else load_yaml(text, max_depth=MAX_DEPTH)
        )
    except DocumentError as exc:
        where = _("line %(line)d: ") % {"line": exc.line} if exc.line is not None else ""
        raise ResponsesError(
            filename,
            [
                where
                + _("not valid %(syntax)s: %(problem)s")
                % {"syntax": exc.syntax, "problem": exc.problem}
            ],
        ) from None
    if isinstance(document, Mapping) and "answers" in document:
        return _parse_answer_list(document["answers"], filename=filename, shape=shape)
    if not isinstance(document, Mapping):
        raise ResponsesError(
            filename,
            [
                "the document must be a mapping of objective code to status, "
                'e.g. {"L1S1": "achieved"}'
            ],
        )
    records: list[tuple[int, dict[str, object]]] = []
    errors: list[str] = []
    for index, (code, value) in enumerate(document.items(), start=1):
        if isinstance(value, str):
            records.append((index, {"objective": code, "status": value}))
        elif isinstance(value, Mapping):
            records.append((index, {"objective": code, **value}))
        else:
            errors.append(
                _("entry %(code)s") % {"code": _shown(code)}
                + ": "
                + _(
                    'the value must be a status such as "achieved" or a mapping with a status, not %(kind)s'
                )
                % {"kind": _kind(value)}
            )
    return _validate(records, filename=filename, shape=shape, errors=errors, where=_("entry"))


def _parse_answer_list(items: object, *, filename: str, shape: Shape) -> list[Response]:
    if not isinstance(items, list):
        raise ResponsesError(filename, [_('"answers" must be a list of objects')])
    records: list[tuple[int, dict[str, object]]] = []
    errors: list[str] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            errors.append(
                f"answers[{index - 1}]: "
                + _("must be an object, not %(kind)s") % {"kind": _kind(item)}
            )
            continue
        records.append(
            (index, {k: v for k, v in item.items() if k in ANSWER_FIELDS or k == "objective"})
        )
    return _validate(records, filename=filename, shape=shape, errors=errors, where=_("answer"))


def _shown(value: object, limit: int = 40) -> str:
    """A value as a message quotes it: at most ``limit`` characters of its repr."""
    if not isinstance(value, str | int | float | bool) and value is not None:
        return _kind(value)  # a list or a mapping: its repr could be long
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _kind(value: object) -> str:
    if value is None:
        return _("empty")
    return {
        list: _("a list"),
        dict: _("a mapping"),
        int: _("a number"),
        float: _("a number"),
        bool: _("true/false"),
    }.get(type(value), type(value).__name__)


def _validate(
    records: Iterable[tuple[int, Mapping[str, object]]],
    *,
    filename: str,
    shape: Shape,
    errors: list[str],
    where: str,
    columns: Mapping[str, str] | None = None,
    numbered_lines: bool = False,
) -> list[Response]:
    """Check each record; ``columns`` (tables only) names the column of each field."""
    seen: dict[str, int] = {}
    responses: list[Response] = []
    known = set(shape.objective_codes)
    for number, record in records:
        row_place = f"{where} {number}"
        code_value = record.get("objective")
        if not isinstance(code_value, str) or not code_value.strip():
            errors.append(
                f"{_at(row_place, 'objective', columns)}: " + _("the objective code is missing")
            )
            continue
        code = code_value.strip()
        place = row_place if numbered_lines else f"{row_place} ({code})"

        def at(name: str, place: str = place) -> str:
            return _at(place, name, columns)

        if code not in known:
            errors.append(
                f"{at('objective')}: "
                + _("unknown objective code %(code)s") % {"code": _shown(code)}
            )
            continue
        if code in seen:
            errors.append(
                f"{at('objective')}: "
                + _("objective %(code)s is answered twice (first at %(place)s)")
                % {"code": code, "place": f"{where} {seen[code]}"}
            )
            continue
        seen[code] = number
        before = len(errors)
        status_value = record.get("status")
        status = "not_started"
        if status_value is None or (isinstance(status_value, str) and not status_value.strip()):
            pass
        elif not isinstance(status_value, str) or normalise_status(status_value) is None:
            errors.append(
                f"{at('status')}: "
                + _("unknown status %(status)s for %(code)s; use one of %(statuses)s")
                % {"status": _shown(status_value), "code": code, "statuses": ", ".join(STATUSES)}
            )
        else:
            status = normalise_status(status_value) or "not_started"
        progress = _progress(record.get("progress"), place=at("progress"), errors=errors)
        texts: dict[str, str] = {}
        for name in TEXT_FIELDS:
            value = record.get(name, "")
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors.append(
                    f"{at(name)}: "
                    + _("%(name)s must be text, not %(kind)s")
                    % {"name": name, "kind": _kind(value)}
                )
                value = ""
            texts[name] = value
        if len(errors) > before:
            continue
        # The rules every answer follows, however it is saved (assessments/rules.py), checked
        # against a blank answer: the same file gets the same verdict from every command.
        given = frozenset(k for k in record if k in ANSWER_FIELDS) | {"status"}
        values: dict[str, Any] = {"status": status, "progress": progress, **texts}
        cleaned, problems = check_answer(
            {name: values[name] for name in ANSWER_FIELDS if name in given},
            status="not_started",
            na_justification="",
        )
        if problems:
            errors.extend(f"{at(name)}: {problem.text(_)}" for name, problem in problems.items())
            continue
        values.update(cleaned)
        responses.append(
            Response(
                objective=code,
                status=status,
                progress=progress,
                evidence=values["evidence"],
                notes=values["notes"],
                owner=values["owner"],
                links=values["links"],
                na_justification=values["na_justification"],
                line=number if numbered_lines else None,
                given=given,
                columns={name: at(name) for name in ANSWER_FIELDS},
            )
        )
    if errors:
        raise ResponsesError(filename, errors)
    return responses


def _at(place: str, name: str, columns: Mapping[str, str] | None) -> str:
    if columns is not None:
        return f"{place}, {columns.get(name, name)}"
    return f"{place}, " + _("field %(name)s") % {"name": name}


def _progress(value: object, *, place: str, errors: list[str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.append(f"{place}: " + _("progress must be a whole number from 0 to 100"))
        return None
    number: float
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            errors.append(
                f"{place}: "
                + _("progress %(value)s is not a number from 0 to 100") % {"value": _shown(value)}
            )
            return None
    else:
        errors.append(
            f"{place}: "
            + _("progress must be a number from 0 to 100, not %(kind)s") % {"kind": _kind(value)}
        )
        return None
    # The range first: NaN and infinity fail it, and int() of them would raise.
    if not 0 <= number <= 100 or number != int(number):
        errors.append(
            f"{place}: "
            + _("progress %(value)s must be a whole number from 0 to 100")
            % {"value": _shown(value)}
        )
        return None
    return int(number)


def statuses_of(responses: Iterable[Response]) -> dict[str, str]:
    return {r.objective: r.status for r in responses}
