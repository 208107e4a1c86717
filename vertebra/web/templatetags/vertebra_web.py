"""Template helpers of the web application."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from vertebra import fragments
from vertebra.access import Menu, menu_of

register = template.Library()


def _page_city_slug(context: template.Context) -> str | None:
    """The slug of the page's own city, if the page is a city's."""
    city = context.get("city")
    slug = city.get("slug") if isinstance(city, dict) else getattr(city, "slug", None)
    return slug if isinstance(slug, str) else None


@register.simple_tag(takes_context=True)
def my_cities(context: template.Context) -> Menu:
    """The signed-in person's menu of cities (a few of them, the page's own among them), read
    once per request in one query, however many cities the person has."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return Menu(cities=[], more=False, membership=None)
    cached: Menu | None = getattr(request, "_vertebra_menu", None)
    if cached is None:
        cached = menu_of(request.user, _page_city_slug(context))
        request._vertebra_menu = cached
    return cached


@register.simple_tag(takes_context=True)
def city_menu(context: template.Context) -> SafeString:
    """The menu's links to the person's cities, kept whole by what they show: a person in
    many cities has eight links on every page, and drawing them each time cost a page as much
    as a tenth more than a one-city person's."""
    menu = my_cities(context)
    here = _page_city_slug(context)
    key = (tuple(menu.cities), here, menu.more)

    def draw() -> str:
        return render_to_string(
            "web/_city_menu.html", {"cities": menu.cities, "here": here, "more": menu.more}
        )

    # Rendered by the template engine, so escaped already.
    return SafeString(fragments.kept("city-menu", key, draw))


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
