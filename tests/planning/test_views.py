"""Planning pages: every persona on every page, the forms end to end, query-count guards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from vertebra.assessments.domain import profile_of
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
