"""Turn the engine's structured results into what the pages show, in the person's language.

The engine's own ``explanation`` strings are English; here the same sentences are composed
from the structured fields with gettext, and stage names come from the model's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from vertebra.explanations import (
    ahead_note,
    explain_group,
    explain_policy,
    stage_label,
)
from vertebra.maturity import Cell, GroupResult, PolicyResult, Profile, Shape


@lru_cache(maxsize=16)
def _cell_state_labels(language: str | None) -> dict[str, str]:
    del language  # only the cache key: pgettext below uses the active language
    return {
        "met": pgettext("matrix cell", "met"),
        "partly": pgettext("matrix cell", "partly"),
        "open": pgettext("matrix cell", "open"),
        "none": pgettext("matrix cell", "no objectives"),
    }


def cell_state_label(state: str) -> str:
    """In the active language (translated once per language)."""
    return _cell_state_labels(get_language())[state]


@dataclass(frozen=True)
class CellView:
    cell: Cell
    stage_name: str
    reached: bool

    @property
    def state(self) -> str:
        return self.cell.state

    @property
    def state_label(self) -> str:
        return cell_state_label(self.cell.state)

    @property
    def done(self) -> int:
        return self.cell.achieved + self.cell.not_applicable

    @property
    def described(self) -> str:
        if self.cell.total == 0:
            return _("%(stage)s: no objectives at this stage") % {"stage": self.stage_name}
        return _("%(stage)s: %(done)d of %(total)d done, %(state)s") % {
            "stage": self.stage_name,
            "done": self.done,
            "total": self.cell.total,
            "state": self.state_label,
        }


@dataclass(frozen=True)
class PolicyView:
    code: str
    name: str
    result: PolicyResult
    stage_name: str
    next_stage_name: str
    progress_percent: int | None
    explanation: str
    ahead: str
    cells: tuple[CellView, ...]
    url: str = ""  # the policy's page in the editor, where the page links to it


@dataclass(frozen=True)
class GapItem:
    """An objective the next stage needs, as the dashboard names it: code, title, link."""

    code: str
    title: str
    url: str


@dataclass(frozen=True)
class GroupView:
    code: str
    name: str
    result: GroupResult
    stage_name: str
    next_stage_name: str
    progress_percent: int | None
    explanation: str
    # With the objectives' titles: the sentence without the codes, and the objectives it names.
    summary: str = ""
    gaps: tuple[GapItem, ...] = ()


@dataclass(frozen=True)
class DimensionRows:
    group: GroupView
    policies: tuple[PolicyView, ...]


def _percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def policy_view(shape: Shape, result: PolicyResult, *, url: str = "") -> PolicyView:
    level = -1 if result.stage is None else shape.stage_index[result.stage]
    cells = tuple(
        CellView(cell, shape.stage_names[cell.stage], shape.stage_index[cell.stage] <= level)
        for cell in result.cells
    )
    return PolicyView(
        code=result.code,
        name=result.name,
        result=result,
        stage_name=stage_label(shape, result.stage),
        next_stage_name=shape.stage_names[result.next_stage] if result.next_stage else "",
        progress_percent=_percent(result.next_stage_progress),
        explanation=explain_policy(shape, result),
        ahead=ahead_note(shape, result),
        cells=cells,
        url=url,
    )


@dataclass(frozen=True)
class Objectives:
    """How to name objectives: their titles, and the address of each one's card."""

    titles: dict[str, str]
    url: Callable[[str], str]


def _summary(shape: Shape, result: GroupResult, subject: str) -> str:
    """The group's sentence with the number of objectives its next stage needs, not codes."""
    if result.next_stage is None:
        return ""
    values = {
        "subject": subject,
        "next": shape.stage_names[result.next_stage],
        "count": len(result.gaps),
    }
    if result.stage is None:
        return (
            _(
                "%(subject)s has not reached %(next)s yet; %(next)s needs these %(count)d "
                "objectives:"
            )
            % values
        )
    values["stage"] = shape.stage_names[result.stage]
    return _("%(subject)s stands at %(stage)s; %(next)s needs these %(count)d objectives:") % values


def group_view(
    shape: Shape,
    result: GroupResult,
    *,
    subject: str,
    name: str,
    objectives: Objectives | None = None,
) -> GroupView:
    gaps: tuple[GapItem, ...] = ()
    summary = ""
    if objectives is not None and result.gaps:
        summary = _summary(shape, result, subject)
        gaps = tuple(
            GapItem(code, objectives.titles.get(code, ""), objectives.url(code))
            for code in result.gaps
        )
    return GroupView(
        code=result.code,
        name=name,
        result=result,
        stage_name=stage_label(shape, result.stage),
        next_stage_name=shape.stage_names[result.next_stage] if result.next_stage else "",
        progress_percent=_percent(result.next_stage_progress),
        explanation=explain_group(shape, result, subject=subject),
        summary=summary,
        gaps=gaps,
    )


def overall_view(shape: Shape, prof: Profile, *, objectives: Objectives | None = None) -> GroupView:
    return group_view(
        shape, prof.overall, subject=_("The city"), name=_("Overall"), objectives=objectives
    )


def dimension_rows(
    shape: Shape,
    prof: Profile,
    *,
    policy_url: Callable[[str], str] | None = None,
    objectives: Objectives | None = None,
) -> list[DimensionRows]:
    rows = []
    for code in shape.dimension_codes:
        name = shape.dimension_name[code]
        group = group_view(
            shape, prof.dimensions[code], subject=name, name=name, objectives=objectives
        )
        policies = tuple(
            policy_view(shape, prof.policies[p], url=policy_url(p) if policy_url else "")
            for p in shape.dimension_policies[code]
        )
        rows.append(DimensionRows(group, policies))
    return rows


def stages(shape: Shape) -> list[tuple[str, str]]:
    return [(code, shape.stage_names[code]) for code in shape.stage_codes]


def coverage_percent(prof: Profile) -> int:
    return round(prof.answered * 100 / prof.total) if prof.total else 0
