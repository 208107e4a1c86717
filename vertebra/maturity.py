"""The maturity engine: derive stages, progress, gaps and explanations from objective statuses.

Pure Python (standard library only). It knows nothing of Django, YAML or pydantic: callers turn
a maturity model into a :class:`Shape` once, then call :func:`profile` with a mapping of objective
code to status. The rule is written out for people in docs/SCORING.md:

* an objective is *done* when it is achieved or not applicable;
* a policy stands at the highest stage k such that every objective of that policy at stage k or
  below is done (a stage without objectives is met vacuously); if its lowest stage is not met, it
  has no stage (``None``);
* a dimension, and the city overall, follow the same rule over all of their objectives, which is
  the lowest stage among their policies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "STATUSES",
    "Cell",
    "GroupResult",
    "PolicyResult",
    "Profile",
    "Shape",
    "Status",
    "explain",
    "join_codes",
    "profile",
    "progress_ratio",
]


class Status(StrEnum):
    """The status of one objective in an assessment."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    NOT_APPLICABLE = "not_applicable"


STATUSES: tuple[str, ...] = tuple(status.value for status in Status)

_STATUS_SET = frozenset(STATUSES)
_ACHIEVED = Status.ACHIEVED.value
_NOT_APPLICABLE = Status.NOT_APPLICABLE.value
_IN_PROGRESS = Status.IN_PROGRESS.value
_DONE = frozenset((_ACHIEVED, _NOT_APPLICABLE))

OVERALL_CODE = "overall"
OVERALL_NAME = "Overall"
_OVERALL_SUBJECT = "The city"

_Codes = tuple[str, ...]


def _unique(kind: str, codes: Sequence[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {kind} code {code!r}")
        seen.add(code)


@dataclass(frozen=True, slots=True, eq=False)
class Shape:
    """The structure of a maturity model as the engine needs it, with precomputed indices.

    Build it with :meth:`from_lists`. All attributes are read-only; the per-stage tuples are
    indexed by stage position (``stage_index``), lowest stage first, and keep model order.
    """

    stage_codes: _Codes
    stage_names: Mapping[str, str]
    stage_index: Mapping[str, int]
    dimension_codes: _Codes
    dimension_name: Mapping[str, str]
    dimension_policies: Mapping[str, _Codes]
    policy_codes: _Codes
    policy_name: Mapping[str, str]
    policy_dimension: Mapping[str, str]
    policy_objectives: Mapping[str, _Codes]
    objective_codes: _Codes
    objective_policy: Mapping[str, str]
    objective_stage: Mapping[str, str]
    policy_stage_objectives: Mapping[str, tuple[_Codes, ...]]
    dimension_stage_objectives: Mapping[str, tuple[_Codes, ...]]
    stage_objectives: tuple[_Codes, ...]

    @classmethod
    def from_lists(
        cls,
        *,
        stages: Sequence[tuple[str, str]],
        dimensions: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
        objectives: Sequence[tuple[str, str, str]],
    ) -> Shape:
        """Build a shape from plain lists, lowest stage first and everything in model order.

        Raises ValueError on inconsistent input: no stages, a duplicate code, or an objective
        naming an unknown policy or stage.
        """
        if not stages:
            raise ValueError("a maturity model needs at least one stage")
        stage_codes = tuple(code for code, _ in stages)
        _unique("stage", stage_codes)
        stage_index = {code: index for index, code in enumerate(stage_codes)}
        dimension_codes = tuple(code for code, _, _ in dimensions)
        _unique("dimension", dimension_codes)
        policy_name: dict[str, str] = {}
        policy_dimension: dict[str, str] = {}
        dimension_policies: dict[str, _Codes] = {}
        for dimension_code, _, policies in dimensions:
            for policy_code, name in policies:
                if policy_code in policy_name:
                    raise ValueError(f"duplicate policy code {policy_code!r}")
                policy_name[policy_code] = name
                policy_dimension[policy_code] = dimension_code
            dimension_policies[dimension_code] = tuple(code for code, _ in policies)
        objective_codes = tuple(code for code, _, _ in objectives)
        _unique("objective", objective_codes)
        count = len(stage_codes)
        by_policy: dict[str, list[list[str]]] = {p: [[] for _ in range(count)] for p in policy_name}
        by_dimension: dict[str, list[list[str]]] = {
            d: [[] for _ in range(count)] for d in dimension_codes
        }
        by_stage: list[list[str]] = [[] for _ in range(count)]
        for code, policy, stage in objectives:
            if policy not in policy_name:
                raise ValueError(f"objective {code!r} names unknown policy {policy!r}")
            if stage not in stage_index:
                raise ValueError(f"objective {code!r} names unknown stage {stage!r}")
            index = stage_index[stage]
            by_policy[policy][index].append(code)
            by_dimension[policy_dimension[policy]][index].append(code)
            by_stage[index].append(code)
        policy_stage_objectives = {p: tuple(map(tuple, lists)) for p, lists in by_policy.items()}
        return cls(
            stage_codes=stage_codes,
            stage_names=MappingProxyType(dict(stages)),
            stage_index=MappingProxyType(stage_index),
            dimension_codes=dimension_codes,
            dimension_name=MappingProxyType({code: name for code, name, _ in dimensions}),
            dimension_policies=MappingProxyType(dimension_policies),
            policy_codes=tuple(policy_name),
            policy_name=MappingProxyType(policy_name),
            policy_dimension=MappingProxyType(policy_dimension),
            policy_objectives=MappingProxyType(
                {p: tuple(c for c, policy, _ in objectives if policy == p) for p in policy_name}
            ),
            objective_codes=objective_codes,
            objective_policy=MappingProxyType({code: policy for code, policy, _ in objectives}),
            objective_stage=MappingProxyType({code: stage for code, _, stage in objectives}),
            policy_stage_objectives=MappingProxyType(policy_stage_objectives),
            dimension_stage_objectives=MappingProxyType(
                {d: tuple(map(tuple, lists)) for d, lists in by_dimension.items()}
            ),
            stage_objectives=tuple(map(tuple, by_stage)),
        )


@dataclass(frozen=True, slots=True)
class Cell:
    """One policy x stage cell of the maturity matrix.

    ``state`` is "none" (no objectives at that stage), "met" (all done), "partly" (some done or in
    progress) or "open" (nothing done or in progress). A cell can be met while its policy has not
    reached that stage, because a lower stage is still open.
    """

    stage: str
    total: int
    achieved: int
    not_applicable: int
    in_progress: int
    state: str


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """Where one policy stands, what it needs next and, with a target, what it needs to get there."""

    code: str
    name: str
    dimension: str
    stage: str | None
    next_stage: str | None
    next_stage_progress: float | None
    gaps: _Codes
    ahead_of_order: _Codes
    cells: tuple[Cell, ...]
    target: str | None
    to_target: _Codes
    explanation: str


@dataclass(frozen=True, slots=True)
class GroupResult:
    """Where a dimension, or the city overall (code "overall"), stands."""

    code: str
    name: str
    stage: str | None
    next_stage: str | None
    next_stage_progress: float | None
    gaps: _Codes
    explanation: str


@dataclass(frozen=True, slots=True)
class Profile:
    """The full result of :func:`profile`: overall, per dimension and per policy, in model order."""

    overall: GroupResult
    dimensions: dict[str, GroupResult]
    policies: dict[str, PolicyResult]
    answered: int
    total: int

    def to_json(self, *, framework: str, version: int) -> dict[str, object]:
        """A JSON-ready summary; stages are codes or None."""
        policies: dict[str, object] = {}
        for code, result in self.policies.items():
            entry: dict[str, object] = {
                "stage": result.stage,
                "next_stage": result.next_stage,
                "next_stage_progress": result.next_stage_progress,
                "gaps": list(result.gaps),
                "explanation": result.explanation,
            }
            if result.target is not None:
                entry["target"] = result.target
                entry["to_target"] = list(result.to_target)
            policies[code] = entry
        return {
            "framework": framework,
            "version": version,
            "overall": {"stage": self.overall.stage},
            "dimensions": {code: {"stage": d.stage} for code, d in self.dimensions.items()},
            "policies": policies,
        }


def join_codes(items: Sequence[str]) -> str:
    """Join for an English sentence: "A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def explain(subject: str, stage: str | None, next_stage: str | None, gaps: Sequence[str]) -> str:
    """The English sentence for a result; stage names (not codes) go in.

    The web layer composes translated sentences from the structured fields instead.
    """
    if next_stage is None:
        return f"{subject} stands at {stage}, the top stage."
    if stage is None:
        return f"{subject} has not reached {next_stage} yet; {next_stage} needs {join_codes(gaps)}."
    return f"{subject} stands at {stage}; {next_stage} needs {join_codes(gaps)}."


def progress_ratio(achieved: int, applicable: int) -> float:
    """Achieved over applicable objectives, rounded to 4 decimals; 1.0 when none apply."""
    if applicable == 0:
        return 1.0
    return round(achieved / applicable, 4)


def _check(shape: Shape, statuses: Mapping[str, str], targets: Mapping[str, str]) -> None:
    unknown = statuses.keys() - shape.objective_stage.keys()
    if unknown:
        raise ValueError(f"unknown objective code(s): {', '.join(sorted(unknown))}")
    values = set(statuses.values())
    if not values <= _STATUS_SET:
        bad = sorted(str(value) for value in values - _STATUS_SET)
        raise ValueError(f"unknown status(es): {', '.join(bad)}")
    for policy, stage in targets.items():
        if policy not in shape.policy_name:
            raise ValueError(f"target for unknown policy {policy!r}")
        if stage not in shape.stage_index:
            raise ValueError(f"unknown target stage {stage!r} for policy {policy!r}")


def _cell(stage: str, codes: _Codes, statuses: Mapping[str, str]) -> Cell:
    achieved = not_applicable = in_progress = 0
    for code in codes:
        status = statuses.get(code)
        if status == _ACHIEVED:
            achieved += 1
        elif status == _NOT_APPLICABLE:
            not_applicable += 1
        elif status == _IN_PROGRESS:
            in_progress += 1
    total = len(codes)
    if total == 0:
        state = "none"
    elif achieved + not_applicable == total:
        state = "met"
    elif achieved or not_applicable or in_progress:
        state = "partly"
    else:
        state = "open"
    return Cell(stage, total, achieved, not_applicable, in_progress, state)


def _not_done(codes: _Codes, statuses: Mapping[str, str]) -> list[str]:
    return [code for code in codes if statuses.get(code) not in _DONE]


def _policy(
    shape: Shape, code: str, statuses: Mapping[str, str], target: str | None
) -> PolicyResult:
    stage_codes = shape.stage_codes
    per_stage = shape.policy_stage_objectives[code]
    cells = [_cell(stage, codes, statuses) for stage, codes in zip(stage_codes, per_stage)]
    level = -1
    for cell in cells:
        if cell.achieved + cell.not_applicable != cell.total:
            break
        level += 1
    nxt = level + 1
    stage = stage_codes[level] if level >= 0 else None
    names = shape.stage_names
    if nxt < len(stage_codes):
        next_stage: str | None = stage_codes[nxt]
        cell = cells[nxt]
        progress: float | None = progress_ratio(cell.achieved, cell.total - cell.not_applicable)
        gaps = tuple(_not_done(per_stage[nxt], statuses))
        ahead = tuple(
            c for codes in per_stage[nxt + 1 :] for c in codes if statuses.get(c) == _ACHIEVED
        )
        explanation = explain(code, names[stage] if stage else None, names[stage_codes[nxt]], gaps)
    else:
        next_stage = progress = None
        gaps = ahead = ()
        explanation = explain(code, names[stage_codes[level]], None, ())
    to_target: _Codes = ()
    if target is not None:
        upto = shape.stage_index[target]
        if upto > level:
            to_target = tuple(
                c for codes in per_stage[: upto + 1] for c in _not_done(codes, statuses)
            )
    return PolicyResult(
        code=code,
        name=shape.policy_name[code],
        dimension=shape.policy_dimension[code],
        stage=stage,
        next_stage=next_stage,
        next_stage_progress=progress,
        gaps=gaps,
        ahead_of_order=ahead,
        cells=tuple(cells),
        target=target,
        to_target=to_target,
        explanation=explanation,
    )


def _group(
    shape: Shape,
    code: str,
    name: str,
    subject: str,
    members: Sequence[PolicyResult],
    per_stage: tuple[_Codes, ...],
    statuses: Mapping[str, str],
) -> GroupResult:
    stage_codes = shape.stage_codes
    top = len(stage_codes) - 1
    level = top
    for member in members:
        member_level = -1 if member.stage is None else shape.stage_index[member.stage]
        level = min(level, member_level)
    stage = stage_codes[level] if level >= 0 else None
    names = shape.stage_names
    if level == top:
        return GroupResult(
            code, name, stage, None, None, (), explain(subject, names[stage_codes[top]], None, ())
        )
    nxt = level + 1
    achieved = applicable = 0
    for member in members:
        cell = member.cells[nxt]
        achieved += cell.achieved
        applicable += cell.total - cell.not_applicable
    gaps = tuple(_not_done(per_stage[nxt], statuses))
    next_name = names[stage_codes[nxt]]
    explanation = explain(subject, names[stage] if stage else None, next_name, gaps)
    return GroupResult(
        code, name, stage, stage_codes[nxt], progress_ratio(achieved, applicable), gaps, explanation
    )


def profile(
    shape: Shape, statuses: Mapping[str, str], *, targets: Mapping[str, str] | None = None
) -> Profile:
    """Derive the full maturity profile of one assessment.

    ``statuses`` maps objective codes to status values; a missing code is not_started.
    ``targets`` maps policy codes to the stage code the city aims for. Unknown objective codes,
    statuses, target policies or target stages raise ValueError naming them.
    """
    targets = targets or {}
    _check(shape, statuses, targets)
    policies: dict[str, PolicyResult] = {}
    for code in shape.policy_codes:
        policies[code] = _policy(shape, code, statuses, targets.get(code))
    dimensions = {
        code: _group(
            shape,
            code,
            shape.dimension_name[code],
            shape.dimension_name[code],
            [policies[p] for p in shape.dimension_policies[code]],
            shape.dimension_stage_objectives[code],
            statuses,
        )
        for code in shape.dimension_codes
    }
    overall = _group(
        shape,
        OVERALL_CODE,
        OVERALL_NAME,
        _OVERALL_SUBJECT,
        list(policies.values()),
        shape.stage_objectives,
        statuses,
    )
    return Profile(
        overall=overall,
        dimensions=dimensions,
        policies=policies,
        answered=len(statuses),
        total=len(shape.objective_codes),
    )
