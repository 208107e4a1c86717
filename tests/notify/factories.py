"""Two cities with their people, a draft in each: what the notification tests share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vertebra.accounts.models import User
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Answer, Assessment
from vertebra.cities.models import City, Membership, Role


@dataclass
class Cities:
    porto: City
    riga: City
    porto_draft: Assessment
    riga_draft: Assessment
    ana: User  # editor in Porto
    bruno: User  # contributor in Porto
    carla: User  # viewer in Porto and admin in Riga
    dmitri: User  # admin in Riga only

    def answer(self, assessment: Assessment, code: str = "L1S1") -> Answer:
        return assessment.answers.select_related("assessment", "objective").get(
            objective__code=code
        )


def person(email: str, name: str = "") -> User:
    return User.objects.create_user(email, "pw", name=name)


def make_cities() -> Cities:
    porto = City.objects.create(slug="porto", name="Porto")
    riga = City.objects.create(slug="riga", name="Riga")
    ana = person("ana@porto.example", "Ana Lopes")
    bruno = person("bruno@porto.example", "Bruno")
    carla = person("carla@both.example", "Carla Dias")
    dmitri = person("dmitri@riga.example", "Dmitri")
    for city, user, role in (
        (porto, ana, Role.EDITOR),
        (porto, bruno, Role.CONTRIBUTOR),
        (porto, carla, Role.VIEWER),
        (riga, carla, Role.ADMIN),
        (riga, dmitri, Role.ADMIN),
    ):
        Membership.objects.create(city=city, user=user, role=role)
    date = dt.date(2026, 3, 1)
    return Cities(
        porto=porto,
        riga=riga,
        porto_draft=create_assessment(city=porto, user=ana, title="Porto 2026", date=date),
        riga_draft=create_assessment(city=riga, user=dmitri, title="Riga 2026", date=date),
        ana=ana,
        bruno=bruno,
        carla=carla,
        dmitri=dmitri,
    )


def own(c: Cities, assessment: Assessment, code: str, owner: str) -> Answer:
    """Name someone responsible for an objective, as the editor's Responsible field does."""
    from vertebra.assessments.domain import save_answer

    answer = c.answer(assessment, code)
    save_answer(answer=answer, user=None, changes={"owner": owner}, source="test")
    return answer


def action(assessment: Assessment, owner: User | None, title: str, due: dt.date, **more):  # type: ignore[no-untyped-def]
    from vertebra.planning.domain import create_action

    data = {"title": title, "due_date": due, "owner_user": owner, **more}
    return create_action(assessment=assessment, user=None, data=data, source="test")


def invite(city: City, email: str, *, by: User | None = None, days: int = 7, **more):  # type: ignore[no-untyped-def]
    import secrets

    from django.utils import timezone

    from vertebra.cities.models import Invitation

    return Invitation.objects.create(
        city=city,
        email=email,
        role=Role.EDITOR,
        token_digest=secrets.token_hex(32),
        invited_by=by,
        expires_at=timezone.now() + dt.timedelta(days=days),
        **more,
    )
