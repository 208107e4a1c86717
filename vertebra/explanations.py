"""The engine's results as translated sentences, in the active language.

:mod:`vertebra.maturity` imports no Django and writes its explanations in English; the pages,
the reports and ``vertebra assess`` compose the same sentences here from the structured fields,
with gettext, and the stage names from the model's data.
"""

from __future__ import annotations

from collections.abc import Sequence

from vertebra.i18n import gettext as _
from vertebra.maturity import GroupResult, PolicyResult, Shape

__all__ = [
    "ahead_note",
    "explain",
    "explain_group",
    "explain_policy",
    "join_list",
    "stage_label",
]


def join_list(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C" in the active language."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def stage_label(shape: Shape, code: str | None) -> str:
    if code is None:
        return _("No stage yet")
    return shape.stage_names[code]


def explain(
    shape: Shape,
    *,
    subject: str,
    stage: str | None,
    next_stage: str | None,
    gaps: Sequence[str],
) -> str:
    """One sentence: where the subject stands and what its next stage needs."""
    if next_stage is None:
        return _("%(subject)s stands at %(stage)s, the top stage.") % {
            "subject": subject,
            "stage": stage_label(shape, stage),
        }
    values = {
        "subject": subject,
        "next": shape.stage_names[next_stage],
        "gaps": join_list(list(gaps)),
    }
    if stage is None:
        return _("%(subject)s has not reached %(next)s yet; %(next)s needs %(gaps)s.") % values
    values["stage"] = shape.stage_names[stage]
    return _("%(subject)s stands at %(stage)s; %(next)s needs %(gaps)s.") % values


def explain_policy(shape: Shape, result: PolicyResult) -> str:
    return explain(
        shape,
        subject=result.code,
        stage=result.stage,
        next_stage=result.next_stage,
        gaps=result.gaps,
    )


def explain_group(shape: Shape, result: GroupResult, *, subject: str) -> str:
    return explain(
        shape,
        subject=subject,
        stage=result.stage,
        next_stage=result.next_stage,
        gaps=result.gaps,
    )


def ahead_note(shape: Shape, result: PolicyResult) -> str:
    """Achieved objectives above the next stage: they will count once the stages below are met."""
    if not result.ahead_of_order or result.next_stage is None:
        return ""
    return _("%(codes)s already achieved; they count once %(next)s is met.") % {
        "codes": join_list(list(result.ahead_of_order)),
        "next": shape.stage_names[result.next_stage],
    }
