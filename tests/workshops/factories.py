"""Workshops that happened: opened, joined, rated, agreed and closed, for the tests of what
stays after them (pages, API, exports, the PDF's annex)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vertebra.accounts.models import User
from vertebra.assessments.models import Assessment
from vertebra.workshops import domain
from vertebra.workshops.models import Workshop

EMERGENCY = "Emergency services"
MEDIA = "Media"
COMPANIES = "Public and private companies"


def open_workshop(
    assessment: Assessment,
    title: str,
    date: dt.date,
    *,
    types: tuple[str, ...] = (EMERGENCY, MEDIA),
    anonymous: bool = False,
    policies: tuple[str, ...] = ("L1",),
) -> Workshop:
    return domain.create_workshop(
        assessment=assessment,
        user=None,
        data={
            "title": title,
            "date": date,
            "policies": list(policies),
            "stakeholder_types": list(types),
            "anonymous": anonymous,
        },
    )


def rated(
    workshop: Workshop, name: str, kind: str, ratings: dict[str, tuple[str, int | None, str]]
) -> None:
    """A participant joins and rates: code to (status, progress, comment)."""
    participant, _key = domain.join(
        workshop=workshop,
        data={"name": name, "stakeholder_type": kind},
        address=f"10.9.{len(name)}.{len(kind)}",
    )
    for code, (status, progress, comment) in ratings.items():
        domain.rate(
            participant=participant,
            code=code,
            data={"status": status, "progress": progress, "comment": comment},
        )


def agree(
    workshop: Workshop,
    user: User | None,
    code: str,
    status: str,
    progress: int | None = None,
    note: str = "",
) -> None:
    domain.record_consensus(
        workshop=workshop,
        user=user,
        answers=[domain.AgreedAnswer(code, status, progress, note)],
    )


@dataclass
class Held:
    named: Workshop
    anonymous: Workshop


def two_workshops(assessment: Assessment, user: User | None) -> Held:
    """Leadership (4 May 2026, names shown): Ana Quintela (Emergency services) and Rui Baptista (Media) rate
    L1S1 and L1S2; L1S1 agreed achieved, then closed. Finance (5 June 2026, anonymous):
    "Secret Person" (Media) rates L1S1; L1S2 agreed in progress 40; still open."""
    named = open_workshop(assessment, "Leadership", dt.date(2026, 5, 4))
    rated(
        named,
        "Ana Quintela",
        EMERGENCY,
        {"L1S1": ("achieved", None, "Adopted in March"), "L1S2": ("in_progress", 30, "")},
    )
    rated(
        named,
        "Rui Baptista",
        MEDIA,
        {"L1S1": ("achieved", None, ""), "L1S2": ("not_started", None, "=not yet")},
    )
    agree(named, user, "L1S1", "achieved", note="Plan adopted.")
    domain.close(workshop=named)
    anonymous = open_workshop(assessment, "Finance", dt.date(2026, 6, 5), anonymous=True)
    rated(anonymous, "Secret Person", MEDIA, {"L1S1": ("unknown", None, "No idea")})
    agree(anonymous, user, "L1S2", "in_progress", 40, "Budget pending.")
    named.refresh_from_db()
    return Held(named, anonymous)
