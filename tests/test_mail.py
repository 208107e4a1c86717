"""Email goes where VERTEBRA_EMAIL_URL says, through a real SMTP server; a server that is down
is reported in words, quickly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.smtp import body_of, free_port
from vertebra.mail import EmailURLError, MailNotSent, email_settings, send


def test_console_is_the_default_so_that_make_run_needs_no_mail_server() -> None:
    assert email_settings("") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert email_settings("console:") == email_settings("")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("mail.example.org", 25, "", "", False, False)),
        ("smtp://127.0.0.1:2525", ("127.0.0.1", 2525, "", "", False, False)),
        (
            "smtp+tls://ana%40city.gov:p%3Ass@mail.city.gov:587",
            ("mail.city.gov", 587, "ana@city.gov", "p:ss", True, False),
        ),
        ("smtps://u:p@mail.city.gov", ("mail.city.gov", 465, "u", "p", False, True)),
    ],
)
def test_an_smtp_url_names_host_port_account_and_encryption(url: str, expected: tuple) -> None:
    found = email_settings(url)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (
        found["EMAIL_HOST"],
        found["EMAIL_PORT"],
        found["EMAIL_HOST_USER"],
        found["EMAIL_HOST_PASSWORD"],
        found["EMAIL_USE_TLS"],
        found["EMAIL_USE_SSL"],
    ) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("imap://mail.example.org", "must start with console:, smtp://"),
        ("smtp://", "names no mail server"),
        ("smtp://mail.example.org:http", "port that is not a number"),
    ],
)
def test_a_wrong_email_url_is_named(url: str, message: str) -> None:
    with pytest.raises(EmailURLError, match=message):
        email_settings(url)


def test_a_message_arrives_at_the_smtp_server(mail_server: Any, settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "Vertebra <team@vertebra.example>"
    send(to=["ana@city.example"], subject="Hello", body="Welcome to the team.")
    [message] = mail_server.messages
    assert message["To"] == "ana@city.example"
    assert message["From"] == "Vertebra <team@vertebra.example>"
    assert message["Subject"] == "Hello"
    assert body_of(message).strip() == "Welcome to the team."


def test_a_mail_server_that_is_down_is_reported_in_words(settings: Any) -> None:
    for name, value in email_settings(f"smtp://127.0.0.1:{free_port()}").items():
        setattr(settings, name, value)
    with pytest.raises(MailNotSent, match=r"could not send the message.*Nothing was lost"):
        send(to=["ana@city.example"], subject="Hello", body="Welcome.")
