""" "Your account": a person's own name, password, language and digest emails, every error at
once and nothing half-written."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.conftest import make_person
from vertebra.accounts.models import User

pytestmark = pytest.mark.django_db

NEW = "a-fresh-river-stone-42"


@pytest.fixture
def bea() -> User:
    user = make_person("bea@porto.example")
    user.name = "Bea"
    user.save()
    return user


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def stored(user: User) -> tuple[str, str, bool, bool]:
    user.refresh_from_db()
    return user.name, user.language, user.digest_emails, user.check_password("pw")


def test_every_page_links_to_your_account(bea: User) -> None:
    page = signed_in(bea).get("/").content.decode()

    assert '<a href="/account/" class="site-nav__link">Your account</a>' in page


def test_an_anonymous_visitor_is_sent_to_sign_in() -> None:
    response = Client().get("/account/")

    assert (response.status_code, response["Location"]) == (302, "/login/?next=/account/")


def test_name_language_and_digest_are_saved(bea: User) -> None:
    client = signed_in(bea)

    response = client.post("/account/", {"name": " Beatriz Silva ", "language": "en"}, follow=True)

    assert response.redirect_chain == [("/account/", 302)]
    assert "Your account was saved." in response.content.decode()
    assert stored(bea) == ("Beatriz Silva", "en", False, True)


def test_the_password_changes_with_the_current_one_and_the_session_stays(bea: User) -> None:
    client = signed_in(bea)

    response = client.post(
        "/account/",
        {
            "name": "Bea",
            "digest_emails": "on",
            "current_password": "pw",
            "new_password1": NEW,
            "new_password2": NEW,
        },
        follow=True,
    )

    assert "Your password was changed." in response.content.decode()
    bea.refresh_from_db()
    assert bea.check_password(NEW)
    assert client.get("/account/").status_code == 200  # still signed in


def test_every_error_is_shown_at_once_and_nothing_is_written(bea: User) -> None:
    client = signed_in(bea)

    response = client.post(
        "/account/",
        {
            "name": "x" * 151,
            "language": "xx",
            "digest_emails": "",
            "current_password": "not mine",
            "new_password1": "bea@porto.example",
            "new_password2": "bea@porto.example",
        },
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {
        "name": ["Ensure this value has at most 150 characters (it has 151)."],
        "language": ["Select a valid choice. xx is not one of the available choices."],
        "current_password": ["This is not your current password."],
        "new_password1": ["The password is too similar to the email address."],
    }
    page = response.content.decode()
    assert "Nothing was saved. Please correct what is marked below." in page
    assert stored(bea) == ("Bea", "", True, True)


def test_a_new_password_like_the_new_name_is_refused(bea: User) -> None:
    client = signed_in(bea)

    response = client.post(
        "/account/",
        {
            "name": "Riverstone Gallagher",
            "current_password": "pw",
            "new_password1": "riverstone-gallagher",
            "new_password2": "riverstone-gallagher",
        },
    )

    assert response.context["form"].errors == {
        "new_password1": ["The password is too similar to the name."]
    }
    assert stored(bea) == ("Bea", "", True, True)


def test_a_new_password_needs_the_current_one_and_twice_the_same(bea: User) -> None:
    response = signed_in(bea).post(
        "/account/", {"name": "Bea", "new_password1": NEW, "new_password2": NEW + "!"}
    )

    assert response.context["form"].errors == {
        "current_password": ["Type your current password to change it."],
        "new_password2": ["The two new passwords differ."],
    }
    assert stored(bea) == ("Bea", "", True, True)


def test_a_post_without_the_csrf_token_is_refused(bea: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bea)

    response = client.post("/account/", {"name": "Mallory"})

    assert response.status_code == 403
    assert stored(bea) == ("Bea", "", True, True)


def test_the_chosen_language_is_applied_to_every_page(bea: User, settings) -> None:
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    client = signed_in(bea)
    client.post("/account/", {"name": "Bea", "language": "de", "digest_emails": "on"})

    page = client.get("/", headers={"Accept-Language": "en"})

    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in page.content.decode()
    assert stored(bea) == ("Bea", "de", True, True)


def test_the_empty_language_keeps_the_browsers(bea: User, settings) -> None:
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    client = signed_in(bea)

    page = client.get("/", headers={"Accept-Language": "de"})

    assert page["Content-Language"] == "de"
    assert client.get("/", headers={"Accept-Language": "en"})["Content-Language"] == "en"
