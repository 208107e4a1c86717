"""An assessment seen through the shipped crosswalks: for each item of another reference (such
as the UNDRR Ten Essentials), its linked objectives and how many are achieved. The page, the API
and the PDF report all show this."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import get_language

from vertebra.assessments.models import Answer, AnswerStatus, Assessment
from vertebra.frameworks.crosswalk import Crosswalk, ItemView, crosswalks_for, reference_view
from vertebra.frameworks.domain import objective_titles


@dataclass(frozen=True)
class ReferenceReport:
    crosswalk: Crosswalk
    items: list[ItemView]

    @property
    def linked(self) -> int:
        return len({o.code for item in self.items for o in item.objectives})


def crosswalks_of(assessment: Assessment) -> list[Crosswalk]:
    """The crosswalks of the assessment's model version, in the active language."""
    fv = assessment.framework_version
    return crosswalks_for(fv.framework_id, fv.version, get_language() or "en")


def statuses_of(assessment: Assessment) -> dict[str, str]:
    """Each answered objective's status (``assessment`` comes through vertebra.access)."""
    return dict(
        Answer.objects.filter(assessment=assessment)
        .exclude(status=AnswerStatus.NOT_STARTED)
        .values_list("objective__code", "status")
        .order_by()
    )


def reference_reports(
    assessment: Assessment,
    *,
    statuses: Mapping[str, str] | None = None,
    only: str | None = None,
) -> list[ReferenceReport]:
    """The assessment through each crosswalk of its model version (or only the one named)."""
    crosswalks = [c for c in crosswalks_of(assessment) if only is None or c.id == only]
    if not crosswalks:
        return []
    if statuses is None:
        statuses = statuses_of(assessment)
    titles = objective_titles(assessment.framework_version)
    return [
        ReferenceReport(
            crosswalk,
            reference_view(
                crosswalk,
                objective_order=list(titles),
                titles=titles,
                statuses=statuses,
            ),
        )
        for crosswalk in crosswalks
    ]
