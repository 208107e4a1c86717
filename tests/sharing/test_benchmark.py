"""Opt-in benchmarking: what each city sees, what it contributes, and that nothing singles a
city out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import error
from tests.sharing.factories import assessed, member, token_of
from vertebra.cities.models import City, Role
from vertebra.sharing import benchmark
from vertebra.sharing.models import BenchmarkFigures, SharingEvent

API = "/api/v1/cities/{}/benchmark?framework=smr-rmm&version=1"
STAGES = [None, "S", "M", "A", "R", "T"]


def counts(*found: int) -> list[dict[str, Any]]:
    return [{"stage": s, "cities": n} for s, n in zip(STAGES, found, strict=True)]


def _city(slug: str, *, opted_in: bool, achieved: tuple[str, ...] = ()) -> City:
    city = City.objects.create(slug=slug, name=f"Town {slug.title()}")
    assessed(city, achieved)
    if opted_in:
        benchmark.opt_in(city=city, by=None)
    return city


@pytest.fixture
def peers(db: None) -> dict[str, Any]:
    """Porto (L1 at Starting) opted in, with five other opted-in cities (three at Starting in L1,
    two at no stage), and Lisbon, ahead in L1 but not opted in."""
    porto = _city("porto", opted_in=False, achieved=("L1S",))
    admin = member("admin@porto.example", porto)
    viewer = member("viewer@porto.example", porto, Role.VIEWER)
    benchmark.opt_in(city=porto, by=admin)
    others = [_city(f"peer{n}", opted_in=True, achieved=("L1S",)) for n in range(3)]
    others += [_city(f"peer{n}", opted_in=True) for n in range(3, 5)]
    lisbon = _city("lisbon", opted_in=False, achieved=("L1S", "L1M"))
    outsider = member("admin@lisbon.example", lisbon)
    return {
        "porto": porto,
        "admin": admin,
        "viewer": viewer,
        "others": others,
        "lisbon": lisbon,
        "outsider": outsider,
    }


def api(user: Any, slug: str = "porto") -> Any:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_of(user)}")
    return client.get(API.format(slug))


def test_a_member_sees_how_many_other_cities_stand_at_each_stage_and_where_the_city_stands(
    peers: dict[str, Any],
) -> None:
    response = api(peers["viewer"])

    assert response.status_code == 200
    body = response.json()
    l1 = next(p for p in body["policies"] if p["code"] == "L1")
    assert l1 == {
        "code": "L1",
        "name": l1["name"],
        "counts": counts(2, 3, 0, 0, 0, 0),
        "stage": "S",
        "position": "same",
    }
    assert body["other_cities"] == 5
    assert body["contributes"] is True
    assert body["overall"]["counts"] == counts(5, 0, 0, 0, 0, 0)
    assert body["overall"]["stage"] is None
    assert body["overall"]["position"] == "same"
    assert [d["counts"] for d in body["dimensions"]] == [counts(5, 0, 0, 0, 0, 0)] * 4


def test_the_benchmark_has_an_etag_and_answers_if_none_match_with_304(
    peers: dict[str, Any],
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_of(peers['viewer'])}")
    first = client.get(API.format("porto"))
    again = client.get(API.format("porto"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"].startswith('"')
    assert (again.status_code, again.content) == (304, b"")


def test_a_city_behind_or_ahead_of_the_median_is_told_so(peers: dict[str, Any]) -> None:
    benchmark.opt_out(city=peers["porto"], by=peers["admin"])
    assessed(peers["porto"], ("L1S", "L1M"), title="Review 2027", date=dt.date(2027, 3, 1))
    benchmark.opt_in(city=peers["porto"], by=peers["admin"])

    body = api(peers["viewer"]).json()

    l1 = next(p for p in body["policies"] if p["code"] == "L1")
    assert (l1["counts"], l1["stage"], l1["position"]) == (counts(2, 3, 0, 0, 0, 0), "M", "ahead")


def test_a_city_that_has_not_opted_in_sees_nothing_and_contributes_nothing(
    peers: dict[str, Any],
) -> None:
    response = api(peers["outsider"], "lisbon")

    assert response.status_code == 403
    assert response.json() == error(
        "not_opted_in",
        "This city does not take part in benchmarking. Its admins can opt in on the city's "
        "Sharing page; until then it sees no figures and contributes none.",
    )
    figures = BenchmarkFigures.objects.get()
    assert figures.contributors == 6  # Porto and its five peers, not Lisbon
    assert figures.counts["policies"]["L1"] == {"": 2, "S": 4}


def test_below_five_other_cities_there_are_no_figures(peers: dict[str, Any]) -> None:
    benchmark.opt_out(city=peers["others"][0], by=None)

    response = api(peers["viewer"])

    assert response.status_code == 409
    assert response.json() == error(
        "not_enough_cities",
        "Not enough cities yet: figures are shown once at least 5 other cities that use this "
        "model version take part.",
    )
    page = Client()
    page.force_login(peers["viewer"])
    html = page.get("/cities/porto/benchmark/").content.decode()
    assert "Not enough cities yet" in html
    assert 'id="benchmark-table"' not in html


def test_opting_in_and_out_is_recorded_with_who_when_and_the_consent_text(
    peers: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(peers["admin"])

    refused = client.post("/cities/porto/sharing/benchmark/join/", {})  # already in: no-op
    left = client.post("/cities/porto/sharing/benchmark/leave/")

    assert (refused.status_code, left.status_code) == (400, 302)
    porto = City.objects.get(slug="porto")
    assert porto.share_for_benchmarking is False
    events = list(
        SharingEvent.objects.filter(city=porto).order_by("id").values_list("kind", "by_email")
    )
    assert events == [("opted_in", "admin@porto.example"), ("opted_out", "admin@porto.example")]
    consent = SharingEvent.objects.filter(city=porto, kind="opted_in").get().detail
    assert consent == benchmark.consent_text()
    assert BenchmarkFigures.objects.get().contributors == 5
    assert api(peers["viewer"]).status_code == 403


def test_opting_in_without_ticking_the_consent_writes_nothing(peers: dict[str, Any]) -> None:
    client = Client()
    client.force_login(peers["outsider"])

    response = client.post("/cities/lisbon/sharing/benchmark/join/", {})

    assert response.status_code == 400
    assert "Tick the box to agree to what is shared." in response.content.decode()
    assert City.objects.get(slug="lisbon").share_for_benchmarking is False
    assert not SharingEvent.objects.filter(city__slug="lisbon").exists()


def test_finalizing_in_an_opted_in_city_counts_at_once(peers: dict[str, Any]) -> None:
    assessed(peers["others"][3], ("L1S",), title="Review 2027", date=dt.date(2027, 1, 1))

    l1 = next(p for p in api(peers["viewer"]).json()["policies"] if p["code"] == "L1")

    assert l1["counts"] == counts(1, 4, 0, 0, 0, 0)


def test_an_older_assessment_finalized_later_does_not_replace_the_latest(
    peers: dict[str, Any],
) -> None:
    assessed(peers["others"][0], (), title="Review 2020", date=dt.date(2020, 1, 1))

    l1 = next(p for p in api(peers["viewer"]).json()["policies"] if p["code"] == "L1")

    assert l1["counts"] == counts(2, 3, 0, 0, 0, 0)


def test_outsiders_and_anonymous_visitors_get_nothing(peers: dict[str, Any]) -> None:
    outsider = api(peers["outsider"])
    anonymous = Client().get(API.format("porto"))
    page = Client()
    page.force_login(peers["outsider"])

    assert outsider.status_code == 404
    assert outsider.json()["code"] == "not_found"
    assert anonymous.status_code == 401
    assert page.get("/cities/porto/benchmark/").status_code == 404
    assert Client().get("/cities/porto/benchmark/").status_code == 302


def test_an_unknown_model_version_is_404_and_a_malformed_one_422(peers: dict[str, Any]) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_of(peers['viewer'])}")

    unknown = client.get("/api/v1/cities/porto/benchmark?framework=smr-rmm&version=9")
    malformed = client.get("/api/v1/cities/porto/benchmark?framework=smr-rmm&version=x")
    missing = client.get("/api/v1/cities/porto/benchmark")

    assert (unknown.status_code, unknown.json()["detail"]) == (404, "No such model version.")
    assert malformed.status_code == 422
    assert missing.status_code == 422


def test_no_benchmark_response_names_or_counts_out_any_city(peers: dict[str, Any]) -> None:
    """Neither the API nor the page holds any city's name or slug (the asking city's slug only
    in its own addresses), nor any row per city."""
    page = Client()
    page.force_login(peers["viewer"])
    bodies = [
        json.dumps(api(peers["viewer"]).json()),
        page.get("/cities/porto/benchmark/").content.decode(),
    ]
    cities = list(City.objects.all())

    for body in bodies:
        for city in cities:
            if city.slug != "porto":
                assert city.name not in body
                assert city.slug not in body
        own = body.replace("/cities/porto/", "/").replace("Town Porto", "")
        own = own.replace("viewer@porto.example", "")  # the signed-in person, in the menu
        assert "porto" not in own.lower()
    api_body = json.loads(bodies[0])
    assert (
        api_body["url"]
        == "http://testserver/api/v1/cities/porto/benchmark?framework=smr-rmm&version=1"
    )
    assert "Town Porto" not in bodies[0]
    rows = [api_body["overall"], *api_body["dimensions"], *api_body["policies"]]
    assert all(sum(c["cities"] for c in row["counts"]) == 5 for row in rows)


def test_the_benchmark_is_read_in_a_fixed_number_of_queries(
    peers: dict[str, Any], django_assert_num_queries: Any
) -> None:
    token = token_of(peers["viewer"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(API.format("porto"))  # the token's first use of the minute is recorded once
    with django_assert_num_queries(5) as few:
        assert client.get(API.format("porto")).status_code == 200
    for n in range(6, 12):
        _city(f"peer{n}", opted_in=True, achieved=("L1S",))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(API.format("porto")).json()["other_cities"] == 11
