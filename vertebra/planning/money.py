"""Money as people read it: ISO 4217 currencies and amounts in the person's language.

The currencies in use today are those some country or territory pays with (Babel's copy of
the Unicode CLDR data, served by the app itself); amounts are formatted with the language's
thousands separator, decimal mark and currency sign ("€12,500.00", "12 500,00 kr").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError
from babel.numbers import format_currency, get_currency_name, get_territory_currencies
from django.utils.translation import get_language, to_locale


@lru_cache(maxsize=1)
def currencies_in_use() -> frozenset[str]:
    """The ISO 4217 codes of the currencies paid with somewhere today."""
    today = dt.date.today()
    codes: set[str] = set()
    for territory in Locale("en").territories:
        codes.update(get_territory_currencies(str(territory), today, tender=True))
    return frozenset(codes)


@lru_cache(maxsize=16)
def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse(to_locale(language or "en"))
    except (ValueError, UnknownLocaleError):
        return Locale("en")


@lru_cache(maxsize=8)
def currency_choices(language: str | None) -> list[tuple[str, str]]:
    """Every currency in use, as "EUR — Euro" in the language, by code."""
    locale = _locale(language)
    return [
        (code, f"{code} — {get_currency_name(code, locale=locale)}")
        for code in sorted(currencies_in_use())
    ]


def money(amount: Decimal | int | None, currency: str, language: str | None = None) -> str:
    """An amount in its currency as the person's language writes it; "" for no amount."""
    if amount is None:
        return ""
    locale = _locale(language or get_language())
    return format_currency(amount, currency, locale=locale)
