""" "Forgot your password?": the email leaves through a real SMTP server, its link works once,
and an unknown address gets the same page and no email."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.smtp import body_of
from tests.web.conftest import make_person
from vertebra.accounts.models import User
from vertebra.accounts.signin import is_locked

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)")
SENT = "If the address belongs to an account, an email with a link to choose a new password"
NEW = "a-fresh-river-stone-42"


TOKENS = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def page_of(response) -> str:
    """The page, with each request's own CSRF token left out."""
    return TOKENS.sub(r"\1…", response.content.decode())


def ask_for_reset(email: str) -> tuple[int, str]:
    response = Client().post("/password-reset/", {"email": email}, follow=True)
    return response.status_code, page_of(response)


def test_the_email_arrives_and_its_link_sets_a_new_password_once(mail_server) -> None:
    make_person("bea@porto.example")

    status, page = ask_for_reset("Bea@Porto.example")

    assert status == 200
    assert SENT in page
    [message] = mail_server.wait_for(1)
    assert message["To"] == "bea@porto.example"
    assert message["Subject"] == "Choose a new Vertebra password"
    link = LINK.search(body_of(message))
    assert link, body_of(message)
    assert body_of(message).replace("\r\n", "\n").strip() == (
        "Someone asked to choose a new password for the Vertebra account of "
        "bea@porto.example on testserver.\n\n"
        "Open this link to choose it (it works once, for 3 days):\n\n"
        f"http://testserver{link.group(1)}\n\n"
        "If you did not ask for this, ignore this email: your password stays as it is."
    )

    browser = Client()
    form = browser.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert 'name="new_password1"' in form.content.decode()
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/password-reset/done/"
    assert User.objects.get(email="bea@porto.example").check_password(NEW)

    again = Client().get(link.group(1), follow=True).content.decode()
    assert "This link does not work any more" in again
    assert 'name="new_password1"' not in again


def test_an_unknown_address_gets_the_same_page_and_no_email(mail_server) -> None:
    make_person("bea@porto.example")

    known = ask_for_reset("bea@porto.example")
    mail_server.wait_for(1)
    unknown = ask_for_reset("nobody@porto.example")

    assert unknown == known
    assert [m["To"] for m in mail_server.wait_for(2, seconds=1)] == ["bea@porto.example"]


def test_the_new_password_is_checked_by_the_validators_with_the_person(mail_server) -> None:
    user = make_person("beatriz.silva@porto.example")
    ask_for_reset("beatriz.silva@porto.example")
    link = LINK.search(body_of(mail_server.wait_for(1)[0]))
    assert link
    browser = Client()
    form = browser.get(link.group(1), follow=True)

    response = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "beatriz.silva", "new_password2": "beatriz.silva"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The password is too similar to the email address." in page
    user.refresh_from_db()
    assert user.check_password("pw")


def test_a_mail_server_that_is_down_is_told_the_same_for_every_address(settings) -> None:
    from tests.smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    make_person("bea@porto.example")

    known = Client().post("/password-reset/", {"email": "bea@porto.example"})
    unknown = Client().post("/password-reset/", {"email": "nobody@porto.example"})

    assert known.status_code == unknown.status_code == 503
    assert page_of(unknown) == page_of(known).replace("bea@porto.example", "nobody@porto.example")
    assert "The email could not be sent: the mail server cannot be reached right now." in (
        page_of(known)
    )


def test_an_address_that_is_not_one_is_named() -> None:
    status, page = ask_for_reset("not an address")

    assert status == 200
    assert "Enter a valid email address." in page


def test_a_new_password_by_email_lifts_a_sign_in_lock(mail_server) -> None:
    make_person("bea@porto.example")
    for _ in range(10):
        Client().post("/login/", {"username": "bea@porto.example", "password": "wrong"})
    assert is_locked("bea@porto.example")
    ask_for_reset("bea@porto.example")
    link = LINK.search(body_of(mail_server.wait_for(1)[0]))
    assert link
    browser = Client()
    form = browser.get(link.group(1), follow=True)

    browser.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert not is_locked("bea@porto.example")
    signed_in = Client()
    response = signed_in.post("/login/", {"username": "bea@porto.example", "password": NEW})
    assert (response.status_code, "_auth_user_id" in signed_in.session) == (302, True)
