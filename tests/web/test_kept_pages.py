"""Pages kept for reuse (vertebra.fragments) show every saved change and each request's own
CSRF token, and never give one person's permissions to another."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import World
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import (
    AnswerPlan,
    finalize,
    save_answer,
    save_answers,
)
from vertebra.assessments.evidence import (
    add_attachment,
    add_comment,
    link_attachment,
    remove_attachment,
)
from vertebra.assessments.models import Answer, Assessment
from vertebra.fragments import CSRF_PLACEHOLDER, forget_all
from vertebra.planning.domain import (
    confirm_objectives,
    create_action,
    finish_action,
    set_targets,
    start_assessment,
)
from vertebra.reports.imports import import_answers
from vertebra.workshops.models import Workshop

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAVE_FORM = 'action="{url}objectives/L1S1/save/"'
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # each request's own, in forms and headers


def _answer(world: World, code: str = "L1S1") -> Answer:
    return Answer.objects.select_related("assessment", "objective").get(
        assessment=world.assessment, objective__code=code
    )


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_policy_page_seen_before_shows_each_kind_of_change(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = world.client("editor")
    url = world.url("policies/L1/")
    editor = world.people["editor"]
    assert "Flood plan approved by the council" not in _page(client, url)

    answer = save_answer(
        answer=_answer(world),
        user=editor,
        changes={"status": "achieved", "evidence": "Flood plan approved by the council"},
    ).answer
    html = _page(client, url)
    assert "Flood plan approved by the council" in html
    assert '<article id="objective-L1S1" class="objective objective--achieved"' in html

    add_comment(answer=answer, user=world.people["contributor"], text="Minutes are filed.")
    html = _page(client, url)
    assert '<p class="comment__text">Minutes are filed.</p>' in html

    file = add_attachment(
        answer=answer, user=editor, upload=SimpleUploadedFile("minutes-2026.txt", b"minutes")
    )
    assert ">minutes-2026.txt</a>" in _page(client, url)
    remove_attachment(attachment=file, answer=answer, user=editor)
    html = _page(client, url)
    assert ">minutes-2026.txt</a>" not in html
    assert "History (4 changes)" in html  # status, evidence, file added, file removed

    finalize(assessment=world.assessment, user=world.people["admin"])
    html = _page(client, url)
    assert SAVE_FORM.format(url=world.url()) not in html
    assert "This assessment is final and can no longer be changed." in html


def test_dashboard_seen_before_shows_new_figures(world: World) -> None:
    client = world.client("viewer")
    assert '<span class="figure__value">0 / 96</span>' in _page(client, world.url())
    for code in ("L1S1", "L1S2"):
        save_answer(
            answer=_answer(world, code), user=world.people["editor"], changes={"status": "achieved"}
        )
    html = _page(client, world.url())
    assert '<span class="figure__value">2 / 96</span>' in html
    assert "L1 stands at Starting; Moderate needs L1M1, L1M2, L1M3, L1M4 and L1M5." in html


@pytest.mark.parametrize("first", ["admin", "viewer"])
def test_each_role_sees_its_own_actions_whoever_opened_the_page_first(
    world: World, first: str
) -> None:
    save_form = SAVE_FORM.format(url=world.url())
    comment_form = f'action="{world.url()}objectives/L1S1/comments/"'
    pages = {
        role: _page(world.client(role), world.url("policies/L1/"))
        for role in [
            first,
            *(r for r in ("admin", "editor", "contributor", "viewer") if r != first),
        ]
    }
    assert save_form in pages["admin"] and save_form in pages["editor"]
    assert save_form not in pages["contributor"] and save_form not in pages["viewer"]
    assert comment_form in pages["contributor"]
    assert comment_form not in pages["viewer"]
    finalize_link = f'href="{world.url()}finalize/"'
    dashboards = {role: _page(world.client(role), world.url()) for role in ("viewer", "admin")}
    assert finalize_link in dashboards["admin"]
    assert finalize_link not in dashboards["viewer"]


def test_kept_page_carries_each_requests_own_csrf_token(world: World) -> None:
    url = world.url("policies/L1/")
    for email_role in ("editor", "admin"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.people[email_role])
        html = _page(client, url)
        assert CSRF_PLACEHOLDER not in html
        tokens = TOKEN.findall(html)
        assert len(tokens) >= 10  # logout, and each objective's save, upload and comment forms
        version = str(_answer(world).version)
        saved = client.post(
            world.url("objectives/L1S1/save/"),
            {"status": "in_progress", "version": version, "csrfmiddlewaretoken": tokens[-1]},
        )
        assert saved.status_code == 302
        refused = client.post(
            world.url("objectives/L1S1/save/"),
            {
                "status": "achieved",
                "version": str(int(version) + 1),
                "csrfmiddlewaretoken": "x" * 64,
            },
        )
        assert refused.status_code == 403
        save_answer(answer=_answer(world), user=None, changes={"status": "not_started"})


def test_a_renamed_person_shows_under_the_new_name(world: World) -> None:
    editor = world.people["editor"]
    save_answer(answer=_answer(world), user=editor, changes={"status": "achieved"})
    client = world.client("viewer")
    assert "last changed by editor@porto.example" in _page(client, world.url("policies/L1/"))
    editor.name = "Ana Ferreira"
    editor.save()
    assert "last changed by Ana Ferreira" in _page(client, world.url("policies/L1/"))


def test_page_with_one_objectives_errors_keeps_the_other_cards_and_its_own_input(
    world: World,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["editor"])
    url = world.url("policies/L1/")
    token = TOKEN.findall(_page(client, url))[-1]
    refused = client.post(
        world.url("objectives/L1S1/save/"),
        {"status": "in_progress", "progress": "140", "version": "1", "csrfmiddlewaretoken": token},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert CSRF_PLACEHOLDER not in html
    assert "Progress is a whole number from 0 to 100." in html
    in_l1 = Answer.objects.filter(assessment=world.assessment, objective__policy_code="L1").count()
    assert html.count('<article id="objective-') == in_l1 == 11
    # The kept cards of the others, and the plain page afterwards, are as before.
    again = _page(client, url)
    assert "Progress is a whole number from 0 to 100." not in again
    assert again.count('<article id="objective-') == in_l1


# Every write path, as (change, how much the assessment's revision grows). Each runs on a
# draft whose L1S1 has a file, and an action done for L1S2 and L1M1.
def _save_one(world: World) -> None:
    save_answer(answer=_answer(world), user=world.people["editor"], changes={"notes": "Checked."})


def _save_many(world: World) -> None:
    plans = [AnswerPlan(_answer(world, code), {"status": "achieved"}) for code in ("L2M1", "L4S1")]
    save_answers(
        assessment=world.assessment, user=world.people["editor"], plans=plans, source="api"
    )


def _import(world: World) -> None:
    import_answers(
        assessment=world.assessment,
        user=world.people["editor"],
        data=b"objective,status\nL3S1,achieved\nL3M1,in_progress\n",
        filename="answers.csv",
    )


def _comment(world: World) -> None:
    add_comment(answer=_answer(world), user=world.people["contributor"], text="Minutes filed.")


def _add_file(world: World) -> None:
    upload = SimpleUploadedFile("budget.txt", b"budget")
    add_attachment(answer=_answer(world), user=world.people["editor"], upload=upload)


def _remove_file(world: World) -> None:
    answer = _answer(world)
    remove_attachment(
        attachment=answer.attachments.get(), answer=answer, user=world.people["editor"]
    )


def _link_file(world: World) -> None:
    link_attachment(
        attachment=_answer(world).attachments.get(),
        answer=_answer(world, "L1S2"),
        user=world.people["editor"],
    )


def _confirm(world: World) -> None:
    action = world.assessment.actions.get()
    confirm_objectives(
        action=action, user=world.people["editor"], codes=["L1S2", "L1M1"], evidence="Done."
    )


def _targets(world: World) -> None:
    set_targets(assessment=world.assessment, user=world.people["admin"], targets={"L1": "M"})


def _finalize(world: World) -> None:
    finalize(assessment=world.assessment, user=world.people["admin"])


def _open_review(world: World) -> Any:
    """A critical friend of another city reviewing the assessment (no member of it)."""
    from vertebra.accounts.models import User
    from vertebra.cities import team
    from vertebra.reviews import domain as reviews

    friend = User.objects.create_user("friend@elsewhere.example", "pw", name="Fran")
    review, _token = reviews.invite(
        assessment=world.assessment,
        email=friend.email,
        until=dt.date.today() + dt.timedelta(days=7),
        by=None,
    )
    team.accept(invitation=review.invitation, user=friend)
    review.invitation.refresh_from_db()
    return review, friend


def _review_note(world: World) -> None:
    from vertebra.reviews import domain as reviews

    review, friend = _open_review(world)
    reviews.add_note(review=review, objective="L1S1", mark="agree", text="Well shown.", by=friend)


def _review_answer(world: World) -> None:
    from vertebra.reviews import domain as reviews
    from vertebra.reviews.models import ReviewNote

    reviews.reply(note=ReviewNote.objects.get(), text="Thank you.", by=world.people["editor"])


def _open_workshop(world: World) -> None:
    from vertebra.workshops.domain import create_workshop

    create_workshop(
        assessment=world.assessment,
        user=world.people["editor"],
        data={
            "title": "Leadership",
            "date": world.assessment.date,
            "policies": ["L1"],
            "stakeholder_types": ["Media"],
        },
    )


def _workshop(world: World) -> Workshop:
    """The workshop every case starts with."""
    return Workshop.objects.select_related("assessment").filter(assessment=world.assessment)[0]


def _join_workshop(world: World) -> None:
    from vertebra.workshops.domain import join

    join(
        workshop=_workshop(world),
        data={"name": "Ana", "stakeholder_type": "Media"},
        address="10.0.0.1",
    )


def _agree_unchanged(world: World) -> None:
    from vertebra.workshops.domain import AgreedAnswer, record_consensus

    current = _answer(world, "L1S2").status
    record_consensus(
        workshop=_workshop(world),
        user=world.people["editor"],
        answers=[AgreedAnswer("L1S2", current, None, "As it was.")],
    )


CHANGES: dict[str, tuple[Callable[[World], None], int]] = {
    "one answer saved": (_save_one, 1),
    "answers saved together": (_save_many, 1),
    "answers imported": (_import, 1),
    "comment": (_comment, 1),
    "file added": (_add_file, 1),
    "file removed": (_remove_file, 1),
    "file linked to another objective": (_link_file, 1),
    "objectives of an action confirmed": (_confirm, 2),  # one save per objective
    "target set": (_targets, 1),
    "finalized": (_finalize, 1),
    "critical friend's note": (_review_note, 1),
    "answer to a critical friend's note": (_review_answer, 1),
    # Workshops: the assessment's page shows their participation, each card where its answer
    # was agreed (also when the agreed answer was already the city's).
    "workshop opened": (_open_workshop, 1),
    "participant joined a workshop": (_join_workshop, 1),
    "answer agreed unchanged in a workshop": (_agree_unchanged, 1),
}


def _revision(world: World) -> int:
    return Assessment.objects.values_list("revision", flat=True).get(pk=world.assessment.pk)


def _seen(world: World, api: Client) -> tuple[str, ...]:
    """The dashboard, a policy page and the API's whole read, without the per-request token."""
    api_read = api.get(
        f"/api/v1/cities/{world.city.slug}/assessments/{world.assessment.uuid}"
        "?include=answers,profile"
    )
    assert api_read.status_code == 200
    pages = (
        _page(world.client("viewer"), world.url()),
        _page(world.client("editor"), world.url("policies/L1/")),
        _page(world.client("contributor"), world.url("policies/L2/")),
        api_read.content.decode(),
    )
    return tuple(CSRF_TOKEN.sub("", page) for page in pages)


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_write_moves_the_revision_and_kept_parts_show_it(world: World, change: str) -> None:
    editor = world.people["editor"]
    save_answer(answer=_answer(world), user=editor, changes={"status": "in_progress"})
    add_attachment(
        answer=_answer(world), user=editor, upload=SimpleUploadedFile("plan.txt", b"plan")
    )
    action = create_action(
        assessment=world.assessment,
        user=editor,
        data={"title": "Drill", "objectives": ["L1S2", "L1M1"]},
    )
    finish_action(action=action, user=editor)
    _open_workshop(world)
    if change == "answer to a critical friend's note":
        _review_note(world)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user=editor, name='t')[1]}")
    before = _seen(world, api)
    revision = _revision(world)
    write, grows_by = CHANGES[change]

    write(world)

    assert _revision(world) == revision + grows_by
    kept = _seen(world, api)
    forget_all()
    assert kept == _seen(world, api)  # as rendered afresh
    assert kept != before


def test_a_new_cycle_starts_its_own_revision_and_leaves_the_previous_alone(world: World) -> None:
    admin = world.people["admin"]
    set_targets(assessment=world.assessment, user=admin, targets={"L1": "M"})
    save_answer(answer=_answer(world), user=admin, changes={"status": "achieved"})
    assert _revision(world) == 2
    follower = start_assessment(
        city=world.city,
        user=admin,
        title="Review 2027",
        date=dt.date(2027, 3, 1),
        copy_from=world.assessment,
    )
    assert _revision(world) == 2
    assert follower.answers.get(objective__code="L1S1").revision == 0
    # The copied targets are the new cycle's first change.
    assert Assessment.objects.get(pk=follower.pk).revision == 1
