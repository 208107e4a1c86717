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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import compress
from operator import itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

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


# PolicyResult and GroupResult are slotted dataclasses that are not frozen, because a frozen
# dataclass sets every field through object.__setattr__ and :func:`profile` builds fifteen of them
# per call. Treat them as read-only all the same. :func:`profile` leaves ``explanation`` unset and
# ``__getattr__`` builds the sentence on first read (most callers never read it); ``_lazy`` holds
# what it needs. Equality, hashing and repr read ``explanation`` like any other field.


def _lazy_explanation(result: PolicyResult | GroupResult, name: str) -> str:
    lazy = result._lazy if name == "explanation" else None
    if lazy is None:
        raise AttributeError(f"{type(result).__name__!r} object has no attribute {name!r}")
    subject, names = lazy
    stage = result.stage
    next_stage = result.next_stage
    text = explain(
        subject,
        names[stage] if stage else None,
        names[next_stage] if next_stage else None,
        result.gaps,
    )
    result.explanation = text
    return text


@dataclass(slots=True, unsafe_hash=True)
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
    _lazy: tuple[str, Mapping[str, str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    if not TYPE_CHECKING:
        __getattr__ = _lazy_explanation


@dataclass(slots=True, unsafe_hash=True)
class GroupResult:
    """Where a dimension, or the city overall (code "overall"), stands."""

    code: str
    name: str
    stage: str | None
    next_stage: str | None
    next_stage_progress: float | None
    gaps: _Codes
    explanation: str
    _lazy: tuple[str, Mapping[str, str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    if not TYPE_CHECKING:
        __getattr__ = _lazy_explanation


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

# The engine works on byte strings: each objective's status becomes one byte.
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


class _CellCache(dict[bytes, Cell]):
    """The status bytes of a cell at one stage -> its interned Cell; builds the Cells it lacks."""

    def __init__(self, stage: str) -> None:
        super().__init__()
        self.stage = stage

    def __missing__(self, key: bytes) -> Cell:
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
        cell = Cell(self.stage, total, achieved, not_applicable, in_progress, state)
        if len(self) < _CELL_CACHE_LIMIT:
            self[key] = cell
        return cell


class _RatioCache(dict[bytes, float]):
    """The status bytes of a cell -> achieved over applicable objectives (:func:`progress_ratio`)."""

    def __missing__(self, key: bytes) -> float:
        ratio = progress_ratio(key.count(_ACHIEVED), len(key) - key.count(_NOT_APPLICABLE))
        if len(self) < _CELL_CACHE_LIMIT:
            self[key] = ratio
        return ratio


class _GapCache(dict[bytes, _Codes]):
    """For one policy x stage cell: its open pattern (a 1 per open objective) -> the open codes."""

    def __init__(self, codes: _Codes) -> None:
        super().__init__()
        self.codes = codes

    def __missing__(self, key: bytes) -> _Codes:
        gaps = tuple(compress(self.codes, key))
        if len(self) < _CELL_CACHE_LIMIT:  # at most 2 ** len(codes) patterns
            self[key] = gaps
        return gaps


def _getter(items: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """``source -> tuple(source[item] for item in items)``, in C where it can be."""
    if len(items) >= 2:
        return itemgetter(*items)
    if items:
        item = items[0]
        return lambda source: (source[item],)
    return lambda source: ()


# Per policy, per next stage index (the stage count when the policy is at the top stage):
# stage, next stage, gaps span (start, end, gaps by open pattern), ahead-of-order span (start,
# end, codes).
_PolicyRow = tuple[str | None, str | None, int, int, Mapping[bytes, _Codes], int, int, _Codes]
# code, name, dimension, explanation inputs, cells span, rows, per target stage: (end, codes)
_PolicyPlan = tuple[
    str,
    str,
    str,
    tuple[str, Mapping[str, str]],
    int,
    int,
    tuple[_PolicyRow, ...],
    tuple[tuple[int, _Codes], ...],
]
# Per group, per next stage index: stage, next stage, (member, its cell at the next stage), and
# whether the members' gaps there, one member after the other, are in model order.
_GroupRow = tuple[str | None, str | None, tuple[tuple[int, int], ...], bool]
# code, name, explanation inputs, the next stages of the members (and the stage count), rows
_GroupPlan = tuple[
    str,
    str,
    tuple[str, Mapping[str, str]],
    Callable[[list[int]], tuple[int, ...]],
    tuple[_GroupRow, ...],
]


@dataclass(frozen=True, slots=True)
class _Plan:
    """The byte layouts and spans :func:`profile` works with.

    The *policy layout* lists the objectives by policy (model order), then stage, then model order.
    """

    blank: dict[str, None]  # every objective code -> None (not started)
    statuses_of: Callable[[Mapping[str, str | None]], tuple[str | None, ...]]  # in layout order
    stage_position: dict[str, int]
    flat: _Codes  # the policy layout
    cells_of: Callable[[bytes], tuple[bytes, ...]]  # status bytes -> per policy, per stage cell
    cell_caches: tuple[_CellCache, ...]  # per policy, per stage: the stage's cache
    ratios: _RatioCache
    policy_starts: tuple[int, ...]
    policy_ends: tuple[int, ...]
    ones: tuple[int, ...]  # a 1 per policy, the open byte that bytes.find looks for
    next_at: tuple[int, ...]  # stage index per layout position; last item (-1): stage count
    policies: tuple[_PolicyPlan, ...]
    model_position: dict[str, int]
    groups: tuple[_GroupPlan, ...]  # dimensions in model order, then overall

    @classmethod
    def build(cls, shape: Shape) -> _Plan:
        stage_codes = shape.stage_codes
        count = len(stage_codes)
        names = dict(shape.stage_names)  # a dict, so that results pickle
        flat: list[str] = []
        next_at: list[int] = []
        cell_slices: list[slice] = []
        policies: list[_PolicyPlan] = []
        starts: list[int] = []
        ends: list[int] = []
        for policy in shape.policy_codes:
            start = len(flat)
            spans = []
            for index, codes in enumerate(shape.policy_stage_objectives[policy]):
                spans.append((len(flat), len(flat) + len(codes)))
                cell_slices.append(slice(len(flat), len(flat) + len(codes)))
                flat.extend(codes)
                next_at.extend([index] * len(codes))
            end = len(flat)
            rows: list[_PolicyRow] = []
            for nxt in range(count):
                gap_start, gap_end = spans[nxt]
                rows.append(
                    (
                        stage_codes[nxt - 1] if nxt else None,
                        stage_codes[nxt],
                        gap_start,
                        gap_end,
                        _GapCache(tuple(flat[gap_start:gap_end])),
                        gap_end,
                        end,
                        tuple(flat[gap_end:end]),
                    )
                )
            rows.append((stage_codes[-1], None, 0, 0, {}, 0, 0, ()))
            reach = tuple((span_end, tuple(flat[start:span_end])) for _, span_end in spans)
            policies.append(
                (
                    policy,
                    shape.policy_name[policy],
                    shape.policy_dimension[policy],
                    (policy, names),
                    len(cell_slices) - count,
                    len(cell_slices),
                    tuple(rows),
                    reach,
                )
            )
            starts.append(start)
            ends.append(end)
        next_at.append(count)
        model_position = {code: index for index, code in enumerate(shape.objective_codes)}
        order = {policy: index for index, policy in enumerate(shape.policy_codes)}
        groups: list[_GroupPlan] = []
        members: list[tuple[str, str, str, _Codes]] = [
            (code, shape.dimension_name[code], shape.dimension_name[code], policies_of)
            for code, policies_of in shape.dimension_policies.items()
        ]
        members.append((OVERALL_CODE, OVERALL_NAME, _OVERALL_SUBJECT, shape.policy_codes))
        for code, name, subject, policies_of in members:
            indices = tuple(order[policy] for policy in policies_of)
            group_rows: list[_GroupRow] = []
            for nxt in range(count):
                # are the members' gaps at this stage, one member after the other, in model order?
                listed = [c for p in policies_of for c in shape.policy_stage_objectives[p][nxt]]
                in_order = listed == sorted(listed, key=model_position.__getitem__)
                group_rows.append(
                    (
                        stage_codes[nxt - 1] if nxt else None,
                        stage_codes[nxt],
                        tuple((index, index * count + nxt) for index in indices),
                        in_order,
                    )
                )
            group_rows.append((stage_codes[-1], None, (), True))
            # profile() appends the stage count to the members' next stages: the -1 here
            members_next = _getter((*indices, -1))
            groups.append((code, name, (subject, names), members_next, tuple(group_rows)))
        return cls(
            blank=dict.fromkeys(shape.objective_codes),
            statuses_of=_getter(flat),
            stage_position=dict(shape.stage_index),
            flat=tuple(flat),
            cells_of=_getter(cell_slices),
            cell_caches=tuple(map(_CellCache, stage_codes)) * len(policies),
            ratios=_RatioCache(),
            policy_starts=tuple(starts),
            policy_ends=tuple(ends),
            ones=(1,) * len(starts),
            next_at=tuple(next_at),
            policies=tuple(policies),
            model_position=model_position,
            groups=tuple(groups),
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


def _unknown_codes(shape: Shape, statuses: Mapping[str, str]) -> ValueError:
    unknown = statuses.keys() - set(shape.objective_codes)
    return ValueError(f"unknown objective code(s): {', '.join(sorted(unknown))}")


def _check_targets(shape: Shape, targets: Mapping[str, str]) -> None:
    for policy, stage in targets.items():
        if policy not in shape.policy_name:
            raise ValueError(f"target for unknown policy {policy!r}")
        if stage not in shape.stage_index:
            raise ValueError(f"unknown target stage {stage!r} for policy {policy!r}")


_new = object.__new__
_cell_of = dict.__getitem__  # calls __missing__ of a _CellCache


def profile(
    shape: Shape, statuses: Mapping[str, str], *, targets: Mapping[str, str] | None = None
) -> Profile:
    """Derive the full maturity profile of one assessment.

    ``statuses`` maps objective codes to status values; a missing code is not_started.
    ``targets`` maps policy codes to the stage code the city aims for. Unknown objective codes,
    statuses, target policies or target stages raise ValueError naming them.
    """
    plan = shape._plan
    everything = {**plan.blank, **statuses}
    if len(everything) != len(plan.blank):
        raise _unknown_codes(shape, statuses)
    if targets:
        _check_targets(shape, targets)
    else:
        targets = None
    try:
        raw = bytes(map(_STATUS_BYTE.__getitem__, plan.statuses_of(everything)))
    except KeyError as error:
        raise ValueError(f"unknown status {error.args[0]!r}") from None
    opened = raw.translate(_OPEN_TABLE)
    achieved = raw.translate(_ACHIEVED_TABLE)
    keys = plan.cells_of(raw)
    cells: tuple[Cell, ...] = tuple(map(_cell_of, plan.cell_caches, keys))
    ratios = plan.ratios
    nexts = list(
        map(
            plan.next_at.__getitem__,
            map(opened.find, plan.ones, plan.policy_starts, plan.policy_ends),
        )
    )
    stage_position = plan.stage_position
    results: list[PolicyResult] = []
    for (code, name, dimension, lazy, first, last, rows, reach), nxt in zip(
        plan.policies, nexts, strict=False
    ):
        stage, next_stage, gap_start, gap_end, gaps_of, ahead_start, end, ahead_codes = rows[nxt]
        cells_here = cells[first:last]
        result = _new(PolicyResult)
        result.code = code
        result.name = name
        result.dimension = dimension
        result.stage = stage
        result.next_stage = next_stage
        if next_stage is None:
            result.next_stage_progress = None
            result.gaps = ()
            result.ahead_of_order = ()
        else:
            result.next_stage_progress = ratios[keys[first + nxt]]
            result.gaps = gaps_of[opened[gap_start:gap_end]]
            result.ahead_of_order = tuple(compress(ahead_codes, achieved[ahead_start:end]))
        result.cells = cells_here
        target = None if targets is None else targets.get(code)
        result.target = target
        if target is None or stage_position[target] < nxt:
            result.to_target = ()
        else:
            target_end, target_codes = reach[stage_position[target]]
            start = target_end - len(target_codes)
            result.to_target = tuple(compress(target_codes, opened[start:target_end]))
        result._lazy = lazy
        results.append(result)

    nexts.append(len(shape.stage_codes))
    groups: list[GroupResult] = []
    for code, name, lazy, members_next, group_rows in plan.groups:
        nxt = min(members_next(nexts))
        stage, next_stage, member_cells, in_order = group_rows[nxt]
        group = _new(GroupResult)
        group.code = code
        group.name = name
        group.stage = stage
        group.next_stage = next_stage
        if next_stage is None:
            group.next_stage_progress = None
            group.gaps = ()
        else:
            # members above the group's stage have met its next stage, so the group's gaps are
            # exactly those of the members at its stage
            achieved_count = applicable = 0
            gaps: list[str] = []
            for index, cell_index in member_cells:
                cell = cells[cell_index]
                achieved_count += cell.achieved
                applicable += cell.total - cell.not_applicable
                if nexts[index] == nxt:
                    gaps += results[index].gaps
            if not in_order:
                gaps.sort(key=plan.model_position.__getitem__)
            group.next_stage_progress = round(achieved_count / applicable, 4)
            group.gaps = tuple(gaps)
        group._lazy = lazy
        groups.append(group)
    overall = groups.pop()
    return Profile(
        overall=overall,
        dimensions=dict(zip(shape.dimension_codes, groups, strict=True)),
        policies=dict(zip(shape.policy_codes, results, strict=True)),
        answered=len(statuses),
        total=len(shape.objective_codes),
    )
