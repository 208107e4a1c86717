"""The assessment rules every delivery room relies on: cycles, saving with history, batches."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection

from vertebra.accounts.models import User
from vertebra.assessments.domain import (
    AnswerConflictError,
    AnswerPlan,
    AnswerValidationError,
    AssessmentLockedError,
    create_assessment,
    finalize,
    profile_of,
    save_answer,
    save_answers,
)
from vertebra.assessments.models import Answer, AnswerEvent, Assessment
from vertebra.cities.models import City

pytestmark = pytest.mark.django_db


def new_assessment() -> tuple[Assessment, User]:
    city = City.objects.create(slug="glasgow", name="Glasgow")
    user = User.objects.create_user("lead@glasgow.example", "a-long-password")
    assessment = create_assessment(city=city, user=user, title="2026", date=dt.date(2026, 1, 5))
    return assessment, user


def answer(assessment: Assessment, code: str) -> Answer:
    return assessment.answers.select_related("objective").get(objective__code=code)


def test_new_assessment_has_one_not_started_answer_per_objective():
    assessment, _ = new_assessment()
    assert assessment.answers.count() == 96
    assert set(assessment.answers.values_list("status", flat=True)) == {"not_started"}
    assert assessment.framework_version.framework_id == "smr-rmm"


def test_new_cycle_copies_the_previous_answers():
    first, user = new_assessment()
    save_answer(
        answer=answer(first, "L1S1"),
        user=user,
        changes={"status": "achieved", "evidence": "Team set up by decree 12/2025"},
    )
    second = create_assessment(
        city=first.city, user=user, title="2027", date=dt.date(2027, 1, 5), copy_from=first
    )
    copied = answer(second, "L1S1")
    assert (copied.status, copied.evidence, copied.version) == (
        "achieved",
        "Team set up by decree 12/2025",
        1,
    )
    assert second.previous == first


def test_save_answer_records_each_changed_field_and_bumps_the_version():
    assessment, user = new_assessment()
    result = save_answer(
        answer=answer(assessment, "L1S1"),
        user=user,
        changes={"status": "in_progress", "progress": 40, "notes": ""},
        expected_version=1,
    )
    assert sorted(result.changed) == ["progress", "status"]
    assert result.answer.version == 2
    events = AnswerEvent.objects.filter(answer=result.answer).order_by("field")
    assert [(e.field, e.old_value, e.new_value, e.user) for e in events] == [
        ("progress", "", "40", user),
        ("status", "not_started", "in_progress", user),
    ]


def test_save_answer_refuses_a_stale_version_and_keeps_the_other_value():
    assessment, user = new_assessment()
    target = answer(assessment, "L1S1")
    save_answer(answer=target, user=user, changes={"notes": "first"}, expected_version=1)
    with pytest.raises(AnswerConflictError) as exc:
        save_answer(answer=target, user=user, changes={"notes": "second"}, expected_version=1)
    assert exc.value.current.notes == "first"
    assert answer(assessment, "L1S1").notes == "first"


def test_not_applicable_needs_a_justification():
    assessment, user = new_assessment()
    with pytest.raises(AnswerValidationError) as exc:
        save_answer(
            answer=answer(assessment, "L1S1"), user=user, changes={"status": "not_applicable"}
        )
    assert exc.value.errors == {
        "na_justification": "Say why this objective does not apply to the city."
    }
    assert AnswerEvent.objects.count() == 0


def test_final_assessment_refuses_changes_and_keeps_its_snapshot():
    assessment, user = new_assessment()
    save_answer(answer=answer(assessment, "L3S1"), user=user, changes={"status": "achieved"})
    finalize(assessment=assessment, user=user)
    assessment.refresh_from_db()
    assert assessment.snapshot["policies"]["L3"]["stage"] == "S"
    with pytest.raises(AssessmentLockedError):
        save_answer(answer=answer(assessment, "L3M1"), user=user, changes={"status": "achieved"})
    with pytest.raises(AssessmentLockedError):
        finalize(assessment=assessment, user=user)


def test_save_answers_writes_a_batch_with_history_in_bulk(django_assert_max_num_queries):
    assessment, user = new_assessment()
    answers = list(assessment.answers.select_related("objective"))
    plans = [AnswerPlan(a, {"status": "achieved"}, a.version) for a in answers]
    with django_assert_max_num_queries(8):
        results = save_answers(assessment=assessment, user=user, plans=plans, source="api")
    assert [r.changed for r in results] == [["status"]] * 96
    assert profile_of(assessment).overall.stage == "T"
    assert set(assessment.answers.values_list("version", flat=True)) == {2}
    assert AnswerEvent.objects.filter(assessment=assessment, source="api").count() == 96


def test_save_answers_is_all_or_nothing_on_a_conflict():
    assessment, user = new_assessment()
    first, second = answer(assessment, "L1S1"), answer(assessment, "L1S2")
    save_answer(answer=second, user=user, changes={"notes": "someone else"})
    plans = [
        AnswerPlan(first, {"status": "achieved"}, 1),
        AnswerPlan(second, {"status": "achieved"}, 1),
    ]
    with pytest.raises(AnswerConflictError) as exc:
        save_answers(assessment=assessment, user=user, plans=plans, source="api")
    assert exc.value.current.objective.code == "L1S2"
    assert answer(assessment, "L1S1").status == "not_started"
    assert AnswerEvent.objects.filter(field="status").count() == 0


def test_save_answers_validates_every_plan_before_writing():
    assessment, user = new_assessment()
    plans = [
        AnswerPlan(answer(assessment, "L1S1"), {"status": "achieved"}),
        AnswerPlan(answer(assessment, "L1S2"), {"progress": 140}),
    ]
    with pytest.raises(AnswerValidationError) as exc:
        save_answers(assessment=assessment, user=user, plans=plans, source="import")
    assert exc.value.errors == {"progress": "Progress is a whole number from 0 to 100."}
    assert answer(assessment, "L1S1").status == "not_started"


def test_new_cycle_carries_over_targets_and_open_actions_only():
    from vertebra.planning.domain import create_action, set_targets, start_assessment
    from vertebra.planning.models import Action

    first, user = new_assessment()
    set_targets(assessment=first, user=user, targets={"L1": "A"}, target_date=dt.date(2027, 6, 30))
    open_action = create_action(
        assessment=first,
        user=user,
        data={
            "title": "Set up the coordination board",
            "objectives": ["L1M1"],
            "status": "planned",
            "due_date": dt.date(2027, 3, 1),
            "cost": "12000",
        },
    )
    create_action(assessment=first, user=user, data={"title": "Old idea", "status": "cancelled"})
    create_action(assessment=first, user=user, data={"title": "Finished", "status": "done"})

    second = start_assessment(
        city=first.city, user=user, title="2027", date=dt.date(2027, 1, 5), copy_from=first
    )

    assert list(second.targets.values_list("policy_code", "stage_code", "target_date")) == [
        ("L1", "A", dt.date(2027, 6, 30))
    ]
    carried = Action.objects.get(assessment=second)
    assert (carried.title, carried.status, carried.due_date, str(carried.cost)) == (
        "Set up the coordination board",
        "planned",
        dt.date(2027, 3, 1),
        "12000.00",
    )
    assert [o.code for o in carried.objectives.all()] == ["L1M1"]
    assert carried.objectives.get().framework_version == second.framework_version
    assert carried.events.get().source == "carry-over"
    # The previous cycle's plan is left as it was.
    assert Action.objects.filter(assessment=first).count() == 3
    assert Action.objects.get(pk=open_action.pk).assessment == first


def test_save_answers_writes_distinct_values_to_the_right_answers():
    assessment, user = new_assessment()
    answers = list(assessment.answers.select_related("objective").order_by("objective__position"))
    plans = [
        AnswerPlan(a, {"notes": f"note for {a.objective.code}", "progress": i % 3 or None})
        for i, a in enumerate(answers[:12])
    ]
    results = save_answers(assessment=assessment, user=user, plans=plans, source="api")
    stored = {
        a.objective.code: (a.notes, a.progress, a.version)
        for a in assessment.answers.select_related("objective")
    }
    for i, a in enumerate(answers[:12]):
        expected_progress = i % 3 or None
        assert stored[a.objective.code] == (f"note for {a.objective.code}", expected_progress, 2)
    assert stored[answers[12].objective.code] == ("", None, 1)
    assert [r.answer.version for r in results] == [2] * 12


def _revision(assessment: Assessment) -> int:
    return Assessment.objects.values_list("revision", flat=True).get(pk=assessment.pk)


def test_revision_grows_by_one_with_every_kind_of_change_and_only_then(tmp_path, settings):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vertebra.assessments.domain import answer_revisions
    from vertebra.assessments.evidence import add_attachment, add_comment, remove_attachment

    settings.MEDIA_ROOT = tmp_path
    assessment, user = new_assessment()
    other = create_assessment(
        city=assessment.city, user=user, title="Other", date=dt.date(2026, 2, 1)
    )
    assert _revision(assessment) == 0

    first = save_answer(
        answer=answer(assessment, "L1S1"), user=user, changes={"status": "achieved"}
    )
    assert _revision(assessment) == 1
    save_answer(answer=first.answer, user=user, changes={"status": "achieved"})  # no change
    assert _revision(assessment) == 1
    save_answer(answer=first.answer, user=user, changes={"owner": "Civil Protection", "notes": "n"})
    assert _revision(assessment) == 2
    save_answers(
        assessment=assessment,
        user=user,
        plans=[
            AnswerPlan(answer(assessment, "L1S2"), {"status": "achieved"}),
            AnswerPlan(answer(assessment, "L1M1"), {"status": "not_started"}),  # no change
        ],
        source="api",
    )
    assert _revision(assessment) == 3
    add_comment(answer=first.answer, user=user, text="Checked with the fire service.")
    assert _revision(assessment) == 4
    file = add_attachment(
        answer=first.answer, user=user, upload=SimpleUploadedFile("plan.txt", b"plan")
    )
    assert _revision(assessment) == 5
    remove_attachment(attachment=file, answer=first.answer, user=user)
    assert _revision(assessment) == 6
    # Another assessment of the same city is counted apart.
    assert _revision(other) == 0

    revisions = answer_revisions(assessment, "L1")
    assert [r.code for r in revisions] == [
        o.code for o in assessment.framework_version.objectives.filter(policy_code="L1")
    ]
    by_code = {r.code: (r.stage_code, r.revision) for r in revisions}
    # L1S1: two saves, a comment, a file added and removed; its version counts the saves only.
    assert by_code["L1S1"] == ("S", 5)
    assert answer(assessment, "L1S1").version == 3
    assert by_code["L1S2"] == ("S", 1)
    assert by_code["L1M1"] == ("M", 0)

    finalize(assessment=assessment, user=user)
    assert _revision(assessment) == 7
    with pytest.raises(AssessmentLockedError):
        add_comment(answer=first.answer, user=user, text="Too late.")
    assert _revision(assessment) == 7


def test_a_comment_does_not_make_a_pending_save_conflict():
    from vertebra.assessments.evidence import add_comment

    assessment, user = new_assessment()
    loaded = answer(assessment, "L1S1")
    add_comment(answer=loaded, user=user, text="Who owns this?")
    result = save_answer(
        answer=loaded, user=user, changes={"owner": "Planning"}, expected_version=loaded.version
    )
    assert (result.answer.owner, result.answer.version, result.answer.revision) == (
        "Planning",
        2,
        2,
    )


def test_a_save_since_the_callers_read_is_a_conflict_or_the_old_value_of_the_next_change():
    """The caller's copy is written without reading it again only while it is current."""
    assessment, user = new_assessment()
    loaded = answer(assessment, "L1S1")
    save_answer(answer=answer(assessment, "L1S1"), user=user, changes={"notes": "other"})
    with pytest.raises(AnswerConflictError) as exc:
        save_answer(answer=loaded, user=user, changes={"notes": "mine"}, expected_version=1)
    assert (exc.value.current.notes, exc.value.current.version) == ("other", 2)
    assert AnswerEvent.objects.filter(answer=loaded).count() == 1

    # Without an expected version the change goes on from the value now stored.
    result = save_answer(answer=loaded, user=user, changes={"notes": "mine"})
    assert (result.answer.notes, result.answer.version, result.answer.revision) == ("mine", 3, 2)
    stored = answer(assessment, "L1S1")
    assert (stored.notes, stored.version, stored.revision) == ("mine", 3, 2)
    assert list(
        AnswerEvent.objects.filter(answer=loaded)
        .order_by("id")
        .values_list("old_value", "new_value")
    ) == [("", "other"), ("other", "mine")]


def test_saving_a_current_answer_reads_it_once(django_assert_num_queries):  # type: ignore[no-untyped-def]
    """The caller's copy is written as it is: count the change, UPDATE, history."""
    assessment, user = new_assessment()
    loaded = answer(assessment, "L1S1")
    with django_assert_num_queries(5):  # with the SAVEPOINT and RELEASE of the test's atomic
        result = save_answer(
            answer=loaded, user=user, changes={"notes": "a", "owner": "b"}, expected_version=1
        )
    assert result.answer is loaded
    assert (loaded.notes, loaded.owner, loaded.version, loaded.revision) == ("a", "b", 2, 1)
    assert AnswerEvent.objects.filter(answer=loaded).count() == 2


def test_a_merged_save_without_what_was_loaded_is_refused_when_stale():
    from vertebra.assessments.domain import answer_digest, save_merged

    assessment, user = new_assessment()
    loaded = answer(assessment, "L1S1")
    digest = answer_digest(loaded)
    save_answer(answer=answer(assessment, "L1S1"), user=user, changes={"owner": "Harbour"})
    for tampered in ("", "not-a-digest", digest[:-1]):
        with pytest.raises(AnswerConflictError) as exc:
            save_merged(
                answer=answer(assessment, "L1S1"),
                user=user,
                changes={"notes": "mine"},
                loaded=tampered,
                expected_version=1,
            )
        assert exc.value.fields is None
    # With it, the change merges: the owner someone else set stays.
    result = save_merged(
        answer=answer(assessment, "L1S1"),
        user=user,
        changes={"notes": "mine", "owner": ""},
        loaded=digest,
        expected_version=1,
    )
    assert (result.changed, result.answer.owner, result.answer.notes) == (
        ["notes"],
        "Harbour",
        "mine",
    )


def test_upgrade_starts_the_revisions_at_the_changes_so_far():
    import importlib

    from django.apps import apps

    from vertebra.assessments.evidence import add_comment

    migration = importlib.import_module("vertebra.assessments.migrations.0004_revisions")
    assessment, user = new_assessment()
    other = create_assessment(
        city=assessment.city, user=user, title="Other", date=dt.date(2026, 2, 1)
    )
    first = save_answer(
        answer=answer(assessment, "L1S1"), user=user, changes={"status": "achieved", "notes": "n"}
    )
    save_answer(answer=answer(assessment, "L1S2"), user=user, changes={"owner": "Fire service"})
    add_comment(answer=first.answer, user=user, text="Seen.")
    add_comment(answer=first.answer, user=user, text="Seen again.")
    Answer.objects.update(revision=0)
    Assessment.objects.update(revision=0)

    # The migration's data step is given the schema editor of the database it migrates.
    migration.count_past_changes(apps, SimpleNamespace(connection=connection))

    assert _revision(assessment) == 5  # three history events and two comments
    assert _revision(other) == 0
    assert dict(
        assessment.answers.filter(revision__gt=0).values_list("objective__code", "revision")
    ) == {"L1S1": 4, "L1S2": 1}
