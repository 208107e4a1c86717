"""City scoping for the API: the caller's token stands for its person in ``vertebra.access``."""

from __future__ import annotations

import uuid

from django.http import HttpRequest

from vertebra import access
from vertebra.access import Load, Verb
from vertebra.api.auth import caller, checked_membership
from vertebra.assessments.models import Assessment
from vertebra.cities.models import Membership


def membership(request: HttpRequest, city_slug: str, *, verb: Verb = Verb.VIEW) -> Membership:
    """The caller's membership, or 404 for a city they do not belong to (or that does not exist).

    A writing operation's authentication looked it up already (vertebra.api.auth): reused."""
    member = checked_membership(request, city_slug)
    if member is not None:
        access.require(member, verb)
        return member
    return access.membership_in(caller(request), city_slug, verb=verb)


def assessment_in(
    member: Membership, assessment_id: uuid.UUID, *, verb: Verb = Verb.VIEW
) -> Assessment:
    """The member's assessment with what the API shows of it (404 elsewhere, 403 by role)."""
    return access.scoped(member, assessment_id, verb=verb, load=Load.DETAIL).assessment
