"""Template helpers of the web application."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from vertebra.access import Menu, menu_of

register = template.Library()


@register.simple_tag(takes_context=True)
def my_cities(context: template.Context) -> Menu:
    """The signed-in person's menu of cities (a few of them, the page's own among them), read
    once per request in one query, however many cities the person has."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return Menu(cities=[], more=False, membership=None)
    cached: Menu | None = getattr(request, "_vertebra_menu", None)
    if cached is None:
        city = context.get("city")
        cached = menu_of(request.user, getattr(city, "slug", None))
        request._vertebra_menu = cached
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


@register.filter(is_safe=True)
def html_attrs(attrs: dict[str, Any]) -> SafeString:
    """A widget's attributes as Django's ``django/forms/widgets/attrs.html`` writes them: in
    order, each value escaped, ``True`` as a bare name, ``False`` left out.

    One filter instead of that template's loop of conditions, which cost more than the rest
    of an input: the editor page draws some 150 inputs.
    """
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(str(name))}")
        else:
            parts.append(f' {escape(str(name))}="{escape(str(value))}"')
    return mark_safe("".join(parts))  # noqa: S308 - every name and value is escaped above
