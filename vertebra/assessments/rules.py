"""The rules an answer's fields follow, in one place and without a database.

``clean_changes`` (``domain.py``: pages, the API, imports) and the answer-file reader
(``responses.py``: ``vertebra assess``, ``vertebra import`` and the import page) both call
:func:`check_answer`, so a file gets the same verdict from every command that reads it.
Messages are English, marked for translation; ``domain.py`` translates them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_noop

from vertebra.maturity import STATUSES
from vertebra.text import clean_text

# The answer fields a person edits, in the order the history shows them.
ANSWER_FIELDS = ("status", "progress", "evidence", "links", "notes", "owner", "na_justification")
MAX_TEXT = 20_000
MAX_OWNER = 200
NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field: an English message (marked for translation) and its values."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = str) -> str:
        message = translate(self.message)
        return message % dict(self.params) if self.params else message


_URL = URLValidator(schemes=["http", "https"])


def _clean_links(value: str) -> tuple[str, list[str]]:
    """One web address per line: blank lines dropped; returns the text and the invalid lines."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    bad = []
    for line in lines:
        try:
            _URL(line)
        except ValidationError:
            bad.append(line)
    return "\n".join(lines), bad


def check_answer(
    changes: Mapping[str, Any], *, status: str, na_justification: str
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """The changes cleaned, and a problem per field that breaks a rule.

    ``status`` and ``na_justification`` are the answer's current values: the changes are
    checked against the answer as it would become.
    """
    problems: dict[str, Problem] = {}
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in ANSWER_FIELDS:
            problems[name] = Problem(gettext_noop("Unknown field."))
            continue
        if name == "status":
            if value not in STATUSES:
                problems[name] = Problem(
                    gettext_noop("Choose one of: %(choices)s."), {"choices": ", ".join(STATUSES)}
                )
                continue
        elif name == "progress":
            if value in ("", None):
                value = None
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                problems[name] = Problem(gettext_noop("Progress is a whole number from 0 to 100."))
                continue
        else:
            value = "" if value is None else value
            if not isinstance(value, str):
                problems[name] = Problem(gettext_noop("This must be text."))
                continue
            value = clean_text(value, single_line=name == "owner").strip()
            limit = MAX_OWNER if name == "owner" else MAX_TEXT
            if len(value) > limit:
                problems[name] = Problem(
                    gettext_noop("At most %(limit)d characters."), {"limit": limit}
                )
                continue
            if name == "links":
                value, bad = _clean_links(value)
                if bad:
                    problems[name] = Problem(
                        gettext_noop(
                            "Each line must be one web address starting with http:// or "
                            "https://; not valid: %(lines)s"
                        ),
                        {"lines": ", ".join(bad)},
                    )
                    continue
        cleaned[name] = value
    if cleaned.get("status", status) == NOT_APPLICABLE and not cleaned.get(
        "na_justification", na_justification
    ):
        problems["na_justification"] = Problem(
            gettext_noop("Say why this objective does not apply to the city.")
        )
    return cleaned, problems
