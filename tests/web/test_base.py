"""The page frame every screen shares: skip link, cities, log out, htmx served locally."""

from __future__ import annotations

import pytest
from django.test import Client

from vertebra.accounts.models import User
from vertebra.cities.models import City, Membership, Role

pytestmark = pytest.mark.django_db


def test_login_page_is_styled_and_has_labelled_fields(client: Client) -> None:
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/web/css/app.css">' in html
    assert '<label for="id_username">Email address</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "<script>" not in html
    assert "style=" not in html


def test_login_with_wrong_password_says_so(client: Client) -> None:
    User.objects.create_user("ana@example.org", "right-password")
    response = client.post("/login/", {"username": "ana@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.content.decode()


def test_base_shows_skip_link_own_cities_and_logout_form(client: Client) -> None:
    user = User.objects.create_user("ana@example.org", "pw")
    mine = City.objects.create(slug="porto", name="Porto")
    City.objects.create(slug="riga", name="Riga")
    Membership.objects.create(city=mine, user=user, role=Role.VIEWER)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<a href="/cities/porto/">Porto</a>' in html
    assert "Riga" not in html
    assert '<form method="post" action="/logout/" class="inline-form">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<script src="/static/web/vendor/htmx.min.js" defer></script>' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_logout_is_a_post_that_ends_the_session(client: Client) -> None:
    user = User.objects.create_user("ana@example.org", "pw")
    client.force_login(user)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/")["Location"] == "/login/?next=/"


def test_opening_logout_shows_a_page_with_the_button_and_logs_nobody_out(
    client: Client,
) -> None:
    user = User.objects.create_user("ana@example.org", "pw")
    client.force_login(user)
    page = client.get("/logout/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "You are logged in as ana@example.org. Log out of Vertebra on this browser?" in html
    assert '<form method="post" action="/logout/" data-leave-freely>' in html
    assert client.get("/").status_code == 200  # still logged in
    client.post("/logout/")
    after = client.get("/logout/").content.decode()
    assert "You are logged out." in after
    assert 'id="confirm-logout"' not in after


def test_htmx_is_vendored_not_fetched_from_a_cdn(client: Client) -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("web/vendor/htmx.min.js")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert "htmx" in handle.read(2000)


def test_models_and_migrations_agree() -> None:
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_forbidden_page_explains_in_words(client: Client) -> None:
    user = User.objects.create_user("ana@example.org", "pw")
    city = City.objects.create(slug="porto", name="Porto")
    Membership.objects.create(city=city, user=user, role=Role.VIEWER)
    client.force_login(user)
    response = client.get("/cities/porto/assessments/new/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in html
    assert "<p>Your role in this city does not allow this.</p>" in html


def test_header_links_to_the_personal_api_tokens_page(client: Client) -> None:
    user = User.objects.create_user("ana@example.org", "pw")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert '<a href="/account/tokens/" class="site-nav__link">API tokens</a>' in html


def test_nul_character_in_a_page_address_is_a_plain_400(client: Client) -> None:
    user = User.objects.create_user("ana@example.org", "pw")
    client.force_login(user)
    response = client.get("/cities/porto%00/")
    assert response.status_code == 400
    assert response.content.decode() == (
        "The address contains a NUL character, which is not allowed."
    )


def test_every_page_of_a_city_and_the_tokens_page_say_where_the_person_is(
    client: Client,
) -> None:
    import datetime as dt

    from vertebra.assessments.domain import create_assessment
    from vertebra.cities.models import City, Membership

    city = City.objects.create(slug="porto", name="Porto")
    user = User.objects.create_user("ana@example.org", "pw")
    Membership.objects.create(city=city, user=user, role="admin")
    a = create_assessment(city=city, user=user, title="Review 2026", date=dt.date(2026, 3, 1))
    client.force_login(user)
    pages = {
        f"/cities/porto/assessments/{a.uuid}/import/": "Import answers",
        "/cities/porto/compare/": "Compare cycles",
        "/cities/porto/sharing/": "Sharing",
        "/cities/porto/benchmark/": "Benchmark",
        "/cities/porto/settings/stakeholder-types/": "Stakeholder types",
        f"/cities/porto/assessments/{a.uuid}/plan/actions/": "Plan",
        "/cities/porto/": "Porto",
        "/account/tokens/": "API tokens",
    }
    for url, crumb in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count('<nav class="breadcrumbs" aria-label="You are here">') == 1, url
        nav = html[html.index('<nav class="breadcrumbs"') :]
        nav = nav[: nav.index("</nav>")]
        assert '<li><a href="/">Your cities</a></li>' in nav, url
        assert f'<li><span aria-current="page">{crumb}</span></li>' in nav, url
        in_city = crumb not in {"API tokens", "Porto"}
        assert ('<a href="/cities/porto/">Porto</a>' in nav) == in_city, url
        # An assessment's pages (its import, its plan) name it, linked.
        of_assessment = crumb in {"Import answers", "Plan"}
        assert (f'/assessments/{a.uuid}/">Review 2026</a>' in nav) == of_assessment, url
