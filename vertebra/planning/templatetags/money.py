"""``{{ action.cost|money:action.currency }}``: an amount as the person's language writes it."""

from __future__ import annotations

from decimal import Decimal

from django import template

from vertebra.planning.money import money as format_money

register = template.Library()


@register.filter
def money(amount: Decimal | int | None, currency: str) -> str:
    return format_money(amount, currency)
