"""The plan's analyses (gaps, sequencing warnings, projection, council totals) and the
comparison of two cycles through the API: exact results and every persona."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.conftest import NO_CITY, NOT_AUTHENTICATED, PERSONAS, SAVEPOINT, World
from vertebra.assessments.domain import create_assessment, save_answer
from vertebra.assessments.models import Answer, Assessment
from vertebra.planning.domain import create_action, set_targets
from vertebra.planning.models import Action

pytestmark = pytest.mark.django_db

POLICIES = ("L1", "L2", "L3", "L4", "P1", "P2", "I1", "I2", "C1", "C2")
L1_NAME = "Municipality, cross-sectiorial and multi-governance collaboration"


def achieve(assessment: Assessment, *codes: str) -> None:
    for code in codes:
        answer = Answer.objects.select_related("assessment", "objective").get(
            assessment=assessment, objective__code=code
        )
        save_answer(
            answer=answer,
            user=None,
            changes={"status": "achieved"},
            expected_version=answer.version,
        )


@pytest.fixture
def plan(world: World) -> dict[str, Action]:
    """L1S1 achieved; target M for L1 by 2027; the M-stage action is due before the S-stage one."""
    achieve(world.draft, "L1S1")
    set_targets(
        assessment=world.draft,
        user=None,
        targets={"L1": "M"},
        target_date=dt.date(2027, 12, 31),
    )
    late_basics = create_action(
        assessment=world.draft,
        user=None,
        data={
            "title": "Finish the basics",
            "objectives": ["L1S2"],
            "status": "planned",
            "due_date": dt.date(2026, 6, 30),
            "cost": "100",
        },
    )
    early_m = create_action(
        assessment=world.draft,
        user=None,
        data={
            "title": "Joint committee",
            "objectives": ["L1M1"],
            "status": "in_progress",
            "due_date": dt.date(2026, 5, 1),
        },
    )
    return {"basics": late_basics, "committee": early_m}


def _action_url(world: World, action: Action) -> str:
    return world.url(f"{world.base}/actions/{action.uuid}")


def test_gaps_list_each_policys_objectives_to_target_with_their_actions(
    world: World, plan: dict[str, Action]
) -> None:
    response = world.client("viewer").get(world.base + "/plan/gaps")
    assert response.status_code == 200
    data = response.json()
    assert (data["url"], data["assessment"], data["uncovered"]) == (
        world.url(world.base + "/plan/gaps"),
        world.url(world.base),
        4,
    )
    assert [p["policy"] for p in data["policies"]] == list(POLICIES)
    l1 = data["policies"][0]
    assert {k: v for k, v in l1.items() if k != "to_target"} == {
        "policy": "L1",
        "name": L1_NAME,
        "stage": None,
        "target": "M",
        "target_date": "2027-12-31",
    }
    assert [(g["code"], g["stage"], g["actions"]) for g in l1["to_target"]] == [
        ("L1S2", "S", [_action_url(world, plan["basics"])]),
        ("L1M1", "M", [_action_url(world, plan["committee"])]),
        ("L1M2", "M", []),
        ("L1M3", "M", []),
        ("L1M4", "M", []),
        ("L1M5", "M", []),
    ]
    assert all(g["text"] for g in l1["to_target"])
    assert data["policies"][1] == {
        "policy": "L2",
        "name": data["policies"][1]["name"],
        "stage": "S",  # L2 has no objectives at stage S
        "target": None,
        "target_date": None,
        "to_target": [],
    }


def test_sequencing_warning_names_the_lower_stage_objective_due_later(
    world: World, plan: dict[str, Action]
) -> None:
    response = world.client("viewer").get(world.base + "/plan/warnings")
    assert response.status_code == 200
    assert response.json() == {
        "url": world.url(world.base + "/plan/warnings"),
        "assessment": world.url(world.base),
        "warnings": [
            {
                "action": _action_url(world, plan["committee"]),
                "action_title": "Joint committee",
                "objective": "L1M1",
                "policy": "L1",
                "due_date": "2026-05-01",
                "blocking": [{"objective": "L1S2", "due_date": "2026-06-30"}],
            }
        ],
    }


def test_projection_shows_when_each_policy_changes_stage(
    world: World, plan: dict[str, Action]
) -> None:
    response = world.client("viewer").get(world.base + "/plan/projection")
    assert response.status_code == 200
    data = response.json()
    assert (data["url"], data["dates"]) == (
        world.url(world.base + "/plan/projection"),
        ["2026-05-01", "2026-06-30"],
    )
    assert [p["policy"] for p in data["policies"]] == list(POLICIES)
    assert data["policies"][0] == {
        "policy": "L1",
        "name": L1_NAME,
        "stage": None,
        "target": "M",
        "target_date": "2027-12-31",
        "steps": [{"date": "2026-06-30", "stage": "S"}],
        "final_stage": "S",
        "target_met_now": False,
        "reaches_target_on": None,
        "late": False,
        "unplanned": ["L1M2", "L1M3", "L1M4", "L1M5"],
    }


def test_totals_count_actions_and_costs_per_policy_stage_year_and_status(
    world: World, plan: dict[str, Action]
) -> None:
    create_action(
        assessment=world.draft,
        user=None,
        data={"title": "Dropped idea", "status": "cancelled", "cost": "999"},
    )
    response = world.client("viewer").get(world.base + "/plan/totals")
    assert response.status_code == 200
    data = response.json()
    none: dict[str, Any] = {"count": 0, "costs": {}, "without_cost": 0}
    both = {"count": 2, "costs": {"EUR": "100.00"}, "without_cost": 1}
    assert data == {
        "url": world.url(world.base + "/plan/totals"),
        "assessment": world.url(world.base),
        "by_policy": [{"policy": "L1", **both}]
        + [{"policy": code, **none} for code in POLICIES[1:]],
        "by_stage": [
            {"stage": "S", "count": 1, "costs": {"EUR": "100.00"}, "without_cost": 0},
            {"stage": "M", "count": 1, "costs": {}, "without_cost": 1},
            {"stage": "A", **none},
            {"stage": "R", **none},
            {"stage": "T", **none},
        ],
        "by_year": [{"year": 2026, **both}],
        "by_status": [
            {"status": "proposed", **none},
            {"status": "planned", "count": 1, "costs": {"EUR": "100.00"}, "without_cost": 0},
            {"status": "in_progress", "count": 1, "costs": {}, "without_cost": 1},
            {"status": "done", **none},
        ],
        "overall": both,
    }


def test_totals_put_actions_without_objectives_or_due_date_in_null_rows(world: World) -> None:
    create_action(assessment=world.draft, user=None, data={"title": "Loose idea", "cost": "5"})
    data = world.client("viewer").get(world.base + "/plan/totals").json()
    loose = {"count": 1, "costs": {"EUR": "5.00"}, "without_cost": 0}
    assert (data["by_policy"][-1], data["by_stage"][-1], data["by_year"]) == (
        {"policy": None, **loose},
        {"stage": None, **loose},
        [{"year": None, **loose}],
    )


def test_plan_analyses_take_a_fixed_number_of_queries(
    world: World, plan: dict[str, Action], django_assert_max_num_queries: Any
) -> None:
    for index in range(8):
        create_action(
            assessment=world.draft,
            user=None,
            data={"title": f"Step {index}", "objectives": ["L1M2"], "status": "planned"},
        )
    client = world.client("viewer")
    for name in ("gaps", "warnings", "projection", "totals"):
        # token (read, mark used), membership, assessment, targets, statuses, actions with
        # owners, their objectives, and for gaps the objectives' texts
        with django_assert_max_num_queries(9 + SAVEPOINT):
            assert client.get(f"{world.base}/plan/{name}").status_code == 200


# --- comparison ----------------------------------------------------------------------------


@pytest.fixture
def older(world: World) -> Assessment:
    baseline = create_assessment(
        city=world.city, user=None, title="Baseline 2025", date=dt.date(2025, 3, 1)
    )
    achieve(baseline, "L1S1", "L1S2", "P1S1")
    achieve(world.draft, "L1S1", "P1S1", "P1S2", "P1S3")
    return baseline


def test_comparison_with_the_latest_earlier_assessment_lists_what_changed(
    world: World, older: Assessment
) -> None:
    response = world.client("viewer").get(world.base + "/comparison")
    assert response.status_code == 200
    data = response.json()
    older_url = world.url(f"/api/v1/cities/north/assessments/{older.uuid}")
    assert {k: v for k, v in data.items() if k not in {"objectives", "policies"}} == {
        "url": world.url(f"{world.base}/comparison?older={older.uuid}"),
        "older": older_url,
        "newer": world.url(world.base),
        "same_model": True,
        "unchanged": False,
        "overall_old": None,
        "overall_new": None,
        "overall": None,
        "dimensions": [],
        "model_changes": None,
    }
    assert data["policies"] == [
        {"code": "L1", "name": L1_NAME, "old": "S", "new": None, "direction": "down"},
        {
            "code": "P1",
            "name": data["policies"][1]["name"],
            "old": None,
            "new": "S",
            "direction": "up",
        },
    ]
    assert [(o["code"], o["policy"], o["old"], o["new"]) for o in data["objectives"]] == [
        ("L1S2", "L1", "achieved", "not_started"),
        ("P1S2", "P1", "not_started", "achieved"),
        ("P1S3", "P1", "not_started", "achieved"),
    ]


def test_comparison_defaults_to_the_cycle_an_assessment_continues(
    world: World, older: Assessment
) -> None:
    cycle = create_assessment(
        city=world.city, user=None, title="Review 2027", date=dt.date(2027, 3, 1), copy_from=older
    )
    path = f"/api/v1/cities/north/assessments/{cycle.uuid}/comparison"
    data = world.client("viewer").get(path).json()
    assert (data["older"], data["unchanged"], data["objectives"]) == (
        world.url(f"/api/v1/cities/north/assessments/{older.uuid}"),
        True,
        [],
    )


def test_comparison_with_a_named_assessment(world: World, older: Assessment) -> None:
    path = f"/api/v1/cities/north/assessments/{older.uuid}/comparison?older={world.draft.uuid}"
    data = world.client("viewer").get(path).json()
    assert (data["older"], data["newer"]) == (
        world.url(world.base),
        world.url(f"/api/v1/cities/north/assessments/{older.uuid}"),
    )
    assert [(o["code"], o["old"], o["new"]) for o in data["objectives"]] == [
        ("L1S2", "not_started", "achieved"),
        ("P1S2", "achieved", "not_started"),
        ("P1S3", "achieved", "not_started"),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "There is no earlier assessment of this city; name one with 'older'."),
        ("?older={draft}", "Choose another assessment than the one compared."),
        ("?older={other}", "No assessment with this id in this city."),
    ],
)
def test_comparison_names_what_is_wrong_with_older(world: World, query: str, message: str) -> None:
    query = query.format(draft=world.draft.uuid, other=world.other_assessment.uuid)
    response = world.client("viewer").get(world.base + "/comparison" + query)
    assert response.status_code == 422
    assert response.json()["details"] == {"older": message}


# --- personas ------------------------------------------------------------------------------

READS = ("plan/gaps", "plan/warnings", "plan/projection", "plan/totals", "comparison")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", READS)
def test_analyses_are_read_by_every_member_and_nobody_else(
    world: World, plan: dict[str, Action], older: Assessment, persona: str, name: str
) -> None:
    response = world.client(persona).get(f"{world.base}/{name}")
    if persona == "anonymous":
        assert (response.status_code, response.json()) == (401, NOT_AUTHENTICATED)
    elif persona == "outsider":
        assert (response.status_code, response.json()) == (404, NO_CITY)
    else:
        as_admin = world.client("admin").get(f"{world.base}/{name}")
        assert response.status_code == 200
        assert response.json() == as_admin.json()
        assert response.json()["url"].startswith(world.url(f"{world.base}/{name}"))


def test_assessment_links_to_its_history_plan_and_comparison(world: World) -> None:
    data = world.client("viewer").get(world.base).json()
    assert (data["history_url"], data["comparison_url"], data["plan"]) == (
        world.url(world.base + "/history"),
        world.url(world.base + "/comparison"),
        {
            "gaps": world.url(world.base + "/plan/gaps"),
            "warnings": world.url(world.base + "/plan/warnings"),
            "projection": world.url(world.base + "/plan/projection"),
            "totals": world.url(world.base + "/plan/totals"),
        },
    )
