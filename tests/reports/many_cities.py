"""Many cities, cheaply: the Demo City and COUNT copies of its two assessment cycles.

Run in a `vertebra` data directory (and DATABASE_URL for PostgreSQL):
    python -m tests.reports.many_cities COUNT
Each copy has the Demo City's answers (192) and their history, bulk-inserted 50 cities at a
time; the backup tests and bench/bench_backup.py measure with it.
"""

from __future__ import annotations

import sys
import uuid


def build(count: int) -> None:
    from django.db import transaction

    from vertebra.assessments.models import Answer, AnswerEvent
    from vertebra.cities.models import City
    from vertebra.demo import build_demo

    demo = build_demo()
    cycles = list(demo.assessments.order_by("date"))
    answers = {a.pk: list(Answer.objects.filter(assessment=a).order_by("pk")) for a in cycles}
    events = {a.pk: list(AnswerEvent.objects.filter(assessment=a).order_by("pk")) for a in cycles}

    def copy(obj, **changes):  # type: ignore[no-untyped-def]
        values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        values.pop("id")
        values.update(changes)
        return type(obj)(**values)

    for start in range(0, count, 50):
        with transaction.atomic():
            cities = City.objects.bulk_create(
                City(slug=f"city-{n:04d}", name=f"City {n:04d}", country="Norway")
                for n in range(start, min(count, start + 50))
            )
            for city in cities:
                previous = None
                for cycle in cycles:
                    made = copy(
                        cycle,
                        uuid=uuid.uuid4(),
                        city_id=city.pk,
                        previous_id=previous.pk if previous is not None else None,
                    )
                    made.save()
                    previous = made
                    rows = Answer.objects.bulk_create(
                        copy(a, assessment_id=made.pk) for a in answers[cycle.pk]
                    )
                    by_objective = {a.objective_id: a.pk for a in rows}
                    objective_of = {a.pk: a.objective_id for a in answers[cycle.pk]}
                    AnswerEvent.objects.bulk_create(
                        copy(
                            e,
                            assessment_id=made.pk,
                            answer_id=by_objective[objective_of[e.answer_id]],
                        )
                        for e in events[cycle.pk]
                    )


if __name__ == "__main__":
    from vertebra.cli.server import initialise

    initialise(verbose=False)  # a fresh instance: its layout and the shipped model
    build(int(sys.argv[1]))
