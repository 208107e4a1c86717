"""Pages kept for reuse (vertebra.fragments) show every saved change and each request's own
CSRF token, and never give one person's permissions to another."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import World
from vertebra.assessments.domain import finalize, save_answer
from vertebra.assessments.evidence import add_attachment, add_comment, remove_attachment
from vertebra.assessments.models import Answer
from vertebra.fragments import CSRF_PLACEHOLDER

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAVE_FORM = 'action="{url}objectives/L1S1/save/"'


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
    remove_attachment(attachment=file, user=editor)
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
