"""City scoping for the API: everything is reached through vertebra.cities.scoping."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from vertebra.api.auth import caller
from vertebra.assessments.models import Assessment
from vertebra.cities.models import Membership
from vertebra.cities.scoping import membership_for


def membership(request: HttpRequest, city_slug: str) -> Membership:
    """The caller's membership, or 404 for a city they do not belong to (or that does not exist)."""
    return membership_for(user=caller(request), city_slug=city_slug)


def assessment_in(member: Membership, assessment_id: uuid.UUID) -> Assessment:
    try:
        assessment = (
            Assessment.objects.with_framework()
            .select_related("previous", "created_by", "finalized_by")
            .defer("previous__snapshot")
            .get(city=member.city, uuid=assessment_id)
        )
    except Assessment.DoesNotExist:
        raise Http404(_("No such assessment in this city.")) from None
    assessment.city = member.city
    return assessment
