"""A page of a list and the list's length, read in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vertebra.cities.models import City
from vertebra.paging import counted_slice, page_of


@pytest.fixture
def cities(db: None) -> None:
    City.objects.bulk_create(City(slug=f"c{n:02d}", name=f"City {n:02d}") for n in range(7))


def _names(rows: list[City]) -> list[str]:
    return [city.name for city in rows]


def test_a_page_and_the_lists_length_come_in_one_query(cities: None) -> None:
    with CaptureQueriesContext(connection) as captured:
        rows, total = counted_slice(City.objects.order_by("name"), 3, 3)
    assert (_names(rows), total) == (["City 03", "City 04", "City 05"], 7)
    assert len(captured.captured_queries) == 1
    assert not hasattr(rows[0], "paging_total")
    values, total = counted_slice(City.objects.order_by("name").values("slug"), 6, 3)
    assert (values, total) == ([{"slug": "c06"}], 7)


def test_an_empty_list_takes_one_query_and_past_its_end_one_more(cities: None) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert counted_slice(City.objects.filter(name="Nowhere"), 0, 3) == ([], 0)
    assert len(captured.captured_queries) == 1
    with CaptureQueriesContext(connection) as captured:
        assert counted_slice(City.objects.order_by("name"), 9, 3) == ([], 7)
    assert len(captured.captured_queries) == 2


def test_a_list_of_distinct_rows_is_counted_apart(cities: None) -> None:
    doubled = (
        City.objects.filter(slug__in=["c01", "c02"])
        .order_by()
        .union(City.objects.filter(slug__in=["c02", "c03"]).order_by())
    )
    rows, total = counted_slice(doubled.order_by("name"), 0, 2)
    assert (_names(rows), total) == (["City 01", "City 02"], 3)
    names = City.objects.values("name").order_by("name").distinct()
    assert counted_slice(names, 0, 2) == ([{"name": "City 00"}, {"name": "City 01"}], 7)
    slugs = City.objects.order_by("slug").values_list("slug", flat=True)
    assert counted_slice(slugs, 5, 5) == (["c05", "c06"], 7)
    pairs = City.objects.order_by("slug").values_list("slug", "name")
    assert counted_slice(pairs, 6, 5) == ([("c06", "City 06")], 7)


def test_the_first_page_comes_in_one_query_a_later_one_or_one_past_the_end_in_two(
    cities: None,
) -> None:
    for number, queries in ((None, 1), ("1", 1), ("2", 2), ("99", 2)):
        with CaptureQueriesContext(connection) as captured:
            list(page_of(City.objects.order_by("name"), number, 3).object_list)
        assert len(captured.captured_queries) == queries, number


@pytest.mark.parametrize(
    ("number", "shown", "names"),
    [
        (None, 1, ["City 00", "City 01", "City 02"]),
        ("2", 2, ["City 03", "City 04", "City 05"]),
        ("3", 3, ["City 06"]),
        ("99", 3, ["City 06"]),  # past the end: the last page
        ("x", 1, ["City 00", "City 01", "City 02"]),  # no number: the first
        ("-4", 1, ["City 00", "City 01", "City 02"]),
    ],
)
def test_a_page_by_its_number_as_the_address_gives_it(
    cities: None, number: str | None, shown: int, names: list[str]
) -> None:
    page = page_of(City.objects.order_by("name"), number, 3)
    assert (page.number, _names(list(page.object_list))) == (shown, names)
    assert (page.paginator.count, page.paginator.num_pages) == (7, 3)
    assert page.has_previous() == (shown > 1)
    assert page.has_next() == (shown < 3)
