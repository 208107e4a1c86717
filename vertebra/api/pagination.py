"""limit/offset pages with the total count and the addresses of the next and previous pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

from vertebra.api.links import page_url
from vertebra.api.schemas import PageQuery
from vertebra.paging import counted_slice

T = TypeVar("T")


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | Sequence[T],
    page: PageQuery,
    to_json: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    limit, offset = page.limit, page.offset
    if isinstance(items, QuerySet):
        rows, count = counted_slice(items, offset, limit)
    else:
        rows, count = list(items[offset : offset + limit]), len(items)
    return {
        "count": count,
        "next": page_url(request, offset=offset + limit, limit=limit)
        if offset + limit < count
        else None,
        "previous": page_url(request, offset=max(0, offset - limit), limit=limit)
        if offset > 0
        else None,
        "results": [to_json(row) for row in rows],
    }
