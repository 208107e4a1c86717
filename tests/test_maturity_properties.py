"""Properties of the maturity engine on the shipped SMR model, checked with hypothesis."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from vertebra.maturity import STATUSES, Shape, profile

SMR_FILE = Path(__file__).resolve().parent.parent / "vertebra/frameworks/data/smr-rmm.yaml"


def smr_shape() -> Shape:
    """The shape of the shipped SMR model, read straight from its YAML file."""
    data = yaml.safe_load(SMR_FILE.read_text(encoding="utf-8"))
    return Shape.from_lists(
        stages=[(s["code"], s["name"]) for s in data["stages"]],
        dimensions=[
            (d["code"], d["name"], [(p["code"], p["name"]) for p in d["policies"]])
            for d in data["dimensions"]
        ],
        objectives=[
            (o["code"], p["code"], o["stage"])
            for d in data["dimensions"]
            for p in d["policies"]
            for o in p["objectives"]
        ],
    )


SHAPE = smr_shape()
RANK = {None: -1} | {code: index for index, code in enumerate(SHAPE.stage_codes)}
DONE = ("achieved", "not_applicable")

statuses_strategy = st.dictionaries(
    keys=st.sampled_from(SHAPE.objective_codes), values=st.sampled_from(STATUSES)
)
targets_strategy = st.dictionaries(
    keys=st.sampled_from(SHAPE.policy_codes), values=st.sampled_from(SHAPE.stage_codes)
)


@given(
    statuses=statuses_strategy,
    code=st.sampled_from(SHAPE.objective_codes),
    done=st.sampled_from(DONE),
)
def test_marking_one_more_objective_done_never_lowers_any_stage(statuses, code, done):
    before = profile(SHAPE, statuses)

    after = profile(SHAPE, {**statuses, code: done})

    assert RANK[after.overall.stage] >= RANK[before.overall.stage]
    for dimension in SHAPE.dimension_codes:
        assert RANK[after.dimensions[dimension].stage] >= RANK[before.dimensions[dimension].stage]
    for policy in SHAPE.policy_codes:
        assert RANK[after.policies[policy].stage] >= RANK[before.policies[policy].stage]


@given(done=st.lists(st.sampled_from(DONE), min_size=96, max_size=96))
def test_everything_done_gives_the_top_stage_everywhere(done):
    statuses = dict(zip(SHAPE.objective_codes, done, strict=True))

    result = profile(SHAPE, statuses)

    assert result.overall.stage == "T"
    assert {code: d.stage for code, d in result.dimensions.items()} == dict.fromkeys(
        SHAPE.dimension_codes, "T"
    )
    assert {code: p.stage for code, p in result.policies.items()} == dict.fromkeys(
        SHAPE.policy_codes, "T"
    )


def test_nothing_answered_gives_no_overall_stage():
    result = profile(SHAPE, {})

    assert result.overall.stage is None
    assert result.answered == 0


@given(statuses=statuses_strategy)
def test_dimension_stage_is_the_lowest_stage_of_its_policies(statuses):
    result = profile(SHAPE, statuses)

    for dimension, policies in SHAPE.dimension_policies.items():
        lowest = min(RANK[result.policies[p].stage] for p in policies)
        assert RANK[result.dimensions[dimension].stage] == lowest
    lowest_overall = min(RANK[p.stage] for p in result.policies.values())
    assert RANK[result.overall.stage] == lowest_overall


@given(statuses=statuses_strategy)
def test_policy_stage_follows_the_rule_read_literally(statuses):
    result = profile(SHAPE, statuses)

    for policy, objectives in SHAPE.policy_objectives.items():
        met = [
            all(
                statuses.get(code) in DONE
                for code in objectives
                if RANK[SHAPE.objective_stage[code]] <= k
            )
            for k in range(len(SHAPE.stage_codes))
        ]
        expected = max((k for k in range(len(met)) if all(met[: k + 1])), default=-1)
        assert RANK[result.policies[policy].stage] == expected


@given(statuses=statuses_strategy)
def test_next_stage_always_has_an_open_objective(statuses):
    result = profile(SHAPE, statuses)

    for group in [result.overall, *result.dimensions.values(), *result.policies.values()]:
        if group.next_stage is None:
            assert group.stage == "T"
            assert group.next_stage_progress is None
        else:
            assert group.gaps != ()
            assert group.next_stage_progress is not None
            assert 0.0 <= group.next_stage_progress < 1.0


@given(statuses=statuses_strategy, targets=targets_strategy)
def test_to_target_lists_only_open_objectives_and_includes_the_gaps(statuses, targets):
    result = profile(SHAPE, statuses, targets=targets)

    for policy in result.policies.values():
        not_done = {
            code for code in SHAPE.policy_objectives[policy.code] if statuses.get(code) not in DONE
        }
        assert set(policy.to_target) <= not_done
        assert set(policy.gaps) <= not_done
        assert policy.target == targets.get(policy.code)
        if policy.target is not None and RANK[policy.target] > RANK[policy.stage]:
            assert set(policy.gaps) <= set(policy.to_target)
        else:
            assert policy.to_target == ()


@given(statuses=statuses_strategy)
def test_ahead_of_order_objectives_are_achieved_and_above_the_next_stage(statuses):
    result = profile(SHAPE, statuses)

    for policy in result.policies.values():
        for code in policy.ahead_of_order:
            assert statuses.get(code) == "achieved"
            assert RANK[SHAPE.objective_stage[code]] > RANK[policy.next_stage]
