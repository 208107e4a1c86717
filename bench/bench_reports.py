"""Reports benchmark: the demo assessment's PDF (target ≤ 2 s) and XLSX (≤ 1 s), and importing a
complete XLSX file (≤ 1 s). Prints the median of several runs.

Run: VERTEBRA_DATA_DIR=/tmp/vt-bench .venv/bin/python bench/bench_reports.py
It uses its own SQLite database in that directory (default var/bench-reports).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vertebra.settings")
os.environ.setdefault("VERTEBRA_DATA_DIR", str(Path("var") / "bench-reports"))
Path(os.environ["VERTEBRA_DATA_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402


def measure(label: str, target: float, runs: int, work: Callable[[], object]) -> None:
    work()  # warm up: fonts, templates, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    verdict = "ok" if median <= target else "SLOWER THAN TARGET"
    print(
        f"{label:<34} median {median:6.3f} s  min {min(times):6.3f} s  "
        f"(target ≤ {target:g} s, {runs} runs) {verdict}"
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    from vertebra.assessments.domain import create_assessment
    from vertebra.cities.models import City
    from vertebra.demo import build_demo
    from vertebra.frameworks.domain import load_shipped_frameworks
    from vertebra.reports.exports import export_xlsx
    from vertebra.reports.imports import import_answers
    from vertebra.reports.pdf import render_pdf

    load_shipped_frameworks()
    city = build_demo()
    assessment = city.assessments.order_by("-date").first()
    assert assessment is not None
    xlsx = export_xlsx(assessment)
    target_city, _ = City.objects.get_or_create(slug="bench-import", defaults={"name": "Bench"})

    def import_once() -> None:
        # Each run imports the complete file into a fresh, empty draft; rolled back afterwards.
        with transaction.atomic():
            draft = create_assessment(
                city=target_city, user=None, title="Bench", date=assessment.date
            )
            summary = import_answers(assessment=draft, user=None, data=xlsx, filename="demo.xlsx")
            assert summary.total == 96
            transaction.set_rollback(True)

    print(f"Demo assessment: {assessment.title}, {assessment.answers.count()} answers")
    measure("PDF report of the demo assessment", 2.0, 5, lambda: render_pdf(assessment))
    measure("XLSX export of the demo assessment", 1.0, 10, lambda: export_xlsx(assessment))
    measure("Import of a complete XLSX file", 1.0, 10, import_once)


if __name__ == "__main__":
    main()
