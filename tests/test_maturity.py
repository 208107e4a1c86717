"""The maturity engine (vertebra.maturity) on hand-built shapes and on the shipped SMR model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vertebra.maturity import (
    STATUSES,
    Cell,
    GroupResult,
    Shape,
    Status,
    join_codes,
    profile,
    progress_ratio,
)

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


def tiny_shape() -> Shape:
    """Three stages, two dimensions; X1 lists its objectives out of stage order on purpose,
    X2 has nothing at Starting and Y1 nothing at Moderate."""
    return Shape.from_lists(
        stages=[("S", "Starting"), ("M", "Moderate"), ("A", "Advanced")],
        dimensions=[
            ("X", "Exploration", [("X1", "First policy"), ("X2", "Second policy")]),
            ("Y", "Yield", [("Y1", "Third policy")]),
        ],
        objectives=[
            ("X1M1", "X1", "M"),
            ("X1S2", "X1", "S"),
            ("X1S1", "X1", "S"),
            ("X1A1", "X1", "A"),
            ("X2M1", "X2", "M"),
            ("X2A1", "X2", "A"),
            ("Y1S1", "Y1", "S"),
            ("Y1A1", "Y1", "A"),
        ],
    )


ACHIEVED = "achieved"
NOT_APPLICABLE = "not_applicable"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"


# --- Shape --------------------------------------------------------------------------------------


def test_shape_precomputes_indices_in_model_order():
    shape = tiny_shape()

    assert shape.stage_codes == ("S", "M", "A")
    assert dict(shape.stage_names) == {"S": "Starting", "M": "Moderate", "A": "Advanced"}
    assert dict(shape.stage_index) == {"S": 0, "M": 1, "A": 2}
    assert shape.dimension_codes == ("X", "Y")
    assert shape.policy_codes == ("X1", "X2", "Y1")
    assert dict(shape.policy_dimension) == {"X1": "X", "X2": "X", "Y1": "Y"}
    assert shape.dimension_name["Y"] == "Yield"
    assert shape.policy_name["X2"] == "Second policy"
    assert shape.policy_objectives["X1"] == ("X1M1", "X1S2", "X1S1", "X1A1")
    assert shape.policy_stage_objectives["X1"] == (("X1S2", "X1S1"), ("X1M1",), ("X1A1",))
    assert shape.policy_stage_objectives["X2"] == ((), ("X2M1",), ("X2A1",))
    assert shape.objective_policy["Y1A1"] == "Y1"
    assert shape.objective_stage["X1S2"] == "S"
    assert shape.objective_codes[:3] == ("X1M1", "X1S2", "X1S1")


def test_smr_shape_has_five_stages_ten_policies_and_96_objectives():
    shape = smr_shape()

    assert shape.stage_codes == ("S", "M", "A", "R", "T")
    assert shape.stage_names["T"] == "verTebrate"
    assert shape.dimension_codes == ("L", "P", "I", "C")
    assert shape.policy_codes == ("L1", "L2", "L3", "L4", "P1", "P2", "I1", "I2", "C1", "C2")
    assert len(shape.objective_codes) == 96
    assert shape.policy_stage_objectives["L2"][0] == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stages": []}, "at least one stage"),
        ({"stages": [("S", "Starting"), ("S", "Again")]}, "duplicate stage code 'S'"),
        (
            {"dimensions": [("X", "One", [("X1", "a")]), ("X", "Two", [("X2", "b")])]},
            "duplicate dimension code 'X'",
        ),
        (
            {"dimensions": [("X", "One", [("X1", "a")]), ("Y", "Two", [("X1", "b")])]},
            "duplicate policy code 'X1'",
        ),
        (
            {"objectives": [("X1S1", "X1", "S"), ("X1S1", "X1", "S")]},
            "duplicate objective code 'X1S1'",
        ),
        ({"objectives": [("Z1S1", "Z1", "S")]}, "objective 'Z1S1' names unknown policy 'Z1'"),
        ({"objectives": [("X1Q1", "X1", "Q")]}, "objective 'X1Q1' names unknown stage 'Q'"),
    ],
)
def test_shape_rejects_inconsistent_lists(kwargs, message):
    lists = {
        "stages": [("S", "Starting")],
        "dimensions": [("X", "One", [("X1", "a")])],
        "objectives": [("X1S1", "X1", "S")],
    }
    lists.update(kwargs)

    with pytest.raises(ValueError, match=message):
        Shape.from_lists(**lists)


# --- Policy stage ---------------------------------------------------------------------------------


def test_policy_without_answers_has_no_stage_and_needs_its_starting_objectives():
    result = profile(smr_shape(), {}).policies["L1"]

    assert result.stage is None
    assert result.next_stage == "S"
    assert result.next_stage_progress == 0.0
    assert result.gaps == ("L1S1", "L1S2")
    assert result.explanation == "L1 has not reached Starting yet; Starting needs L1S1 and L1S2."


def test_policy_without_starting_objectives_stands_at_starting_with_nothing_answered():
    result = profile(smr_shape(), {}).policies["L2"]

    assert result.stage == "S"
    assert result.next_stage == "M"
    assert result.gaps == ("L2M1",)
    assert result.explanation == "L2 stands at Starting; Moderate needs L2M1."


def test_empty_stage_is_met_once_the_stages_below_are_done():
    statuses = {"L2M1": ACHIEVED, "L2A1": ACHIEVED, "L2A2": ACHIEVED}

    result = profile(smr_shape(), statuses).policies["L2"]

    assert result.stage == "R"
    assert result.next_stage == "T"
    assert result.gaps == ("L2T1", "L2T2")
    assert result.explanation == "L2 stands at Robust; verTebrate needs L2T1 and L2T2."


def test_not_applicable_counts_as_done():
    statuses = {"L1S1": ACHIEVED, "L1S2": NOT_APPLICABLE}

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.stage == "S"
    assert result.gaps == ("L1M1", "L1M2", "L1M3", "L1M4", "L1M5")


def test_in_progress_is_not_done():
    statuses = {"L1S1": ACHIEVED, "L1S2": IN_PROGRESS}

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.stage is None
    assert result.gaps == ("L1S2",)
    assert result.next_stage_progress == 0.5


def test_policy_stage_drops_when_starting_objective_reopened():
    done = {code: ACHIEVED for code in ("L1S1", "L1S2", "L1M1", "L1M2", "L1M3", "L1M4", "L1M5")}
    before = profile(smr_shape(), done).policies["L1"]

    after = profile(smr_shape(), {**done, "L1S2": NOT_STARTED}).policies["L1"]

    assert before.stage == "M"
    assert after.stage is None
    assert after.ahead_of_order == ("L1M1", "L1M2", "L1M3", "L1M4", "L1M5")


def test_ahead_of_order_lists_achieved_objectives_above_the_next_stage():
    statuses = {
        "L1S1": ACHIEVED,
        "L1S2": ACHIEVED,
        "L1M1": ACHIEVED,
        "L1A1": ACHIEVED,
        "L1R1": ACHIEVED,
        "L1T1": NOT_APPLICABLE,
    }

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.stage == "S"
    assert result.next_stage == "M"
    assert result.gaps == ("L1M2", "L1M3", "L1M4", "L1M5")
    assert result.ahead_of_order == ("L1A1", "L1R1")


def test_policy_at_top_stage_has_no_next_stage_progress_or_gaps():
    statuses = {code: ACHIEVED for code in smr_shape().policy_objectives["L1"]}

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.stage == "T"
    assert result.next_stage is None
    assert result.next_stage_progress is None
    assert result.gaps == ()
    assert result.ahead_of_order == ()
    assert result.explanation == "L1 stands at verTebrate, the top stage."


# --- Progress -------------------------------------------------------------------------------------


def test_next_stage_progress_is_achieved_over_applicable_objectives():
    statuses = {
        "L1S1": ACHIEVED,
        "L1S2": ACHIEVED,
        "L1M1": ACHIEVED,
        "L1M2": ACHIEVED,
        "L1M3": NOT_APPLICABLE,
        "L1M4": IN_PROGRESS,
    }

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.next_stage == "M"
    assert result.next_stage_progress == 0.5
    assert result.gaps == ("L1M4", "L1M5")


def test_next_stage_progress_is_rounded_to_four_decimals():
    statuses = {
        "L1S1": ACHIEVED,
        "L1S2": ACHIEVED,
        "L1M1": ACHIEVED,
        "L1M2": NOT_APPLICABLE,
        "L1M3": NOT_APPLICABLE,
    }

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.next_stage_progress == 0.3333


def test_progress_ratio_is_one_when_no_objective_applies():
    assert progress_ratio(0, 0) == 1.0
    assert progress_ratio(2, 3) == 0.6667


# --- Cells ----------------------------------------------------------------------------------------


def test_cells_count_statuses_per_stage_and_name_their_state():
    statuses = {
        "L1S1": ACHIEVED,
        "L1S2": NOT_APPLICABLE,
        "L1M1": IN_PROGRESS,
        "L1R1": ACHIEVED,
    }

    cells = profile(smr_shape(), statuses).policies["L1"].cells

    assert cells == (
        Cell(stage="S", total=2, achieved=1, not_applicable=1, in_progress=0, state="met"),
        Cell(stage="M", total=5, achieved=0, not_applicable=0, in_progress=1, state="partly"),
        Cell(stage="A", total=2, achieved=0, not_applicable=0, in_progress=0, state="open"),
        Cell(stage="R", total=1, achieved=1, not_applicable=0, in_progress=0, state="met"),
        Cell(stage="T", total=1, achieved=0, not_applicable=0, in_progress=0, state="open"),
    )


def test_cell_without_objectives_has_state_none():
    cells = profile(smr_shape(), {}).policies["L2"].cells

    assert cells[0] == Cell(
        stage="S", total=0, achieved=0, not_applicable=0, in_progress=0, state="none"
    )
    assert cells[3] == Cell(
        stage="R", total=0, achieved=0, not_applicable=0, in_progress=0, state="none"
    )


# --- Targets --------------------------------------------------------------------------------------


def test_to_target_lists_open_objectives_by_stage_then_model_order():
    statuses = {"X1S1": IN_PROGRESS}

    result = profile(tiny_shape(), statuses, targets={"X1": "A"}).policies["X1"]

    assert result.target == "A"
    assert result.gaps == ("X1S2", "X1S1")
    assert result.to_target == ("X1S2", "X1S1", "X1M1", "X1A1")


def test_to_target_skips_done_objectives_on_smr():
    statuses = {"L1S1": ACHIEVED, "L1M2": NOT_APPLICABLE, "L1A1": ACHIEVED}

    result = profile(smr_shape(), statuses, targets={"L1": "A"}).policies["L1"]

    assert result.to_target == ("L1S2", "L1M1", "L1M3", "L1M4", "L1M5", "L1A2")


def test_to_target_is_empty_when_target_is_already_reached():
    statuses = {"L1S1": ACHIEVED, "L1S2": ACHIEVED}

    result = profile(smr_shape(), statuses, targets={"L1": "S"}).policies["L1"]

    assert result.target == "S"
    assert result.to_target == ()


def test_policy_without_target_has_no_target_and_empty_to_target():
    result = profile(smr_shape(), {}, targets={"L1": "M"}).policies["L2"]

    assert result.target is None
    assert result.to_target == ()


# --- Dimensions and overall -----------------------------------------------------------------------


def test_dimension_and_overall_stand_at_their_lowest_policy_stage():
    shape = smr_shape()
    statuses = {code: ACHIEVED for code in shape.objective_codes}
    statuses["L2A1"] = IN_PROGRESS

    result = profile(shape, statuses)

    assert result.policies["L2"].stage == "M"
    assert result.dimensions["L"] == GroupResult(
        code="L",
        name="Leadership & Governance",
        stage="M",
        next_stage="A",
        next_stage_progress=0.8571,
        gaps=("L2A1",),
        explanation="Leadership & Governance stands at Moderate; Advanced needs L2A1.",
    )
    assert result.dimensions["P"].stage == "T"
    assert result.overall.stage == "M"
    assert result.overall.explanation == "The city stands at Moderate; Advanced needs L2A1."


def test_overall_without_answers_has_no_stage_and_lists_starting_objectives_in_model_order():
    result = profile(smr_shape(), {})

    assert result.overall.code == "overall"
    assert result.overall.stage is None
    assert result.overall.next_stage == "S"
    assert result.overall.next_stage_progress == 0.0
    assert result.overall.gaps == (
        "L1S1", "L1S2", "L3S1", "L4S1", "P1S1", "P1S2", "P1S3", "P2S1", "P2S2",
        "P2S3", "I1S1", "I1S2", "I1S3", "I2S1", "I2S2", "I2S3", "C1S1", "C1S2",
    )  # fmt: skip
    assert result.dimensions["C"].explanation == (
        "Cooperation has not reached Starting yet; Starting needs C1S1 and C1S2."
    )


def test_group_gaps_merge_the_policies_at_the_group_stage_in_model_order():
    statuses = {"X1S1": ACHIEVED, "X1S2": ACHIEVED, "Y1S1": ACHIEVED}

    result = profile(tiny_shape(), statuses)

    assert result.policies["X1"].stage == "S"
    assert result.policies["X2"].stage == "S"
    assert result.policies["Y1"].stage == "M"
    assert result.dimensions["X"].stage == "S"
    assert result.dimensions["X"].gaps == ("X1M1", "X2M1")
    assert result.overall.stage == "S"
    assert result.overall.gaps == ("X1M1", "X2M1")
    assert result.overall.next_stage_progress == 0.0


def test_everything_achieved_puts_the_city_at_vertebrate():
    shape = smr_shape()

    result = profile(shape, {code: ACHIEVED for code in shape.objective_codes})

    assert result.overall == GroupResult(
        code="overall",
        name="Overall",
        stage="T",
        next_stage=None,
        next_stage_progress=None,
        gaps=(),
        explanation="The city stands at verTebrate, the top stage.",
    )
    assert result.answered == 96
    assert result.total == 96


def test_answered_counts_objectives_present_in_the_statuses():
    result = profile(smr_shape(), {"L1S1": NOT_STARTED, "P1S1": ACHIEVED})

    assert result.answered == 2
    assert result.total == 96


# --- Output ---------------------------------------------------------------------------------------


def test_to_json_gives_codes_in_model_order_and_targets_only_where_set():
    statuses = {"X1S1": ACHIEVED, "X1S2": NOT_APPLICABLE, "Y1S1": IN_PROGRESS}

    result = profile(tiny_shape(), statuses, targets={"X2": "A"})

    assert result.to_json(framework="tiny", version=3) == {
        "framework": "tiny",
        "version": 3,
        "overall": {"stage": None},
        "dimensions": {"X": {"stage": "S"}, "Y": {"stage": None}},
        "policies": {
            "X1": {
                "stage": "S",
                "next_stage": "M",
                "next_stage_progress": 0.0,
                "gaps": ["X1M1"],
                "explanation": "X1 stands at Starting; Moderate needs X1M1.",
            },
            "X2": {
                "stage": "S",
                "next_stage": "M",
                "next_stage_progress": 0.0,
                "gaps": ["X2M1"],
                "explanation": "X2 stands at Starting; Moderate needs X2M1.",
                "target": "A",
                "to_target": ["X2M1", "X2A1"],
            },
            "Y1": {
                "stage": None,
                "next_stage": "S",
                "next_stage_progress": 0.0,
                "gaps": ["Y1S1"],
                "explanation": "Y1 has not reached Starting yet; Starting needs Y1S1.",
            },
        },
    }


def test_results_keep_model_order():
    result = profile(smr_shape(), {})

    assert list(result.policies) == ["L1", "L2", "L3", "L4", "P1", "P2", "I1", "I2", "C1", "C2"]
    assert list(result.dimensions) == ["L", "P", "I", "C"]


def test_join_codes_reads_as_an_english_list():
    assert join_codes([]) == ""
    assert join_codes(["L1A1"]) == "L1A1"
    assert join_codes(["L1A1", "L1A2"]) == "L1A1 and L1A2"
    assert join_codes(["P1S1", "P1S2", "P1S3"]) == "P1S1, P1S2 and P1S3"


# --- Statuses and guards --------------------------------------------------------------------------


def test_statuses_are_the_four_values_in_order():
    assert STATUSES == ("not_started", "in_progress", "achieved", "not_applicable")


def test_status_enum_members_are_accepted_as_values():
    statuses = {"L1S1": Status.ACHIEVED, "L1S2": Status.NOT_APPLICABLE}

    result = profile(smr_shape(), statuses).policies["L1"]

    assert result.stage == "S"


def test_unknown_objective_code_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="unknown objective code\\(s\\): L9S1"):
        profile(smr_shape(), {"L1S1": ACHIEVED, "L9S1": ACHIEVED})


def test_unknown_status_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="unknown status 'done'"):
        profile(smr_shape(), {"L1S1": "done"})


def test_target_for_unknown_policy_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="target for unknown policy 'L9'"):
        profile(smr_shape(), {}, targets={"L9": "A"})


def test_unknown_target_stage_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="unknown target stage 'Z' for policy 'L1'"):
        profile(smr_shape(), {}, targets={"L1": "Z"})
