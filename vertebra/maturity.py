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

:func:`profile` is on the hot path (dashboards, benchmarks of many cities), so :class:`Shape`
precomputes a flat layout of the objectives (by policy, then stage, then model order) and
:func:`profile` works on a byte string of statuses in that layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress
from types import MappingProxyType

__all__ = [
    "OVERALL_CODE",
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

OVERALL_CODE = "overall"
OVERALL_NAME = "Overall"
_OVERALL_SUBJECT = "The city"

_Codes = tuple[str, ...]

# ---------------------------------------------------------------------------------------------
# Results


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
    """Where one policy stands, what it needs next and, with a target, what it needs to get there.

    ``gaps`` are the objectives at ``next_stage`` that are not done, in model order.
    ``ahead_of_order`` are achieved objectives at stages above ``next_stage`` (they count once the
    stages below are met). ``to_target`` are the objectives at ``target`` or below that are not
    done. Both are ordered by stage, then model order.
    """

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


# ---------------------------------------------------------------------------------------------
# Sentences


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
    """Achieved over applicable objectives, rounded to 4 decimals; 1.0 when none apply.

    Under the staged rule the next stage always has an open objective, so :func:`profile` never
    meets the 1.0 case; it is kept so that the function is total.
    """
    if applicable == 0:
        return 1.0
    return round(achieved / applicable, 4)


# ---------------------------------------------------------------------------------------------
# Shape

# Status bytes in the flat layout; a missing answer is not started.
_NOT_STARTED, _IN_PROGRESS, _ACHIEVED, _NOT_APPLICABLE = 0, 1, 2, 3
_STATUS_BYTE: dict[str | None, int] = {
    None: _NOT_STARTED,
    Status.NOT_STARTED.value: _NOT_STARTED,
    Status.IN_PROGRESS.value: _IN_PROGRESS,
    Status.ACHIEVED.value: _ACHIEVED,
    Status.NOT_APPLICABLE.value: _NOT_APPLICABLE,
}
_OPEN_TABLE = bytes(1 if b in (_NOT_STARTED, _IN_PROGRESS) else 0 for b in range(256))
_ACHIEVED_TABLE = bytes(1 if b == _ACHIEVED else 0 for b in range(256))
_CELL_CACHE_LIMIT = 1 << 16


@dataclass(frozen=True, slots=True)
class _PolicyPlan:
    code: str
    name: str
    dimension: str
    start: int  # the policy's objectives are flat[start:end]
    end: int
    # per stage: (interned cells, stage code, start, end); the cell's objectives are flat[start:end]
    slots: tuple[tuple[dict[bytes, Cell], str, int, int], ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    flat: _Codes  # objective codes by policy (model order), then stage, then model order
    stage_at: tuple[int, ...]  # stage index of each flat position
    policies: tuple[_PolicyPlan, ...]
    dimension_members: tuple[tuple[int, ...], ...]  # per dimension: indices into policies
    model_position: Mapping[str, int]
    codes: frozenset[str]
    cell_cache: tuple[dict[bytes, Cell], ...]  # per stage: status bytes -> interned Cell

    @classmethod
    def build(cls, shape: Shape) -> _Plan:
        flat: list[str] = []
        stage_at: list[int] = []
        policies: list[_PolicyPlan] = []
        caches: tuple[dict[bytes, Cell], ...] = tuple({} for _ in shape.stage_codes)
        for policy in shape.policy_codes:
            start = len(flat)
            slots = []
            for index, codes in enumerate(shape.policy_stage_objectives[policy]):
                stage = shape.stage_codes[index]
                slots.append((caches[index], stage, len(flat), len(flat) + len(codes)))
                flat.extend(codes)
                stage_at.extend([index] * len(codes))
            policies.append(
                _PolicyPlan(
                    policy,
                    shape.policy_name[policy],
                    shape.policy_dimension[policy],
                    start,
                    len(flat),
                    tuple(slots),
                )
            )
        order = {policy: index for index, policy in enumerate(shape.policy_codes)}
        return cls(
            flat=tuple(flat),
            stage_at=tuple(stage_at),
            policies=tuple(policies),
            dimension_members=tuple(
                tuple(order[p] for p in shape.dimension_policies[d]) for d in shape.dimension_codes
            ),
            model_position=MappingProxyType(
                {code: index for index, code in enumerate(shape.objective_codes)}
            ),
            codes=frozenset(shape.objective_codes),
            cell_cache=caches,
        )


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
    _plan: _Plan = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan", _Plan.build(self))

    @classmethod
    def from_lists(
        cls,
        *,
        stages: Sequence[tuple[str, str]],
        dimensions: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
        objectives: Sequence[tuple[str, str, str]],
    ) -> Shape:
        """Build a shape from plain lists, lowest stage first and everything in model order.

        ``stages`` are (code, name); ``dimensions`` are (code, name, [(policy code, policy name)]);
        ``objectives`` are (objective code, policy code, stage code). Raises ValueError on
        inconsistent input: no stages, a duplicate code, or an objective naming an unknown policy
        or stage.
        """
        if not stages:
            raise ValueError("a maturity model needs at least one stage")
        stage_codes = tuple(code for code, _ in stages)
        _unique("stage", stage_codes)
        stage_index = {code: index for index, code in enumerate(stage_codes)}
        dimension_codes = tuple(code for code, _, _ in dimensions)
        _unique("dimension", dimension_codes)
        _unique("policy", [code for _, _, policies in dimensions for code, _ in policies])
        policy_name = {code: name for _, _, policies in dimensions for code, name in policies}
        policy_dimension = {code: d for d, _, policies in dimensions for code, _ in policies}
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
        return cls(
            stage_codes=stage_codes,
            stage_names=MappingProxyType(dict(stages)),
            stage_index=MappingProxyType(stage_index),
            dimension_codes=dimension_codes,
            dimension_name=MappingProxyType({code: name for code, name, _ in dimensions}),
            dimension_policies=MappingProxyType(
                {code: tuple(p for p, _ in policies) for code, _, policies in dimensions}
            ),
            policy_codes=tuple(policy_name),
            policy_name=MappingProxyType(policy_name),
            policy_dimension=MappingProxyType(policy_dimension),
            policy_objectives=MappingProxyType(
                {p: tuple(c for c, policy, _ in objectives if policy == p) for p in policy_name}
            ),
            objective_codes=objective_codes,
            objective_policy=MappingProxyType({code: policy for code, policy, _ in objectives}),
            objective_stage=MappingProxyType({code: stage for code, _, stage in objectives}),
            policy_stage_objectives=MappingProxyType(
                {p: tuple(map(tuple, lists)) for p, lists in by_policy.items()}
            ),
            dimension_stage_objectives=MappingProxyType(
                {d: tuple(map(tuple, lists)) for d, lists in by_dimension.items()}
            ),
            stage_objectives=tuple(map(tuple, by_stage)),
        )


# ---------------------------------------------------------------------------------------------
# Profile


def _check(shape: Shape, statuses: Mapping[str, str], targets: Mapping[str, str]) -> None:
    unknown = statuses.keys() - shape._plan.codes
    if unknown:
        raise ValueError(f"unknown objective code(s): {', '.join(sorted(unknown))}")
    for policy, stage in targets.items():
        if policy not in shape.policy_name:
            raise ValueError(f"target for unknown policy {policy!r}")
        if stage not in shape.stage_index:
            raise ValueError(f"unknown target stage {stage!r} for policy {policy!r}")


def _status_bytes(plan: _Plan, statuses: Mapping[str, str]) -> bytes:
    try:
        return bytes(map(_STATUS_BYTE.__getitem__, map(statuses.get, plan.flat)))
    except KeyError as error:
        raise ValueError(f"unknown status {error.args[0]!r}") from None


def _new_cell(cache: dict[bytes, Cell], stage: str, key: bytes) -> Cell:
    total = len(key)
    achieved = key.count(_ACHIEVED)
    not_applicable = key.count(_NOT_APPLICABLE)
    in_progress = key.count(_IN_PROGRESS)
    if total == 0:
        state = "none"
    elif achieved + not_applicable == total:
        state = "met"
    elif achieved or not_applicable or in_progress:
        state = "partly"
    else:
        state = "open"
    cell = Cell(stage, total, achieved, not_applicable, in_progress, state)
    if len(cache) < _CELL_CACHE_LIMIT:
        cache[key] = cell
    return cell


def _policy(
    shape: Shape, plan: _PolicyPlan, raw: bytes, opened: bytes, achieved: bytes, target: str | None
) -> tuple[int, PolicyResult]:
    """The policy's stage index (-1 for none) and its result."""
    cells = []
    for cache, stage_code, start, end in plan.slots:
        key = raw[start:end]
        cells.append(cache.get(key) or _new_cell(cache, stage_code, key))
    first_open = opened.find(1, plan.start, plan.end)
    stage_codes = shape.stage_codes
    top = len(stage_codes) - 1
    level = top if first_open < 0 else shape._plan.stage_at[first_open] - 1
    stage = stage_codes[level] if level >= 0 else None
    flat = shape._plan.flat
    to_target: _Codes = ()
    if target is not None and shape.stage_index[target] > level:
        end = plan.slots[shape.stage_index[target]][3]
        to_target = tuple(compress(flat[plan.start : end], opened[plan.start : end]))
    next_stage = progress = None
    gaps: _Codes = ()
    ahead: _Codes = ()
    if level < top:
        nxt = level + 1
        next_stage = stage_codes[nxt]
        _, _, start, end = plan.slots[nxt]
        gaps = tuple(compress(flat[start:end], opened[start:end]))
        ahead = tuple(compress(flat[end : plan.end], achieved[end : plan.end]))
        cell = cells[nxt]
        progress = progress_ratio(cell.achieved, cell.total - cell.not_applicable)
    names = shape.stage_names
    result = PolicyResult(
        code=plan.code,
        name=plan.name,
        dimension=plan.dimension,
        stage=stage,
        next_stage=next_stage,
        next_stage_progress=progress,
        gaps=gaps,
        ahead_of_order=ahead,
        cells=tuple(cells),
        target=target,
        to_target=to_target,
        explanation=explain(
            plan.code,
            names[stage] if stage else None,
            names[next_stage] if next_stage else None,
            gaps,
        ),
    )
    return level, result


def _group(
    shape: Shape,
    code: str,
    name: str,
    subject: str,
    members: Sequence[int],
    levels: Sequence[int],
    results: Sequence[PolicyResult],
) -> GroupResult:
    stage_codes = shape.stage_codes
    names = shape.stage_names
    top = len(stage_codes) - 1
    level = min(map(levels.__getitem__, members), default=top)
    stage = stage_codes[level] if level >= 0 else None
    if level == top:
        explanation = explain(subject, names[stage_codes[top]], None, ())
        return GroupResult(code, name, stage, None, None, (), explanation)
    # Members above the group's level have met its next stage, so the group's gaps at its next
    # stage are exactly the gaps of the members at its level.
    nxt = level + 1
    achieved = applicable = 0
    gaps: list[str] = []
    for index in members:
        cell = results[index].cells[nxt]
        achieved += cell.achieved
        applicable += cell.total - cell.not_applicable
        if levels[index] == level:
            gaps.extend(results[index].gaps)
    gaps.sort(key=shape._plan.model_position.__getitem__)
    explanation = explain(subject, names[stage] if stage else None, names[stage_codes[nxt]], gaps)
    progress = progress_ratio(achieved, applicable)
    return GroupResult(code, name, stage, stage_codes[nxt], progress, tuple(gaps), explanation)


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
    plan = shape._plan
    raw = _status_bytes(plan, statuses)
    opened = raw.translate(_OPEN_TABLE)
    achieved = raw.translate(_ACHIEVED_TABLE)
    levels: list[int] = []
    results: list[PolicyResult] = []
    for policy_plan in plan.policies:
        target = targets.get(policy_plan.code)
        level, result = _policy(shape, policy_plan, raw, opened, achieved, target)
        levels.append(level)
        results.append(result)
    dimensions = {
        code: _group(
            shape,
            code,
            shape.dimension_name[code],
            shape.dimension_name[code],
            members,
            levels,
            results,
        )
        for code, members in zip(shape.dimension_codes, plan.dimension_members, strict=True)
    }
    everyone = range(len(results))
    overall = _group(shape, OVERALL_CODE, OVERALL_NAME, _OVERALL_SUBJECT, everyone, levels, results)
    return Profile(
        overall=overall,
        dimensions=dimensions,
        policies={result.code: result for result in results},
        answered=len(statuses),
        total=len(shape.objective_codes),
    )
