"""Dates and numbers as the person's language writes them (Babel, the active language).

The one place that formats a date, a moment, a month or a number for people: the pages, the
editor's cards, the PDF report and the domain's messages call these functions, and templates
use the filters of the ``formats`` library (``{% load formats %}``: ``|day``, ``|day:"long"``,
``|moment``, ``|month``, ``|number``, ``|percent``). Money has its own, ``planning/money.py``.
Exports, the API and date inputs keep ISO 8601: they are read by programs, not people.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent
from django import template
from django.utils import timezone
from django.utils.translation import get_language, to_locale

register = template.Library()


# English without a country is written as in Europe ("15 Jan 2026", 09:41): CLDR's
# international English, not the United States'.
PLAIN = {"en": "en_150"}


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(PLAIN.get(language) or to_locale(language))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(PLAIN["en"])


def locale() -> Locale:
    """The Babel locale of the active language (English when none is active)."""
    return _locale(get_language() or "en")


@register.filter
def day(value: dt.date | None, length: str = "medium") -> str:
    """A date: "1 Apr 2027" in English, "01.04.2027" in German; ``long``: "1. April 2027"."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return str(format_date(value, length if length in ("short", "long") else "medium", locale()))


@register.filter
def moment(value: dt.datetime | None) -> str:
    """A date and time in the current time zone: "1 Apr 2027, 09:41", "01.04.2027, 09:41"."""
    if value is None or value == "":
        return ""
    value = _local(value)
    return f"{format_date(value.date(), 'medium', locale())}, {format_time(value, 'short', locale=locale())}"


@register.filter
def month(value: dt.date | None, length: str = "short") -> str:
    """A month of a year: "Apr 2027" ("April 2027" with ``long``), "Apr. 2027" in German."""
    if value is None or value == "":
        return ""
    return str(format_skeleton("yMMMM" if length == "long" else "yMMM", value, locale=locale()))


@register.filter
def number(value: int | float | Decimal | None) -> str:
    """A number with the language's grouping and decimal mark: "12,500.5", "12.500,5"."""
    if value is None or value == "":
        return ""
    return str(format_decimal(value, locale=locale()))


@register.filter
def percent(value: int | float | Decimal | None) -> str:
    """A percentage given from 0 to 100: "40%" in English, "40 %" in German."""
    if value is None or value == "":
        return ""
    return str(format_percent(Decimal(str(value)) / 100, locale=locale()))


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value
