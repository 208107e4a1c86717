"""Pages of long lists, each read with its list's length in one query.

A page of a list shows how many items the list holds (the home page's count of cities, the
API's ``count``). Asked separately, that is a second query that finds every matching row
again; here the count rides along each row of the page as a window over the whole list, and
a second query is made only when the page is empty (past the end of the list).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable, ValuesIterable

# The name of the window's column on each row: taken off the rows before they are returned.
TOTAL = "paging_total"
# The kinds of rows the count rides along: model instances and ``values`` dictionaries.
ROWS = (ModelIterable, ValuesIterable)


def counted_slice(items: QuerySet[Any], offset: int, limit: int) -> tuple[list[Any], int]:
    """The items from ``offset`` (at most ``limit`` of them), and how many there are in all."""
    if items.query.distinct or items.query.combinator or items._iterable_class not in ROWS:
        # A window counts the rows before DISTINCT or a union, and has no place in a tuple of
        # ``values_list``: count them apart.
        return list(items[offset : offset + limit]), items.count()
    rows = list(items.annotate(**{TOTAL: Window(Count("pk"))})[offset : offset + limit])
    if not rows:
        return [], items.count() if offset else 0
    total = 0
    for row in rows:
        total = row.pop(TOTAL) if isinstance(row, dict) else vars(row).pop(TOTAL)
    return rows, total


def page_of(items: QuerySet[Any], number: str | None, per_page: int) -> Page[Any]:
    """The page of ``items`` named by ``number`` as Django's ``Paginator.get_page`` takes it
    (the first page when it is no number, the last when it is past the end).

    The first page, by far the most seen, comes in one query. A later one is asked as Django
    asks it, the count first and then the page, so that one past the end (an address edited by
    hand, or a list that shrank) costs no more than a page that is there."""
    try:
        wanted = max(1, int(number or 1))
    except (TypeError, ValueError):
        wanted = 1
    paginator = Paginator(items, per_page)
    if wanted > 1:
        return paginator.get_page(wanted)
    rows, total = counted_slice(items, 0, per_page)
    paginator.count = total  # known now: the paginator asks no more
    return Page(rows, 1, paginator)
