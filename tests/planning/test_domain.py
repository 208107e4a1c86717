"""Planning rules: targets, gaps, proposed actions, history, finishing, warnings, projection, totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vertebra.assessments.domain import profile_of, statuses_of
from vertebra.assessments.models import AnswerEvent
from vertebra.frameworks.models import FrameworkVersion, Objective
from vertebra.planning import domain
from vertebra.planning.domain import ActionConflictError, PlanningValidationError
from vertebra.planning.models import Action, ActionEvent, ActionNote, Target
from vertebra.planning.roadmap import Step

from .factories import answer, make_world

pytestmark = pytest.mark.django_db

D = dt.date


def codes_of(action: Action) -> list[str]:
    return [o.code for o in action.objectives.order_by("position")]


def new_action(world, title="Action", **data):
    return domain.create_action(
        assessment=world.assessment, user=world.editor, data={"title": title, **data}
    )


# --- targets and gaps -------------------------------------------------------------------------


def test_set_targets_shortcuts_specific_wins_and_empty_clears():
    w = make_world()
    result = domain.set_targets(
        assessment=w.assessment,
        user=w.admin,
        all_policies="M",
        dimensions={"L": "A"},
        targets={"L2": "R", "C2": ""},
        target_date=D(2028, 6, 30),
    )
    assert result == {
        "L1": "A",
        "L2": "R",
        "L3": "A",
        "L4": "A",
        "P1": "M",
        "P2": "M",
        "I1": "M",
        "I2": "M",
        "C1": "M",
    }
    assert set(Target.objects.values_list("target_date", flat=True)) == {D(2028, 6, 30)}
    assert domain.set_targets(assessment=w.assessment, user=w.admin, targets={"L1": None}) == {
        k: v for k, v in result.items() if k != "L1"
    }


def test_set_targets_refuses_unknown_codes_and_early_date_and_saves_nothing():
    w = make_world()
    with pytest.raises(PlanningValidationError) as caught:
        domain.set_targets(
            assessment=w.assessment,
            user=w.admin,
            targets={"L1": "A", "L9": "A", "P1": "X"},
            dimensions={"Q": "M"},
            target_date=D(2026, 1, 15),
        )
    assert caught.value.errors == {
        "target_L9": "Unknown policy L9.",
        "target_P1": "Unknown stage X; use one of S, M, A, R, T.",
        "dimension_Q": "Unknown dimension Q.",
        "target_date": "The target date must be after the assessment date (15 Jan 2026).",
    }
    assert Target.objects.count() == 0


def test_gaps_to_target_are_open_objectives_up_to_the_target_by_stage_then_code():
    w = make_world()
    answer(w.assessment, {"L1S1": "achieved", "L1M2": "achieved", "L1M4": "not_applicable"})
    answer(w.assessment, {"L1M3": "in_progress", "P1S1": "achieved"})
    domain.set_targets(assessment=w.assessment, user=w.admin, targets={"L1": "A", "P1": "S"})
    assert domain.gaps_to_target(assessment=w.assessment) == {
        "L1": ("L1S2", "L1M1", "L1M3", "L1M5", "L1A1", "L1A2"),
        "P1": ("P1S2", "P1S3"),
    }


# --- proposed actions -------------------------------------------------------------------------


def test_create_proposed_actions_one_per_gap_skipping_objectives_with_open_actions():
    w = make_world()
    answer(w.assessment, {"L1S1": "achieved"})
    domain.set_targets(assessment=w.assessment, user=w.admin, targets={"L1": "M", "C2": "M"})
    new_action(w, "Existing", objectives=["L1M2"], status="planned")
    new_action(w, "Given up", objectives=["L1M3"], status="cancelled")

    created = domain.create_proposed_actions(assessment=w.assessment, user=w.admin)

    assert [codes_of(a) for a in created] == [
        ["L1S2"],
        ["L1M1"],
        ["L1M3"],
        ["L1M4"],
        ["L1M5"],
        ["C2M1"],
    ]
    first = created[0]
    text = Objective.objects.get(framework_version=w.assessment.framework_version, code="L1S2").text
    assert (first.title, first.description, first.status, first.currency) == (
        f"L1S2: {text}"[:200],
        text,
        "proposed",
        "EUR",
    )
    assert list(first.events.values_list("field", "new_value", "source").order_by("id")) == [
        ("created", first.title, "proposal"),
        ("objectives", "L1S2", "proposal"),
    ]
    assert domain.create_proposed_actions(assessment=w.assessment, user=w.admin) == []


# --- validation -------------------------------------------------------------------------------


def test_bad_action_input_is_refused_field_by_field_and_nothing_is_saved():
    w = make_world()
    other = FrameworkVersion.objects.create(
        framework_id="other-model", version=1, name="Other model", digest="x", definition={}
    )
    foreign = Objective.objects.create(
        framework_version=other,
        code="L1S1",
        dimension_code="L",
        policy_code="L1",
        stage_code="S",
        position=1,
        text="Elsewhere",
    )
    with pytest.raises(PlanningValidationError) as caught:
        domain.create_action(
            assessment=w.assessment,
            user=w.editor,
            data={
                "title": "  ",
                "objectives": [foreign],
                "owner_user": w.outsider,
                "stakeholder_types": ["Media", "Astrologers"],
                "start_date": D(2027, 5, 1),
                "due_date": D(2027, 4, 30),
                "cost": "-5",
                "currency": "euro",
                "status": "someday",
            },
        )
    assert caught.value.errors == {
        "title": "Give the action a title.",
        "objectives": "L1S1 belong to another model version than this assessment's "
        "(SMR Resilience Maturity Model (v1)).",
        "owner_user": "outsider@rivertown.example is not a member of Rivertown.",
        "stakeholder_types": "Astrologers: not in this city's list of stakeholder types. "
        "An admin can add types in the city settings.",
        "due_date": "The due date (30 Apr 2027) is before the start date (1 May 2027).",
        "cost": "The cost cannot be negative.",
        "currency": "Use the ISO 4217 code of a currency in use, such as EUR, GBP or NOK.",
        "status": "Choose one of: Proposed, Planned, In progress, Done, Cancelled.",
    }
    assert Action.objects.count() == 0
    assert ActionEvent.objects.count() == 0


def test_unknown_objective_codes_and_a_due_date_before_the_stored_start_are_refused():
    w = make_world()
    action = new_action(w, start_date=D(2027, 3, 1))
    with pytest.raises(PlanningValidationError) as caught:
        domain.update_action(
            action=action,
            user=w.editor,
            changes={"objectives": ["L1S1", "ZZ9"], "due_date": "2027-02-28"},
        )
    assert caught.value.errors == {
        "objectives": "ZZ9 are not objectives of SMR Resilience Maturity Model (v1).",
        "due_date": "The due date (28 Feb 2027) is before the start date (1 Mar 2027).",
    }
    action.refresh_from_db()
    assert (action.version, action.due_date, codes_of(action)) == (1, None, [])


# --- history, conflicts, delete, merge, notes -------------------------------------------------


def test_update_records_one_event_per_changed_field_and_bumps_the_version():
    w = make_world()
    action = new_action(w, "Set up a resilience office", objectives=["L1S1"])
    changed = domain.update_action(
        action=action,
        user=w.editor,
        changes={
            "title": "Set up a resilience office",
            "objectives": ["L1S1", "L1S2"],
            "owner_user": w.editor,
            "cost": "12500.5",
            "due_date": "2027-06-30",
        },
        expected_version=1,
    )
    assert changed == ["objectives", "owner_user", "due_date", "cost"]
    action.refresh_from_db()
    assert (action.version, action.cost, action.due_date) == (
        2,
        Decimal("12500.50"),
        D(2027, 6, 30),
    )
    events = action.events.filter(source="web").exclude(field="created").order_by("id")
    assert [(e.field, e.old_value, e.new_value) for e in events][-4:] == [
        ("objectives", "L1S1", "L1S1, L1S2"),
        ("owner_user", "", "editor@rivertown.example"),
        ("due_date", "", "2027-06-30"),
        ("cost", "", "12500.50"),
    ]


def test_stale_update_is_a_conflict_showing_the_current_values_and_changes_nothing():
    w = make_world()
    action = new_action(w, "First title")
    domain.update_action(action=action, user=w.admin, changes={"title": "Admin's title"})
    with pytest.raises(ActionConflictError) as caught:
        domain.update_action(
            action=action, user=w.editor, changes={"title": "Editor's title"}, expected_version=1
        )
    assert caught.value.current["title"] == "Admin's title"
    action.refresh_from_db()
    assert (action.title, action.version) == ("Admin's title", 2)


def test_delete_keeps_the_history_of_the_deleted_action():
    w = make_world()
    action = new_action(w, "Short-lived")
    uuid = action.uuid
    domain.delete_action(action=action, user=w.editor)
    assert Action.objects.count() == 0
    assert list(
        ActionEvent.objects.filter(action_uuid=uuid)
        .order_by("id")
        .values_list("field", "old_value", "action_id", "action_title")
    ) == [
        ("created", "", None, "Short-lived"),
        ("currency", "", None, "Short-lived"),
        ("status", "", None, "Short-lived"),
        ("deleted", "Short-lived", None, "Short-lived"),
    ]


def test_merge_combines_objectives_dates_costs_types_and_notes_and_deletes_the_others():
    w = make_world()
    a = new_action(
        w,
        "Crisis committee",
        objectives=["L1M2"],
        start_date=D(2027, 2, 1),
        due_date=D(2027, 6, 1),
        cost="1000",
        stakeholder_types=["Media"],
    )
    b = new_action(
        w,
        "Committee charter",
        description="Write it down.",
        objectives=["L1M1"],
        start_date=D(2027, 1, 1),
        due_date=D(2027, 9, 1),
        cost="250.50",
        stakeholder_types=["Emergency services", "Media"],
    )
    domain.add_note(action=b, user=w.editor, text="Draft circulated", date=D(2026, 1, 1))
    b_uuid = b.uuid

    merged = domain.merge_actions(into=a, others=[b], user=w.editor)

    assert codes_of(merged) == ["L1M1", "L1M2"]
    assert (merged.title, merged.start_date, merged.due_date, merged.cost) == (
        "Crisis committee",
        D(2027, 1, 1),
        D(2027, 9, 1),
        Decimal("1250.50"),
    )
    assert merged.stakeholder_types == ["Media", "Emergency services"]
    assert merged.description == "Committee charter: Write it down."
    assert list(merged.notes.values_list("text", flat=True)) == ["Draft circulated"]
    assert list(Action.objects.values_list("title", flat=True)) == ["Crisis committee"]
    assert ActionEvent.objects.get(action_uuid=b_uuid, field="merged_into").new_value == (
        "Crisis committee"
    )
    assert merged.events.get(field="merged").new_value == "Committee charter"


def test_merge_refuses_costs_in_different_currencies():
    w = make_world()
    a = new_action(w, "A", cost="10", currency="EUR")
    b = new_action(w, "B", cost="10", currency="NOK")
    with pytest.raises(PlanningValidationError) as caught:
        domain.merge_actions(into=a, others=[b], user=w.editor)
    assert caught.value.errors == {
        "others": "These actions have costs in different currencies (EUR, NOK); "
        "change them to one currency before merging."
    }
    assert Action.objects.count() == 2


def test_progress_notes_are_dated_and_refused_when_empty_or_in_the_future():
    w = make_world()
    action = new_action(w)
    note = domain.add_note(action=action, user=w.editor, text=" Met the fire service ", date=None)
    assert (note.text, note.date) == ("Met the fire service", dt.date.today())
    with pytest.raises(PlanningValidationError) as caught:
        domain.add_note(
            action=action, user=w.editor, text="", date=dt.date.today() + dt.timedelta(days=1)
        )
    assert caught.value.errors == {
        "text": "Write what has happened.",
        "date": "A progress note cannot be dated in the future.",
    }
    assert ActionNote.objects.count() == 1


# --- finishing and confirming -----------------------------------------------------------------


def test_finishing_an_action_leaves_the_assessment_alone_until_an_editor_confirms():
    w = make_world()
    answer(w.assessment, {"L2M1": "achieved", "L2A1": "achieved", "L2A2": "not_applicable"})
    action = new_action(w, "Twin with a partner city", objectives=["L2T1", "L2T2"])
    before = statuses_of(w.assessment)
    events_before = AnswerEvent.objects.count()

    result = domain.finish_action(action=action, user=w.editor, expected_version=1)

    assert result.action.status == "done"
    assert [a.objective.code for a in result.to_confirm] == ["L2T1", "L2T2"]
    assert statuses_of(w.assessment) == before
    assert AnswerEvent.objects.count() == events_before
    assert profile_of(w.assessment).policies["L2"].stage == "R"  # L2 has no Robust objectives

    domain.confirm_objectives(
        action=result.action, user=w.editor, codes=["L2T1", "L2T2"], evidence="Signed 2027-03."
    )

    assert profile_of(w.assessment).policies["L2"].stage == "T"
    row = w.assessment.answers.get(objective__code="L2T1")
    assert (row.status, row.evidence) == ("achieved", "Signed 2027-03.")
    assert domain.objectives_to_confirm(result.action) == []


def test_confirm_needs_evidence_a_finished_action_and_its_own_objectives():
    w = make_world()
    action = new_action(w, objectives=["L1S1"])
    with pytest.raises(PlanningValidationError) as caught:
        domain.confirm_objectives(action=action, user=w.editor, codes=["L1S2"], evidence=" ")
    assert caught.value.errors == {
        "evidence": "Say what shows that the objective is achieved.",
        "status": "Finish the action before confirming its objectives.",
        "codes": "L1S2: not an objective of this action that is still to be confirmed.",
    }
    assert statuses_of(w.assessment) == {}


# --- sequencing, projection, totals -----------------------------------------------------------


def test_sequencing_warns_when_a_higher_stage_action_is_due_before_open_lower_objectives():
    w = make_world()
    answer(w.assessment, {"L1S1": "achieved", "L1S2": "achieved", "L1M1": "achieved"})
    answer(w.assessment, {"L1M4": "not_applicable"})
    new_action(w, "Early", objectives=["L1M2"], due_date=D(2027, 3, 1), status="planned")
    late = new_action(w, "Late", objectives=["L1M3"], due_date=D(2027, 9, 1), status="planned")
    advanced = new_action(
        w, "Advanced work", objectives=["L1A1"], due_date=D(2027, 6, 1), status="planned"
    )
    new_action(w, "Fine", objectives=["L1M5"], due_date=D(2027, 1, 1), status="in_progress")
    new_action(w, "Dropped", objectives=["L1A2"], due_date=D(2026, 1, 1), status="cancelled")

    warnings = domain.plan_of(w.assessment).warnings()

    assert [(x.action.title, x.objective, x.due_date, x.blocking) for x in warnings] == [
        ("Advanced work", "L1A1", D(2027, 6, 1), (("L1M3", D(2027, 9, 1)),)),
    ]
    domain.update_action(action=late, user=w.editor, changes={"due_date": D(2027, 5, 1)})
    domain.update_action(action=advanced, user=w.editor, changes={"objectives": ["L1R1"]})
    assert [(x.objective, x.blocking) for x in domain.plan_of(w.assessment).warnings()] == [
        ("L1R1", (("L1A1", None), ("L1A2", None))),
    ]


def test_projection_recomputes_the_stage_at_each_due_date_of_planned_actions():
    w = make_world()
    answer(w.assessment, {"L1S1": "achieved"})
    domain.set_targets(
        assessment=w.assessment, user=w.admin, targets={"L1": "M"}, target_date=D(2027, 12, 31)
    )
    domain.set_targets(assessment=w.assessment, user=w.admin, targets={"P1": "S"})
    new_action(w, "S2", objectives=["L1S2"], due_date=D(2027, 3, 31), status="planned")
    new_action(
        w,
        "M",
        objectives=["L1M1", "L1M2", "L1M3", "L1M4"],
        due_date=D(2028, 6, 30),
        status="in_progress",
    )
    new_action(w, "M5", objectives=["L1M5"], due_date=D(2027, 9, 30), status="planned")
    new_action(w, "Only proposed", objectives=["P1S1"], due_date=D(2027, 1, 1))

    projection = domain.plan_of(w.assessment).projection()

    l1 = projection.policies["L1"]
    assert l1.steps == (Step(D(2027, 3, 31), "S"), Step(D(2028, 6, 30), "M"))
    assert (l1.stage, l1.final_stage, l1.reaches_target_on, l1.late, l1.unplanned) == (
        None,
        "M",
        D(2028, 6, 30),
        True,
        (),
    )
    p1 = projection.policies["P1"]
    assert (p1.steps, p1.reaches_target_on, p1.unplanned) == ((), None, ("P1S1", "P1S2", "P1S3"))
    assert projection.dates == (D(2027, 3, 31), D(2027, 9, 30), D(2028, 6, 30))


def test_totals_count_and_cost_by_policy_stage_and_year_keeping_currencies_apart():
    w = make_world()
    new_action(w, "a", objectives=["L1S1", "P1S1"], due_date=D(2027, 5, 1), cost="100")
    new_action(w, "b", objectives=["L1M1"], due_date=D(2028, 5, 1), cost="50", currency="NOK")
    new_action(w, "c", objectives=["L1M2"], cost="7", status="planned")
    new_action(w, "d", objectives=[], due_date=D(2027, 1, 1))
    new_action(w, "x", objectives=["L1S1"], cost="999", status="cancelled")

    result = domain.plan_of(w.assessment).totals()

    def rows(items):
        return [(r.key, r.count, r.cost_list, r.without_cost) for r in items if r.count]

    assert rows(result.by_policy) == [
        ("L1", 3, [("EUR", Decimal("107.00")), ("NOK", Decimal("50.00"))], 0),
        ("P1", 1, [("EUR", Decimal("100.00"))], 0),
        ("", 1, [], 1),
    ]
    assert rows(result.by_stage) == [
        ("S", 1, [("EUR", Decimal("100.00"))], 0),
        ("M", 2, [("EUR", Decimal("7.00")), ("NOK", Decimal("50.00"))], 0),
        ("", 1, [], 1),
    ]
    assert rows(result.by_year) == [
        (2027, 2, [("EUR", Decimal("100.00"))], 1),
        (2028, 1, [("NOK", Decimal("50.00"))], 0),
        (0, 1, [("EUR", Decimal("7.00"))], 0),
    ]
    assert rows([result.overall]) == [
        ("overall", 4, [("EUR", Decimal("107.00")), ("NOK", Decimal("50.00"))], 1)
    ]
    assert [(r.key, r.count) for r in result.by_status] == [
        ("proposed", 3),
        ("planned", 1),
        ("in_progress", 0),
        ("done", 0),
    ]


# --- city settings ----------------------------------------------------------------------------


def test_stakeholder_types_are_editable_but_types_in_use_cannot_be_removed():
    w = make_world()
    new_action(w, stakeholder_types=["Media"])
    assert domain.set_stakeholder_types(city=w.city, types=["Media", " Farmers ", "Media", ""]) == [
        "Media",
        "Farmers",
    ]
    with pytest.raises(PlanningValidationError) as caught:
        domain.set_stakeholder_types(city=w.city, types=["Farmers"])
    assert caught.value.errors == {
        "stakeholder_types": "Still used by actions, so they cannot be removed: Media."
    }
    w.city.refresh_from_db()
    assert w.city.stakeholder_types == ["Media", "Farmers"]


# --- a final assessment's plan ------------------------------------------------------------------


def _final_with_action(world):
    domain.set_targets(
        assessment=world.assessment,
        user=world.admin,
        targets={"L1": "S"},
        target_date=D(2027, 6, 30),
    )
    action = new_action(world, "Flood drill", objectives=["L1S1"], due_date=D(2027, 3, 1))
    second = new_action(world, "Second drill")
    from vertebra.assessments.domain import finalize

    finalize(assessment=world.assessment, user=world.admin)
    world.assessment.refresh_from_db()
    action.assessment = second.assessment = world.assessment
    return action, second


def test_a_final_assessments_targets_and_planned_actions_stay_as_finalized():
    w = make_world()
    action, second = _final_with_action(w)
    events_before = ActionEvent.objects.count()
    refused = [
        lambda: domain.set_targets(
            assessment=w.assessment, user=w.admin, targets={"L1": "M"}, target_date=D(2028, 1, 1)
        ),
        lambda: new_action(w, "Late idea"),
        lambda: domain.create_proposed_actions(assessment=w.assessment, user=w.admin),
        lambda: domain.update_action(action=action, user=w.editor, changes={"title": "Renamed"}),
        lambda: domain.update_action(
            action=action, user=w.editor, changes={"due_date": D(2028, 1, 1)}
        ),
        lambda: domain.delete_action(action=action, user=w.editor),
        lambda: domain.merge_actions(into=action, others=[second], user=w.editor),
    ]
    for attempt in refused:
        with pytest.raises(domain.PlanLockedError) as exc:
            attempt()
        assert "This assessment is final" in str(exc.value)
    target = Target.objects.get(assessment=w.assessment)
    assert (target.policy_code, target.stage_code, target.target_date) == (
        "L1",
        "S",
        D(2027, 6, 30),
    )
    assert sorted(
        Action.objects.filter(assessment=w.assessment).values_list("title", "version")
    ) == [
        ("Flood drill", 1),
        ("Second drill", 1),
    ]
    assert ActionEvent.objects.count() == events_before


def test_a_final_assessments_actions_are_carried_out_until_the_next_cycle_takes_them_over():
    w = make_world()
    action, _second = _final_with_action(w)
    changed = domain.update_action(
        action=action, user=w.editor, changes={"status": "in_progress", "title": "Flood drill"}
    )
    assert changed == ["status"]
    domain.add_note(action=action, user=w.editor, text="Drill held with the harbour.")
    assert list(
        ActionEvent.objects.filter(action=action, field="status")
        .order_by("id")
        .values_list("old_value", "new_value")
    ) == [("", "proposed"), ("proposed", "in_progress")]

    domain.start_assessment(
        city=w.city, user=w.admin, title="Review 2027", date=D(2027, 1, 15), copy_from=w.assessment
    )
    for attempt in (
        lambda: domain.update_action(action=action, user=w.editor, changes={"status": "done"}),
        lambda: domain.add_note(action=action, user=w.editor, text="Too late here."),
    ):
        with pytest.raises(domain.PlanLockedError) as exc:
            attempt()
        assert "The next cycle has carried this plan's open actions over" in str(exc.value)
    action.refresh_from_db()
    assert (action.status, action.notes.count()) == ("in_progress", 1)
