"""A person in many cities: every page and API list reads a fixed number of queries and shows
a bounded number of cities (the menu a few, the home page a page with a search).

Each guard builds a person in one city and a person in many, and asserts equal query counts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vertebra.access import MENU_CITIES
from vertebra.accounts.models import User
from vertebra.api.tokens import create_token
from vertebra.assessments.domain import create_assessment
from vertebra.assessments.models import Assessment
from vertebra.cities.models import City, Membership, Role
from vertebra.web.views import HOME_CITIES

MANY = HOME_CITIES + 5  # more than one page of the home page, and more than the menu holds


def _city(number: int, *, like: Assessment | None = None) -> tuple[City, Assessment]:
    """A city with two assessments; past the first, rows alone (no answers: cheaper)."""
    city = City.objects.create(slug=f"city-{number:03d}", name=f"City {number:03d}")
    if like is None:
        create_assessment(city=city, user=None, title="Baseline", date=dt.date(2025, 3, 1))
        latest = create_assessment(city=city, user=None, title="Review", date=dt.date(2026, 3, 1))
        return city, latest
    fv = like.framework_version
    Assessment.objects.create(
        city=city, framework_version=fv, title="Baseline", date=dt.date(2025, 3, 1)
    )
    latest = Assessment.objects.create(
        city=city, framework_version=fv, title="Review", date=dt.date(2026, 3, 1)
    )
    return city, latest


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """``one``: an editor of one city; ``many``: an editor of MANY cities, the first the same."""
    built = [_city(0)]
    built += [_city(n, like=built[0][1]) for n in range(1, MANY)]
    one = User.objects.create_user("one@city.example", "pw")
    many = User.objects.create_user("many@city.example", "pw")
    Membership.objects.create(city=built[0][0], user=one, role=Role.EDITOR)
    for city, _ in built:
        Membership.objects.create(city=city, user=many, role=Role.EDITOR)
    return {"one": one, "many": many, "cities": built}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queries(client: Client, url: str, **headers: str) -> tuple[int, Any]:
    client.get(url, **headers)  # the first view keeps the page's parts; count a later one
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), response


def _menu(html: str) -> list[str]:
    nav = html.split('<ul class="site-nav__list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r">([^<]+)</a>", nav)


def _home_cities(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cities/[^/]+/">([^<]+)</a></th>', html)


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/?page=2",
        "/work/",
        "/account/",
        "/cities/city-000/",
        "/cities/city-000/people/",
        "{assessment}",
        "{assessment}policies/L1/",
        "{assessment}history/",
        "/cities/city-000/assessments/new/",
    ],
)
def test_a_page_takes_as_many_queries_for_a_person_in_many_cities_as_in_one(people, page):
    assessment = people["cities"][0][1]
    url = page.format(assessment=f"/cities/city-000/assessments/{assessment.uuid}/")
    one, _ = _queries(_client(people["one"]), url)
    many, _ = _queries(_client(people["many"]), url)
    assert many == one


@pytest.mark.parametrize(
    "path", ["/api/v1/cities", "/api/v1/cities/city-000/assessments", "/api/v1/frameworks"]
)
def test_an_api_list_takes_as_many_queries_for_a_person_in_many_cities_as_in_one(people, path):
    counts = []
    for persona in ("one", "many"):
        _, key = create_token(user=people[persona], name="bench")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        counts.append(_queries(client, path)[0])
    assert counts[0] == counts[1]


def test_the_menu_shows_a_few_cities_the_pages_own_among_them_and_links_to_the_rest(people):
    last = people["cities"][-1][1]
    client = _client(people["many"])
    html = client.get(f"/cities/city-{MANY - 1:03d}/assessments/{last.uuid}/").content.decode()
    assert _menu(html) == [
        *[f"City {n:03d}" for n in range(MENU_CITIES - 1)],
        f"City {MANY - 1:03d}",
        "All your cities…",
    ]
    assert 'aria-current="page">City 024</a>' in html
    # A person in one city sees that city and no link to more.
    html = _client(people["one"]).get("/").content.decode()
    assert _menu(html) == ["City 000"]


def test_the_home_page_shows_a_page_of_cities_with_their_latest_assessment_and_pages_on(people):
    client = _client(people["many"])
    first = client.get("/").content.decode()
    assert _home_cities(first) == [f"City {n:03d}" for n in range(HOME_CITIES)]
    assert first.count(">Review</a>") == HOME_CITIES  # the latest of each city's two
    assert "Baseline" not in first
    assert f"{MANY} cities" in first
    assert "Page 1 of 2" in first
    second = client.get("/?page=2").content.decode()
    assert _home_cities(second) == [f"City {n:03d}" for n in range(HOME_CITIES, MANY)]
    # A page out of range shows the last one; a page that is no number the first.
    assert _home_cities(client.get("/?page=99").content.decode()) == _home_cities(second)
    assert _home_cities(client.get("/?page=x").content.decode()) == _home_cities(first)


def test_the_home_page_finds_a_city_by_name_or_short_name_among_the_persons_own(people):
    City.objects.filter(slug="city-007").update(name="Bilbao")
    outsiders = City.objects.create(slug="bilbao-port", name="Bilbao Port")  # not a member
    client = _client(people["many"])
    assert _home_cities(client.get("/?q=bilb").content.decode()) == ["Bilbao"]
    assert _home_cities(client.get("/?q=city-02").content.decode()) == [
        f"City {n:03d}" for n in range(20, MANY)
    ]
    none = client.get("/?q=nowhere").content.decode()
    assert _home_cities(none) == []
    assert "None of your cities has “nowhere” in its name." in none
    assert outsiders.name not in client.get("/?q=port").content.decode()


def test_the_home_page_of_a_person_in_one_city_has_no_search_or_pages(people):
    html = _client(people["one"]).get("/").content.decode()
    assert _home_cities(html) == ["City 000"]
    assert 'id="city-search"' not in html
    assert "Page 1 of" not in html


def test_the_home_page_seen_again_shows_each_change_of_what_its_rows_show(people):
    """The table is kept, keyed by what its rows show: a stage reached, a renamed assessment
    or city, a new latest assessment and a changed role each show on the next view."""
    from vertebra.assessments.domain import save_answer
    from vertebra.assessments.models import Answer

    client = _client(people["one"])
    city, latest = people["cities"][0]
    html = client.get("/").content.decode()
    assert ">Review</a>" in html
    assert 'badge--stage">Starting' not in html

    # Every Starting objective of the latest assessment achieved: its stage is Starting.
    stage_s = latest.framework_version.objectives.filter(stage_code="S")
    for answer in Answer.objects.filter(assessment=latest, objective__in=stage_s).select_related(
        "assessment", "objective"
    ):
        save_answer(answer=answer, user=None, changes={"status": "achieved"})
    assert 'badge--stage">Starting' in client.get("/").content.decode()

    Assessment.objects.filter(pk=latest.pk).update(title="Spring review")
    assert ">Spring review</a>" in client.get("/").content.decode()
    City.objects.filter(pk=city.pk).update(name="Donostia")
    assert _home_cities(client.get("/").content.decode()) == ["Donostia"]
    newest = create_assessment(city=city, user=None, title="Autumn", date=dt.date(2026, 10, 1))
    assert f'/assessments/{newest.uuid}/">Autumn</a>' in client.get("/").content.decode()
    Membership.objects.filter(user=people["one"]).update(role=Role.VIEWER)
    assert "<td>Viewer</td>" in client.get("/").content.decode()


def test_the_menu_seen_again_shows_a_renamed_city_the_pages_own_and_a_new_one(people):
    """The menu's links are kept, keyed by what they show: a renamed city, the page's own city
    and a person's cities growing past what the menu holds each show on the next view."""
    client = _client(people["one"])
    assert _menu(client.get("/").content.decode()) == ["City 000"]
    City.objects.filter(slug="city-000").update(name="Donostia")  # no signal: the key alone
    html = client.get("/").content.decode()
    assert _menu(html) == ["Donostia"]
    assert 'aria-current="page">Donostia</a>' not in html
    assert 'aria-current="page">Donostia</a>' in client.get("/cities/city-000/").content.decode()
    for city, _ in people["cities"][1 : MENU_CITIES + 1]:
        Membership.objects.create(city=city, user=people["one"], role=Role.VIEWER)
    # Nine cities: the menu holds the first eight by name, and links to the rest.
    assert _menu(client.get("/").content.decode()) == [
        *[f"City {n:03d}" for n in range(1, MENU_CITIES + 1)],
        "All your cities…",
    ]


def test_the_home_page_seen_again_shows_a_new_count_search_and_page(people):
    """The list is kept whole with its search form, count and pages, keyed by them too."""
    client = _client(people["many"])
    assert f"{MANY} cities" in client.get("/").content.decode()
    late = City.objects.create(slug="zubieta", name="Zubieta")  # sorts after every other
    Membership.objects.create(city=late, user=people["many"], role=Role.VIEWER)
    first = client.get("/").content.decode()
    assert f"{MANY + 1} cities" in first
    assert _home_cities(first) == [f"City {n:03d}" for n in range(HOME_CITIES)]
    assert _home_cities(client.get("/?page=2").content.decode())[-1] == "Zubieta"
    found = client.get("/?q=zub").content.decode()
    assert 'value="zub"' in found
    assert "1 city<" in found
    assert _home_cities(found) == ["Zubieta"]
    other = client.get("/?q=city-01").content.decode()
    assert 'value="city-01"' in other
    assert _home_cities(other) == [f"City {n:03d}" for n in range(10, 20)]


def test_each_city_of_the_api_list_is_the_city_as_read_alone(people):
    """The list reads plain values and the single read a membership: both give the same."""
    City.objects.filter(slug="city-001").update(stakeholder_types=["Port", "Schools"])
    Membership.objects.filter(user=people["many"], city__slug="city-002").update(role=Role.VIEWER)
    _, key = create_token(user=people["many"], name="list")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = client.get("/api/v1/cities?limit=5").json()["results"]
    assert [city["slug"] for city in listed] == [f"city-{n:03d}" for n in range(5)]
    for city in listed:
        assert city == client.get(f"/api/v1/cities/{city['slug']}").json()
    assert listed[1]["stakeholder_types"] == ["Port", "Schools"]
    assert (listed[2]["role"], listed[2]["can_write"]) == ("viewer", False)
    assert (listed[0]["role"], listed[0]["can_write"]) == ("editor", True)
