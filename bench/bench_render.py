"""Rendering benchmark: the editor page (policy L1, 11 objective cards) and the dashboard, drawn
afresh with nothing kept (the first view after a restart, or of a new state by each process),
and seen again. One process, no server: the time is the templates' and the queries'.

Run: .venv/bin/python bench/bench_render.py [rounds]
It makes a temporary data directory with the Demo City (as bench_pages.py does).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from bench_pages import prepare
from serving import machine


def timings(action: Callable[[], object], rounds: int) -> list[float]:
    values = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        values.append((time.perf_counter() - start) * 1000)
    return values


def main(rounds: int) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as data_dir:
        dashboard, editor = prepare(data_dir)
        os.environ.update(
            VERTEBRA_DATA_DIR=data_dir,
            VERTEBRA_ALLOWED_HOSTS="testserver",
            DJANGO_SETTINGS_MODULE="vertebra.settings",
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.test import Client

        from vertebra.accounts.models import User
        from vertebra.fragments import forget_all

        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        client.force_login(User.objects.get(email="bench@city.example"))
        for name, path in (("editor (policy L1)", editor), ("dashboard", dashboard)):
            assert client.get(path).status_code == 200

            def fresh(path: str = path) -> None:
                forget_all()
                client.get(path)

            for label, values in (
                ("fresh", timings(fresh, rounds)),
                ("seen again", timings(lambda path=path: client.get(path), rounds)),
            ):
                print(
                    f"{name:<20} {label:<10} min {min(values):6.2f} ms  "
                    f"median {statistics.median(values):6.2f} ms  (n={rounds})"
                )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
