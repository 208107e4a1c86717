"""Fill an instance for bench_scale.py: CITIES cities with ASSESSMENTS assessments each (every
objective answered, the newest a draft), three members per city, actions on each draft, and
the bench's people: one in 1 city, one in 20, one in 200 (each an editor, the first city in
common), and an operator. Prints the people's emails and API tokens as JSON.

Run in the instance's environment (VERTEBRA_DATA_DIR, DATABASE_URL), after `vertebra init`:
    python bench/scale_data.py CITIES ASSESSMENTS
Rows are bulk-inserted in large batches, so 1,000 cities take a minute or two.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vertebra.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from vertebra.accounts.models import User  # noqa: E402
from vertebra.api.tokens import create_token  # noqa: E402
from vertebra.assessments.models import Answer, Assessment, AssessmentStatus  # noqa: E402
from vertebra.cities.models import City, Membership, Role  # noqa: E402
from vertebra.frameworks.models import FrameworkVersion  # noqa: E402
from vertebra.planning.models import Action  # noqa: E402

PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts of a temporary instance
PEOPLE = {"in 1": 1, "in 20": 20, "in 200": 200}
STATUSES = ["achieved", "achieved", "in_progress", "not_started", "not_applicable"]
BATCH = 5000


def build(cities: int, assessments: int) -> dict[str, dict[str, str]]:
    rng = random.Random(7)
    fv = FrameworkVersion.objects.order_by("-version").first()
    assert fv is not None, "run 'vertebra init' first"
    objectives = list(fv.objectives.order_by("position"))
    password = make_password(PASSWORD)
    with transaction.atomic():
        made = City.objects.bulk_create(
            City(slug=f"city-{n:04d}", name=f"City {n:04d}") for n in range(cities)
        )
        rows = []
        for city in made:
            for k in range(assessments):
                final = k < assessments - 1
                rows.append(
                    Assessment(
                        uuid=uuid.uuid4(),
                        city=city,
                        framework_version=fv,
                        title=f"Cycle {2020 + k}",
                        date=dt.date(2020 + k, 3, 1),
                        status=AssessmentStatus.FINAL if final else AssessmentStatus.DRAFT,
                    )
                )
        made_assessments = Assessment.objects.bulk_create(rows, batch_size=BATCH)
        answers = [
            Answer(
                assessment=assessment,
                objective=objective,
                status=(status := rng.choice(STATUSES)),
                progress=50 if status == "in_progress" else None,
                na_justification="Not for this city." if status == "not_applicable" else "",
            )
            for assessment in made_assessments
            for objective in objectives
        ]
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        del answers
        drafts = [a for a in made_assessments if a.status == AssessmentStatus.DRAFT]
        Action.objects.bulk_create(
            (
                Action(city=a.city, assessment=a, title=f"Action {n} of {a.city.name}")
                for a in drafts
                for n in range(3)
            ),
            batch_size=BATCH,
        )
        members = User.objects.bulk_create(
            User(email=f"member{n}@{city.slug}.example", password=password)
            for city in made
            for n in range(3)
        )
        Membership.objects.bulk_create(
            (
                Membership(uuid=uuid.uuid4(), city=made[i // 3], user=user, role=Role.CONTRIBUTOR)
                for i, user in enumerate(members)
            ),
            batch_size=BATCH,
        )
        people: dict[str, dict[str, str]] = {}
        for label, count in PEOPLE.items():
            email = f"person-{count}@bench.example"
            person = User.objects.create_user(email, PASSWORD)
            Membership.objects.bulk_create(
                Membership(uuid=uuid.uuid4(), city=city, user=person, role=Role.EDITOR)
                for city in made[:count]
            )
            _, key = create_token(user=person, name="bench")
            people[label] = {"email": email, "token": key}
        operator = User.objects.create_superuser("operator@bench.example", PASSWORD)
        people["operator"] = {
            "email": operator.email,
            "token": create_token(user=operator, name="bench")[1],
        }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the statistics autovacuum would gather by itself
            cursor.execute("ANALYZE")
    first = made[0]
    draft = Assessment.objects.get(city=first, status=AssessmentStatus.DRAFT)
    return {"city": first.slug, "assessment": str(draft.uuid), "people": people}  # type: ignore[dict-item]


if __name__ == "__main__":
    print(json.dumps(build(int(sys.argv[1]), int(sys.argv[2]))))
