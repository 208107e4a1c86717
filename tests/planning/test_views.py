"""Planning pages: every persona on every page, the forms end to end, query-count guards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from vertebra.assessments.domain import finalize, profile_of
from vertebra.planning import domain
from vertebra.planning.models import Action, Target

from .factories import answer, make_world

pytestmark = pytest.mark.django_db

READERS = ("admin", "editor", "contributor", "viewer")


@pytest.fixture
def world():
    w = make_world()
    answer(w.assessment, {"L1S1": "achieved"})
    domain.set_targets(
        assessment=w.assessment, user=w.admin, targets={"L1": "S"}, target_date=dt.date(2027, 6, 30)
    )
    w.action = domain.create_action(
        assessment=w.assessment,
        user=w.editor,
        data={
            "title": "Adopt the risk register",
            "objectives": ["L1S2"],
            "due_date": dt.date(2027, 3, 31),
            "status": "planned",
        },
    )
    return w


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def plan_url(w, name: str) -> str:
    return reverse(f"planning:{name}", args=[w.city.slug, w.assessment.uuid])


def action_url(w, name: str, action=None) -> str:
    return reverse(f"planning:{name}", args=[w.city.slug, (action or w.action).uuid])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


READ_PAGES = ["plan", "actions", "roadmap", "totals"]


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize("role", READERS)
def test_members_read_every_plan_page(world, page, role):
    response = client_for(world.person(role)).get(plan_url(world, page))
    assert response.status_code == 200
    assert "Adopt the risk register" in text_of(response) or page == "totals"


@pytest.mark.parametrize("page", READ_PAGES)
def test_outsiders_get_404_and_anonymous_visitors_are_sent_to_log_in(world, page):
    url = plan_url(world, page)
    assert client_for(world.outsider).get(url).status_code == 404
    response = client_for(None).get(url)
    assert (response.status_code, response.url) == (302, f"/login/?next={url}")


@pytest.mark.parametrize("role", READERS)
def test_members_read_the_action_page(world, role):
    response = client_for(world.person(role)).get(action_url(world, "action"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Adopt the risk register" in page
    assert ('id="edit-action"' in page) is (role in ("admin", "editor"))


def test_action_page_is_404_for_outsiders_and_login_for_anonymous(world):
    url = action_url(world, "action")
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


# --- writing: permissions ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_readers_cannot_change_the_plan(world, role):
    client = client_for(world.person(role))
    assert client.post(plan_url(world, "propose")).status_code == 403
    assert client.get(plan_url(world, "action_new")).status_code == 403
    assert client.post(plan_url(world, "targets"), {"apply": "all"}).status_code == 403
    for name in ("action_edit", "action_delete", "action_merge", "action_confirm"):
        assert client.get(action_url(world, name)).status_code == 403
    for name in ("action_note", "action_finish"):
        assert client.post(action_url(world, name), {"text": "x"}).status_code == 403
    assert Action.objects.count() == 1
    assert world.action.notes.count() == 0


def test_only_admins_set_targets_and_stakeholder_types(world):
    editor = client_for(world.editor)
    assert editor.get(plan_url(world, "targets")).status_code == 403
    url = reverse("planning:stakeholder_types", args=[world.city.slug])
    assert editor.get(url).status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    admin = client_for(world.admin)
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"types": "Media\nFarmers\n"})
    assert response.status_code == 302
    world.city.refresh_from_db()
    assert world.city.stakeholder_types == ["Media", "Farmers"]


def test_outsiders_get_404_on_every_write(world):
    client = client_for(world.outsider)
    assert client.post(plan_url(world, "propose")).status_code == 404
    assert client.post(action_url(world, "action_finish")).status_code == 404
    assert client.post(action_url(world, "action_delete")).status_code == 404
    assert Action.objects.count() == 1


# --- writing: forms ---------------------------------------------------------------------------


def test_admin_sets_targets_with_the_all_policies_shortcut(world):
    response = client_for(world.admin).post(
        plan_url(world, "targets"),
        {"apply": "all", "all_policies": "M", "target_date": "2028-12-31"},
    )
    assert response.status_code == 302
    assert dict(Target.objects.values_list("policy_code", "stage_code")) == {
        code: "M" for code in ("L1", "L2", "L3", "L4", "P1", "P2", "I1", "I2", "C1", "C2")
    }


def test_target_date_before_the_assessment_is_shown_next_to_the_field(world):
    response = client_for(world.admin).post(
        plan_url(world, "targets"),
        {"apply": "policies", "target_L1": "A", "date_L1": "2020-01-01"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert (
        'id="id_date_L1_error">The target date must be after the assessment date '
        "(15 Jan 2026).</p>" in page
    )
    assert dict(Target.objects.values_list("policy_code", "stage_code")) == {"L1": "S"}


def test_saving_targets_keeps_each_policys_own_date(world):
    domain.set_targets(
        assessment=world.assessment,
        user=world.admin,
        targets={"L2": "M"},
        target_dates={"L2": dt.date(2028, 12, 31)},
    )
    admin = client_for(world.admin)
    page = text_of(admin.get(plan_url(world, "targets")))
    assert 'name="date_L1" value="2027-06-30"' in page
    assert 'name="date_L2" value="2028-12-31"' in page
    # Change one policy's stage as the page sends it: every policy's stage and date.
    form = {"apply": "policies", "target_L1": "M", "date_L1": "2027-06-30"}
    form.update({"target_L2": "M", "date_L2": "2028-12-31"})
    assert admin.post(plan_url(world, "targets"), form).status_code == 302
    assert sorted(Target.objects.values_list("policy_code", "stage_code", "target_date")) == [
        ("L1", "M", dt.date(2027, 6, 30)),
        ("L2", "M", dt.date(2028, 12, 31)),
    ]
    # A shortcut's date goes to the policies it sets only.
    shortcut = {**form, "apply": "dimension:P", "dimension_P": "S", "target_date": "2029-01-01"}
    assert admin.post(plan_url(world, "targets"), shortcut).status_code == 302
    dates = dict(Target.objects.values_list("policy_code", "target_date"))
    assert (dates["L1"], dates["L2"], dates["P1"]) == (
        dt.date(2027, 6, 30),
        dt.date(2028, 12, 31),
        dt.date(2029, 1, 1),
    )


def test_propose_creates_one_action_per_uncovered_gap(world):
    domain.set_targets(assessment=world.assessment, user=world.admin, targets={"L1": "M"})
    response = client_for(world.editor).post(plan_url(world, "propose"))
    assert response.status_code == 302
    assert response.url == plan_url(world, "actions") + "?status=proposed"
    assert sorted(
        Action.objects.filter(status="proposed").values_list("objectives__code", flat=True)
    ) == ["L1M1", "L1M2", "L1M3", "L1M4", "L1M5"]


def test_bad_action_input_shows_messages_next_to_fields_and_saves_nothing(world):
    response = client_for(world.editor).post(
        plan_url(world, "action_new"),
        {
            "title": "Budget",
            "status": "planned",
            "start_date": "2027-05-01",
            "due_date": "2027-04-01",
            "cost": "-100",
        },
    )
    page = text_of(response)
    assert response.status_code == 200
    assert (
        'id="id_due_date_error">The due date (1 Apr 2027) is before the start date (1 May 2027).'
        in page
    )
    assert 'id="id_cost_error">The cost cannot be negative.' in page
    assert "Nothing was saved." in page
    assert Action.objects.count() == 1


def test_editor_creates_then_edits_an_action_and_a_stale_edit_shows_the_conflict(world):
    editor = client_for(world.editor)
    response = editor.post(
        plan_url(world, "action_new"),
        {
            "title": "Write the city resilience strategy",
            "objectives": ["L1M1", "L1M2"],
            "owner_user": str(world.editor.pk),
            "stakeholder_types": ["Media"],
            "due_date": "2027-09-30",
            "cost": "40000",
            "currency": "EUR",
            "status": "planned",
        },
    )
    action = Action.objects.get(title="Write the city resilience strategy")
    assert response.url == action_url(world, "action", action)
    assert (action.owner_user, action.cost, [o.code for o in action.objectives.all()]) == (
        world.editor,
        40000,
        ["L1M1", "L1M2"],
    )
    form = {
        "title": "Write and adopt the strategy",
        "objectives": ["L1M1", "L1M2"],
        "status": "in_progress",
        "currency": "EUR",
        "version": "1",
    }
    assert editor.post(action_url(world, "action_edit", action), form).status_code == 302
    stale = editor.post(action_url(world, "action_edit", action), {**form, "title": "Mine"})
    assert stale.status_code == 409
    page = text_of(stale)
    assert "Someone else saved this action while you were editing it." in page
    assert '<th scope="row">Title</th><td>Write and adopt the strategy</td><td>Mine</td>' in page
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == (
        "Write and adopt the strategy",
        "in_progress",
        2,
    )


def test_notes_delete_and_merge_through_the_pages(world):
    editor = client_for(world.editor)
    other = domain.create_action(
        assessment=world.assessment, user=world.editor, data={"title": "Other", "cost": "5"}
    )
    response = editor.post(action_url(world, "action_note"), {"text": "Kick-off held"})
    assert response.status_code == 302
    assert list(world.action.notes.values_list("text", flat=True)) == ["Kick-off held"]
    future = editor.post(action_url(world, "action_note"), {"text": "x", "date": "2999-01-01"})
    assert future.status_code == 400
    assert "A progress note cannot be dated in the future." in text_of(future)
    response = editor.post(action_url(world, "action_merge"), {"others": [str(other.uuid)]})
    assert response.status_code == 302
    assert list(Action.objects.values_list("title", flat=True)) == ["Adopt the risk register"]
    response = editor.post(action_url(world, "action_delete"))
    assert response.url == plan_url(world, "actions")
    assert Action.objects.count() == 0


def test_finishing_a_changed_action_is_409_with_a_message_and_changes_nothing(world):
    domain.update_action(
        action=world.action, user=world.admin, changes={"title": "Adopt it"}, expected_version=1
    )
    response = client_for(world.editor).post(action_url(world, "action_finish"), {"version": "1"})
    assert response.status_code == 409
    page = text_of(response)
    assert (
        '<p class="message message--error" role="status">Someone changed this action while you '
        "were looking at it; check it and try again.</p>"
    ) in page
    assert "Adopt it" in page
    world.action.refresh_from_db()
    assert (world.action.status, world.action.version) == ("planned", 2)


def test_confirming_into_a_final_assessment_is_409_and_marks_nothing(world):
    editor = client_for(world.editor)
    editor.post(action_url(world, "action_finish"), {"version": "1"})
    finalize(assessment=world.assessment, user=world.admin)
    response = editor.post(
        action_url(world, "action_confirm"), {"codes": ["L1S2"], "evidence": "Decision 12/2027."}
    )
    assert response.status_code == 409
    assert (
        '<p class="message message--warning">This assessment is final; record the achievement '
        "in the next cycle.</p>"
    ) in text_of(response)
    assert world.assessment.answers.get(objective__code="L1S2").status == "not_started"


def test_finish_then_confirm_with_evidence_raises_the_stage(world):
    editor = client_for(world.editor)
    assert profile_of(world.assessment).policies["L1"].stage is None
    response = editor.post(action_url(world, "action_finish"), {"version": "1"})
    assert response.url == action_url(world, "action_confirm")
    assert profile_of(world.assessment).policies["L1"].stage is None
    page = text_of(editor.get(action_url(world, "action_confirm")))
    assert "L1S2" in page
    missing = editor.post(action_url(world, "action_confirm"), {"codes": ["L1S2"], "evidence": ""})
    assert 'id="id_evidence_error">This field is required.' in text_of(missing)
    response = editor.post(
        action_url(world, "action_confirm"),
        {"codes": ["L1S2"], "evidence": "Register adopted by council decision 12/2027."},
    )
    assert response.url == plan_url(world, "plan")
    assert profile_of(world.assessment).policies["L1"].stage == "S"


# --- lists and filters, query-count guards ----------------------------------------------------


def test_action_list_filters_and_highlights_overdue_and_unowned(world):
    domain.create_action(
        assessment=world.assessment,
        user=world.editor,
        data={
            "title": "Late and mine",
            "owner_user": world.editor,
            "due_date": dt.date(2020, 1, 1),
            "status": "in_progress",
            "stakeholder_types": ["Media"],
        },
    )
    client = client_for(world.editor)
    mine = text_of(client.get(plan_url(world, "actions") + "?owner=me"))
    assert "Late and mine" in mine
    assert "Adopt the risk register" not in mine
    assert 'class="row--overdue"' in mine
    unowned = text_of(client.get(plan_url(world, "actions") + "?owner=unowned"))
    assert ("Adopt the risk register" in unowned, "Late and mine" in unowned) == (True, False)
    assert 'class=" row--unowned"' in unowned
    media = text_of(client.get(plan_url(world, "actions") + "?stakeholder=Media&view=board"))
    assert ("Late and mine" in media, "Adopt the risk register" in media) == (True, False)
    policy = text_of(client.get(plan_url(world, "actions") + "?policy=L1&status=planned"))
    assert ("Late and mine" in policy, "Adopt the risk register" in policy) == (False, True)


def _add_actions(w, count: int) -> None:
    for n in range(count):
        domain.create_action(
            assessment=w.assessment,
            user=w.editor,
            data={
                "title": f"Action {n}",
                "objectives": ["L1M1", f"P1S{n % 3 + 1}"],
                "owner_user": w.editor,
                "due_date": dt.date(2027, 1 + n % 12, 1),
                "cost": "10",
                "status": "planned",
            },
        )


@pytest.mark.parametrize("page", ["actions", "roadmap", "plan", "totals"])
def test_plan_pages_use_a_constant_number_of_queries(world, page, django_assert_max_num_queries):
    client = client_for(world.editor)
    url = plan_url(world, page)
    _add_actions(world, 3)
    client.get(url)  # warm the model-shape cache
    with django_assert_max_num_queries(12):
        client.get(url)
    _add_actions(world, 30)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert ("Action 29" in text_of(response)) is (page in ("actions", "roadmap"))


def test_owner_filter_offers_owners_and_keeps_the_chosen_one_selected(world):
    domain.update_action(
        action=world.action, user=world.editor, changes={"owner_user": world.editor}
    )
    client = client_for(world.editor)
    plain = text_of(client.get(plan_url(world, "actions")))
    assert f'<option value="u:{world.editor.pk}">editor@rivertown.example</option>' in plain
    chosen = text_of(client.get(plan_url(world, "actions") + f"?owner=u:{world.editor.pk}"))
    assert (
        f'<option value="u:{world.editor.pk}" selected>editor@rivertown.example</option>' in chosen
    )


def test_a_final_assessments_plan_pages_offer_only_the_carrying_out(world):
    finalize(assessment=world.assessment, user=world.admin)
    admin = client_for(world.admin)
    plan = text_of(admin.get(plan_url(world, "plan")))
    assert 'id="set-targets"' not in plan
    assert 'id="create-proposed-actions"' not in plan
    detail = text_of(admin.get(action_url(world, "action")))
    edit_url = action_url(world, "action_edit")
    assert f'<a class="button" href="{edit_url}" id="edit-action">Change status</a>' in detail
    assert action_url(world, "action_merge") not in detail
    assert action_url(world, "action_delete") not in detail
    assert 'class="note-form"' in detail
    assert "This assessment is final: the action stays as planned." in detail

    # Setting targets from a page opened before: 409 and the reason; the targets stay.
    refused = admin.post(plan_url(world, "targets"), {"target_L1": "M", "apply": "policies"})
    assert refused.status_code == 409
    assert "This assessment is final: its targets and planned actions stay" in text_of(refused)
    assert list(Target.objects.values_list("policy_code", "stage_code")) == [("L1", "S")]

    # The edit page changes only the status; the other fields are shown as they are.
    edit = text_of(admin.get(action_url(world, "action_edit")))
    assert re.search(
        r'<input type="text" name="title" value="Adopt the risk register"[^>]*disabled', edit
    )
    response = admin.post(
        action_url(world, "action_edit"),
        {"title": "Renamed", "status": "in_progress", "version": "1", "currency": "EUR"},
    )
    assert response.status_code == 302
    world.action.refresh_from_db()
    assert (world.action.title, world.action.status, world.action.version) == (
        "Adopt the risk register",
        "in_progress",
        2,
    )


def test_action_history_shows_field_labels_and_status_names(world):
    domain.update_action(
        action=world.action,
        user=world.editor,
        changes={"status": "in_progress", "owner_department": "Civil protection"},
    )
    page = text_of(client_for(world.viewer).get(action_url(world, "action")))
    assert '<td>Status</td><td class="old">Planned</td><td class="new">In progress</td>' in page
    assert (
        '<td>Owning department</td><td class="old"></td><td class="new">Civil protection</td>'
        in page
    )
    assert (
        '<td>Created</td><td class="old"></td><td class="new">Adopt the risk register</td>' in page
    )
    assert "<td>status</td>" not in page and "in_progress</td>" not in page


def test_amounts_are_written_as_the_language_writes_money_in_iso_currencies(world):
    from decimal import Decimal

    domain.update_action(
        action=world.action,
        user=world.editor,
        changes={"cost": Decimal("12500"), "currency": "NOK"},
    )
    admin = client_for(world.admin)
    detail = text_of(admin.get(action_url(world, "action")))
    assert "<dt>Estimated cost</dt><dd>NOK12,500.00</dd>" in detail
    form = text_of(admin.get(action_url(world, "action_edit")))
    assert '<option value="NOK" selected>NOK — Norwegian Krone</option>' in form
    assert '<option value="EUR">EUR — Euro</option>' in form
    for wrong in ("euro", "XYZ", "DEM"):
        with pytest.raises(domain.PlanningValidationError) as exc:
            domain.update_action(
                action=world.action, user=world.editor, changes={"currency": wrong}
            )
        assert exc.value.errors == {
            "currency": "Use the ISO 4217 code of a currency in use, such as EUR, GBP or NOK."
        }
    from vertebra.planning.money import money

    assert money(Decimal("12500.5"), "EUR", "de") == "12.500,50\xa0€"


def test_action_form_shows_its_own_and_the_domains_errors_at_once(world):
    response = client_for(world.editor).post(
        plan_url(world, "action_new"),
        {
            "title": "",
            "status": "planned",
            "start_date": "2027-05-01",
            "due_date": "2027-04-01",
            "cost": "twelve",
        },
    )
    page = text_of(response)
    assert response.status_code == 200
    assert re.findall(r'id="id_(\w+)_error">([^<]*)<', page) == [
        ("title", "This field is required."),
        ("due_date", "The due date (1 Apr 2027) is before the start date (1 May 2027)."),
        ("cost", "Enter the cost as a number, such as 12500 or 12500.50."),
    ]
    assert Action.objects.count() == 1


def test_targets_form_shows_a_bad_date_and_a_date_too_early_at_once(world):
    response = client_for(world.admin).post(
        plan_url(world, "targets"),
        {
            "apply": "policies",
            "target_L1": "A",
            "date_L1": "2020-01-01",
            "target_L2": "M",
            "date_L2": "someday",
        },
    )
    page = text_of(response)
    assert response.status_code == 200
    assert re.findall(r'id="id_(\w+)_error">([^<]*)<', page) == [
        ("date_L1", "The target date must be after the assessment date (15 Jan 2026)."),
        ("date_L2", "Enter a valid date."),
    ]
    assert list(Target.objects.values_list("policy_code", "stage_code")) == [("L1", "S")]


def test_targets_shortcut_without_a_stage_and_with_an_early_date_shows_both(world):
    response = client_for(world.admin).post(
        plan_url(world, "targets"),
        {"apply": "all", "all_policies": "", "target_date": "2020-01-01"},
    )
    page = text_of(response)
    assert re.findall(r'id="id_(\w+)_error">([^<]*)<', page) == [
        ("target_date", "The target date must be after the assessment date (15 Jan 2026)."),
        ("all_policies", "Choose a stage for every policy."),
    ]
    assert list(Target.objects.values_list("policy_code", "stage_code")) == [("L1", "S")]


def test_progress_note_without_text_and_dated_in_the_future_shows_both(world):
    response = client_for(world.editor).post(
        action_url(world, "action_note"), {"text": "", "date": "2999-01-01"}
    )
    page = text_of(response)
    assert response.status_code == 400
    assert re.findall(r'id="id_(\w+)_error">([^<]*)<', page) == [
        ("date", "A progress note cannot be dated in the future."),
        ("text", "This field is required."),
    ]
    assert world.action.notes.count() == 0


def test_action_form_offers_objectives_as_ticks_grouped_by_policy_and_stage(world):
    page = client_for(world.editor).get(action_url(world, "action_edit")).content.decode()
    assert "<select" not in page.split('id="id_objectives_help"')[1].split("</fieldset>")[0]
    assert "Hold Ctrl" not in page
    # Ten policies, each a details; L1 is open: it holds the action's objective.
    policies = re.findall(
        r'<details class="objective-picker__policy" data-picker-policy( open)?>', page
    )
    assert [bool(p) for p in policies] == [True] + [False] * 9
    assert re.findall(r"<legend>(L1 · [^<]+)</legend>", page) == [
        "L1 · Starting",
        "L1 · Moderate",
        "L1 · Advanced",
        "L1 · Robust",
        "L1 · verTebrate",
    ]
    ticks = re.findall(
        r'<input type="checkbox" name="objectives" value="(\w+)"[^>]*?( checked)?>', page
    )
    assert len(ticks) == 96
    assert [code for code, checked in ticks if checked] == ["L1S2"]
    assert "Chosen: L1S2" in page
    assert '<script src="/static/planning/picker.js" defer></script>' in page


def test_ticking_several_objectives_saves_them_all(world):
    response = client_for(world.editor).post(
        plan_url(world, "action_new"),
        {"title": "Joint drills", "status": "planned", "objectives": ["P1S1", "L1S2", "C2T1"]},
    )
    assert response.status_code == 302
    action = Action.objects.get(title="Joint drills")
    assert list(action.objectives.order_by("position").values_list("code", flat=True)) == [
        "L1S2",
        "P1S1",
        "C2T1",
    ]
