"""Text that people type, paste or import: one cleaning rule, and one rule for spreadsheets.

Pure Python, no Django: the model fields (``vertebra.fields``), the answer-file reader and the
exports all call these functions, so a title, an answer and a note are cleaned the same way
whichever door they come through (a page, the API, a command or an imported file).

- :func:`clean_text` drops the characters no page, spreadsheet or database should hold:
  control characters (U+0000-U+001F except tab and line breaks, U+007F-U+009F), halves of
  UTF-16 surrogate pairs (the command line hands these over for bytes that are not UTF-8),
  and U+FFFE/U+FFFF. Line breaks become ``\\n``; a single-line value gets spaces instead.
- :func:`inert_csv_text` makes text that a spreadsheet program would run as a formula read as
  text in a CSV file (OWASP's guidance on CSV injection); :func:`csv_text_value` undoes it
  when such a file is read back.
"""

from __future__ import annotations

import re

# Every control character except tab (09), line feed (0A) and carriage return (0D); DEL and
# the C1 controls; lone surrogates; and the two non-characters XML refuses.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n?")
_SINGLE_LINE = re.compile("[\t\n\r]+")

# A spreadsheet program reads a cell that starts with one of these as a formula (or, for tab
# and line breaks, trims them and reads what follows). The full-width forms count in some.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_INERT_PREFIX = "'"


def clean_text(value: str, *, single_line: bool = False) -> str:
    """``value`` without unwanted characters; line breaks as ``\\n`` (or spaces)."""
    if value.isprintable():  # the common case: nothing to do
        return value
    cleaned = _LINE_BREAKS.sub("\n", _UNWANTED.sub("", value))
    if single_line:
        cleaned = _SINGLE_LINE.sub(" ", cleaned)
    return cleaned


def inert_csv_text(value: str) -> str:
    """Text for a CSV cell that no spreadsheet program runs: a leading ``'`` when needed."""
    value = clean_text(value)
    if value.startswith(FORMULA_STARTS):
        return _INERT_PREFIX + value
    return value


def csv_text_value(cell: str) -> str:
    """The text that :func:`inert_csv_text` wrote into a CSV cell."""
    if cell.startswith(_INERT_PREFIX) and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
