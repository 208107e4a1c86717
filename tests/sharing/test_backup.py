"""A backup keeps what a city shares; a restore counts the benchmark again from its rows."""

from __future__ import annotations

import io

import pytest

from tests.sharing.factories import assessed
from vertebra.cities.models import City
from vertebra.reports.backup import restore_backup, write_backup
from vertebra.sharing import benchmark
from vertebra.sharing.models import BenchmarkEntry, BenchmarkFigures, Publication, SharingEvent
from vertebra.sharing.public import publish

pytestmark = pytest.mark.django_db


def test_restore_keeps_consent_and_publications_and_counts_the_benchmark_again(
    settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for n in range(3):
        city = City.objects.create(slug=f"town{n}", name=f"Town {n}")
        final = assessed(city, ("L1S",) if n else ())
        benchmark.opt_in(city=city, by=None)
    publish(assessment=final, by=None, licence="ODbL-1.0", include_costs=True)
    counts_before = BenchmarkFigures.objects.get().counts
    # A backup whose derived rows are stale (made by hand, or by an older version).
    BenchmarkFigures.objects.update(contributors=99, counts={})
    BenchmarkEntry.objects.filter(city__slug="town0").delete()
    out = io.BytesIO()
    write_backup(out)

    restore_backup(io.BytesIO(out.getvalue()), force=True)

    figures = BenchmarkFigures.objects.get()
    assert (figures.contributors, figures.counts) == (3, counts_before)
    assert figures.counts["policies"]["L1"] == {"": 1, "S": 2}
    assert list(Publication.objects.values_list("assessment__city__slug", flat=True)) == ["town2"]
    assert SharingEvent.objects.filter(kind="opted_in").count() == 3
    assert sorted(City.objects.values_list("slug", "share_for_benchmarking")) == [
        ("town0", True),
        ("town1", True),
        ("town2", True),
    ]
