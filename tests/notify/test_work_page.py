"""The "Your work" page: what concerns the person, in each of their own cities, with links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.notify.factories import action, invite, make_cities, own
from vertebra.assessments.evidence import add_comment
from vertebra.cities.models import Membership
from vertebra.work import work_of

pytestmark = pytest.mark.django_db


def page_of(user) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get("/work/")
    assert response.status_code == 200
    return response.content.decode()


def summary(user) -> dict:  # type: ignore[no-untyped-def]
    """The page's content as (city, section, what each item says)."""
    found = {}
    for city in work_of(user).cities:
        found[city.city.slug] = {
            "objectives": [(o.code, o.path) for o in city.objectives],
            "comments": [(c.author, c.text) for c in city.comments],
            "mentions": [(c.author, c.text) for c in city.mentions],
            "actions": [(a.title, a.overdue) for a in city.actions],
            "invitations": [(i.role, i.invited_by) for i in city.invitations],
        }
    return found


def test_the_page_lists_objectives_comments_mentions_actions_and_invitations() -> None:
    c = make_cities()
    today = timezone.localdate()
    own(c, c.porto_draft, "L1S1", "ana lopes ")  # by name, whatever the case
    own(c, c.porto_draft, "L1S2", "ANA@porto.example")  # by email
    own(c, c.porto_draft, "L1M1", "Water department")  # a department: nobody's
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.bruno, text="Done the survey.")
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.ana, text="My own note.")
    add_comment(answer=c.answer(c.porto_draft, "L1M1"), user=c.bruno, text="@Ana Lopes look")
    action(c.porto_draft, c.ana, "Soon", today + dt.timedelta(days=14))
    action(c.porto_draft, c.ana, "Late", today - dt.timedelta(days=1))
    action(c.porto_draft, c.ana, "Later", today + dt.timedelta(days=15))
    action(c.porto_draft, c.ana, "Finished", today - dt.timedelta(days=3), status="done")
    action(c.porto_draft, c.bruno, "Not hers", today)
    invite(c.riga, "Ana@Porto.example", by=c.dmitri)
    invite(c.riga, "ana@porto.example", days=-1, withdrawn_at=timezone.now())
    objective = f"/cities/porto/assessments/{c.porto_draft.uuid}/objectives"

    assert summary(c.ana) == {
        "porto": {
            "objectives": [("L1S1", f"{objective}/L1S1/"), ("L1S2", f"{objective}/L1S2/")],
            "comments": [("Bruno", "Done the survey.")],
            "mentions": [("Bruno", "@Ana Lopes look")],
            "actions": [("Late", True), ("Soon", False)],
            "invitations": [],
        },
        "riga": {
            "objectives": [],
            "comments": [],
            "mentions": [],
            "actions": [],
            "invitations": [("Editor", "Dmitri")],
        },
    }
    html = page_of(c.ana)
    assert f'href="{objective}/L1S1/"' in html
    assert "Done the survey." in html
    assert "My own note." not in html
    assert "Later" not in html and "Finished" not in html and "Not hers" not in html
    assert "Overdue since" in html


def test_a_comment_on_ones_objective_that_mentions_one_is_listed_once() -> None:
    c = make_cities()
    own(c, c.porto_draft, "L1S1", "Ana Lopes")
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.bruno, text="@ana@porto.example hi")
    assert summary(c.ana)["porto"]["comments"] == []
    assert summary(c.ana)["porto"]["mentions"] == [("Bruno", "@ana@porto.example hi")]


def test_a_person_of_another_city_sees_nothing_of_this_one() -> None:
    c = make_cities()
    today = timezone.localdate()
    # Porto's text names Riga's Dmitri in every way it could.
    own(c, c.porto_draft, "L1S1", "Dmitri")
    own(c, c.porto_draft, "L1S2", "dmitri@riga.example")
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.ana, text="@Dmitri see this")
    # An action still owned by someone no longer a member (the plan keeps its owner).
    porto_action = action(c.porto_draft, c.ana, "Porto's action", today)
    type(porto_action).objects.filter(pk=porto_action.pk).update(owner_user=c.dmitri)
    assert summary(c.dmitri) == {}
    html = page_of(c.dmitri)
    assert "Porto" not in html and "see this" not in html
    assert "Nothing waits for you." in html


def test_a_person_who_left_a_city_sees_nothing_of_it_any_more() -> None:
    c = make_cities()
    own(c, c.porto_draft, "L1S1", "Carla Dias")
    add_comment(answer=c.answer(c.porto_draft, "L1S2"), user=c.ana, text="@Carla Dias hi")
    action(c.porto_draft, c.carla, "Hers", timezone.localdate())
    assert set(summary(c.carla)) == {"porto"}
    Membership.objects.filter(user=c.carla, city=c.porto).delete()
    assert summary(c.carla) == {}


def test_a_final_assessment_holds_no_work() -> None:
    from vertebra.assessments.models import AssessmentStatus

    c = make_cities()
    own(c, c.porto_draft, "L1S1", "Ana Lopes")
    c.porto_draft.status = AssessmentStatus.FINAL
    c.porto_draft.save(update_fields=["status"])
    assert summary(c.ana) == {}


def test_every_page_links_to_your_work_and_signing_in_lands_there() -> None:
    c = make_cities()
    client = Client()
    response = client.post("/login/", {"username": "ana@porto.example", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    home = client.get("/").content.decode()
    assert '<a href="/work/" class="site-nav__link">Your work</a>' in home
    work = client.get("/work/").content.decode()
    assert '<a href="/work/" class="site-nav__link" aria-current="page">Your work</a>' in work
    assert c.ana.email in work


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/work/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/work/"


def test_the_page_costs_the_same_queries_however_much_work(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = make_cities()
    client = Client()
    client.force_login(c.ana)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/work/").status_code == 200
        return len(queries)

    # One of each kind first (a kind with no rows at all costs one query less: its rows with
    # everything they show are read only when there are some), then more of each.
    own(c, c.porto_draft, "L1S1", "Ana Lopes")
    add_comment(answer=c.answer(c.porto_draft, "L1S1"), user=c.bruno, text="@Ana Lopes one")
    count()  # the process keeps the model's objective titles after its first page
    few = count()
    for code in ("L1S2", "L1M1", "L1A1"):
        own(c, c.porto_draft, code, "Ana Lopes")
        add_comment(answer=c.answer(c.porto_draft, code), user=c.bruno, text="@Ana Lopes more")
        action(c.porto_draft, c.ana, f"Action {code}", timezone.localdate())
        invite(c.riga, "ana@porto.example") if code == "L1S2" else None
    assert count() == few


def test_an_invitation_is_accepted_from_your_work_by_the_invited_address_only() -> None:
    from vertebra.cities.models import Invitation
    from vertebra.cities.team import invite as send_invitation

    c = make_cities()
    invitation, _token = send_invitation(
        city=c.riga, email="ana@porto.example", role="editor", by=c.dmitri
    )
    accept = f"/invitations/accept/{invitation.uuid}/"
    page = page_of(c.ana)
    assert f'action="{accept}"' in page and "Join Riga" in page

    # Someone else, signed in, cannot use it: the same 404 as for no invitation at all.
    assert signed_in(c.bruno).post(accept).status_code == 404
    assert not Membership.objects.filter(city=c.riga, user=c.bruno).exists()

    response = signed_in(c.ana).post(accept)
    assert (response.status_code, response["Location"]) == (302, "/cities/riga/")
    assert Membership.objects.get(city=c.riga, user=c.ana).role == "editor"
    invitation.refresh_from_db()
    assert invitation.accepted_by == c.ana
    # Used up: a second press finds nothing.
    assert signed_in(c.ana).post(accept).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client
