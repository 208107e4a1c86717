"""Template helpers of the web application."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vertebra.access import cities_of
from vertebra.cities.models import City

register = template.Library()


@register.simple_tag(takes_context=True)
def my_cities(context: template.Context) -> list[City]:
    """The signed-in person's cities, read once per request."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    cached: list[City] | None = getattr(request, "_vertebra_cities", None)
    if cached is None:
        cached = list(cities_of(request.user))
        request._vertebra_cities = cached
    return cached


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template, or None when the key is missing."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def percent(value: float | None) -> int:
    """A ratio from 0 to 1 as a whole percentage."""
    if value is None:
        return 0
    return round(value * 100)


@register.simple_tag(takes_context=True)
def objective_card(context: template.Context, item: Any) -> SafeString:
    """One objective's card on the editor page (see vertebra.web.objective_card)."""
    from vertebra.web import objective_card as card

    # Pages kept for reuse pass a placeholder for the CSRF field (vertebra.fragments).
    csrf_input = context.get("csrf_input") or format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        str(context.get("csrf_token") or ""),
    )
    return card.render(
        item, csrf_input=csrf_input, allowed_types=str(context.get("allowed_types", ""))
    )


@register.simple_tag(takes_context=True)
def history_table(context: template.Context, rows: Any, show_objective: bool) -> SafeString:
    """The table of answer changes (see vertebra.web.objective_card.history_table)."""
    from vertebra.web import objective_card as card

    return card.history_table(rows, show_objective=show_objective, t=card.current_texts())
