"""The Demo City: two assessment cycles worth looking at on a first visit.

Deterministic: the same data every time, so that screenshots and benchmarks compare. The two
sample assessments have fixed ids (``SAMPLES``), which tell them apart from the assessments
people make in the Demo City: building the demo again only adds a sample that is missing, and
never changes or deletes anything else, people's work in the samples included.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.db import transaction

from vertebra.accounts.models import User
from vertebra.assessments.domain import finalize, save_answer
from vertebra.assessments.models import Answer, Assessment
from vertebra.cities.models import City, Membership, Role
from vertebra.frameworks.domain import shape_of
from vertebra.planning.domain import start_assessment

DEMO_SLUG = "demo"
DEMO_NAME = "Demo City"


@dataclass(frozen=True)
class Sample:
    uuid: uuid.UUID
    title: str
    date: dt.date
    final: bool


_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://vertebra.example/demo-city/")
# In cycle order: the newer continues the older.
SAMPLES = (
    Sample(uuid.uuid5(_IDS, "baseline-2025"), "Baseline review 2025", dt.date(2025, 11, 14), True),
    Sample(uuid.uuid5(_IDS, "annual-2026"), "Annual review 2026", dt.date(2026, 11, 13), False),
)

DEPARTMENTS = [
    "Resilience Office",
    "Civil Protection",
    "Urban Planning",
    "Environment Department",
    "Social Services",
    "Water Utility",
    "Energy Utility",
    "Fire and Rescue Service",
    "Communications Office",
    "Finance Department",
]
EVIDENCE = [
    "Council decision {n}/{year}, minutes published on the city website.",
    "Signed agreement on file with the {dept}; reviewed in the {year} workshop.",
    "Annual report {year}, chapter {n}, presented to the council.",
    "Workshop notes of {month} {year}; attendance list kept by the {dept}.",
    "Procedure document v{n} approved by the {dept}.",
]
NOTES = [
    "Discussed in the stakeholder workshop; agreed by all present.",
    "Budget for the next step still to be confirmed.",
    "Needs input from the regional government.",
    "The {dept} leads; progress reviewed every quarter.",
    "",
    "",
]
MONTHS = ["March", "May", "June", "September", "October", "November"]


def _answer_plan(stage_index: int, rng: random.Random, *, cycle: int) -> str:
    """How far a demo answer has got: lower stages further along, the newer cycle more so."""
    reach = (1.6 if cycle == 0 else 2.4) + rng.uniform(-0.8, 0.8)
    if stage_index + 0.3 < reach:
        return "achieved"
    if stage_index < reach + 0.6:
        return rng.choice(["in_progress", "in_progress", "achieved", "not_started"])
    return rng.choice(["not_started", "not_started", "not_started", "in_progress"])


def _fill(assessment_id: int, *, user: User | None, cycle: int, year: int) -> None:
    rng = random.Random(20260 + cycle)  # noqa: S311 - demo data, not security
    answers = Answer.objects.filter(assessment_id=assessment_id).select_related(
        "objective", "assessment"
    )
    stage_index = shape_of(
        Assessment.objects.select_related("framework_version")
        .get(pk=assessment_id)
        .framework_version
    ).stage_index
    for n, answer in enumerate(answers, start=1):
        objective = answer.objective
        if cycle == 1 and rng.random() < 0.12:
            continue  # the newer cycle is a draft: some objectives not yet looked at again
        status = _answer_plan(stage_index[objective.stage_code], rng, cycle=cycle)
        dept = rng.choice(DEPARTMENTS)
        changes: dict[str, object] = {"status": status, "owner": dept}
        if objective.code in {"C2T2", "I1T3"}:
            changes = {
                "status": "not_applicable",
                "owner": dept,
                "na_justification": "Agreed in the workshop that this does not apply to a city "
                "of our size for now; to be reviewed next cycle.",
            }
        elif status == "in_progress":
            changes["progress"] = rng.choice([10, 25, 40, 50, 60, 75, 90])
        if status in {"achieved", "in_progress"}:
            changes["evidence"] = rng.choice(EVIDENCE).format(
                n=n, year=year, dept=dept, month=rng.choice(MONTHS)
            )
            if rng.random() < 0.3:
                changes["links"] = (
                    f"https://intranet.demo-city.example/resilience/{objective.code.lower()}"
                )
        note = rng.choice(NOTES).format(dept=dept)
        if note:
            changes["notes"] = note
        save_answer(answer=answer, user=user, changes=changes, source="demo")


def build_demo(*, admin: User | None = None) -> City:
    """Create the Demo City, or add the sample assessments it is missing: an older final
    cycle and a newer draft. Nothing that exists is changed or deleted."""
    with transaction.atomic():
        city, _ = City.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": DEMO_NAME})
        author = admin or User.objects.filter(is_superuser=True).order_by("pk").first()
        if author is not None:
            Membership.objects.get_or_create(city=city, user=author, defaults={"role": Role.ADMIN})
        author = author or User.objects.filter(memberships__city=city).order_by("pk").first()
        existing = {a.uuid: a for a in sample_assessments(city)}
        previous: Assessment | None = None
        for cycle, sample in enumerate(SAMPLES):
            assessment = existing.get(sample.uuid)
            if assessment is None:
                assessment = _make_sample(
                    city, sample, user=author, cycle=cycle, copy_from=previous
                )
            previous = assessment
    return city


def sample_assessments(city: City) -> list[Assessment]:
    """The demo's own sample assessments in ``city``, in cycle order."""
    ids = [sample.uuid for sample in SAMPLES]
    return list(Assessment.objects.filter(city=city, uuid__in=ids).order_by("date"))


def _make_sample(
    city: City, sample: Sample, *, user: User | None, cycle: int, copy_from: Assessment | None
) -> Assessment:
    assessment = start_assessment(
        city=city, user=user, title=sample.title, date=sample.date, copy_from=copy_from
    )
    Assessment.objects.filter(pk=assessment.pk).update(uuid=sample.uuid)
    assessment.uuid = sample.uuid
    _fill(assessment.pk, user=user, cycle=cycle, year=sample.date.year)
    if sample.final:
        assessment = finalize(assessment=assessment, user=user)
    return assessment
