"""Email: where it goes (``VERTEBRA_EMAIL_URL``) and sending one message with a clear failure.

``VERTEBRA_EMAIL_URL`` is one of::

    console:                                   the default: written to the server's log
    smtp://host:port                           plain SMTP (port 25 by default)
    smtp+tls://user:password@host:587          STARTTLS
    smtps://user:password@host:465             TLS from the first byte

User and password are percent-encoded in the URL (``%40`` for ``@``).
"""

from __future__ import annotations

import contextlib
import smtplib
from typing import Any
from urllib.parse import unquote, urlsplit

SCHEMES = {
    "smtp": (25, {}),
    "smtp+tls": (587, {"EMAIL_USE_TLS": True}),
    "smtps": (465, {"EMAIL_USE_SSL": True}),
}
# A mail server that does not answer is reported within this many seconds.
SMTP_TIMEOUT_SECONDS = 10


class EmailURLError(ValueError):
    """``VERTEBRA_EMAIL_URL`` cannot be understood; the message names what is wrong."""


def email_settings(url: str) -> dict[str, Any]:
    """Django's email settings for ``url`` (see the module's text)."""
    url = url.strip()
    if url in ("", "console:", "console://"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise EmailURLError(
            f"VERTEBRA_EMAIL_URL must start with console:, smtp://, smtp+tls:// or smtps://, "
            f"not {url.split(':', 1)[0]!r}"
        )
    default_port, tls = SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise EmailURLError("VERTEBRA_EMAIL_URL has a port that is not a number") from None
    if not parts.hostname:
        raise EmailURLError("VERTEBRA_EMAIL_URL names no mail server (smtp://host:port)")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": SMTP_TIMEOUT_SECONDS,
        **tls,
    }


class MailNotSent(Exception):
    """The message did not leave: the text says why, in words for the person who sent it."""


def send(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    """Send one message through the configured server; :class:`MailNotSent` when it fails.

    The caller has already written what the message is about (an invitation, a digest), so a
    server that is down loses nothing: the person can send it again later."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(
            "The mail server could not send the message "
            f"({type(error).__name__}: {error}). Nothing was lost: try again later."
        ) from error


# --- Signing in: is the mail server there before a person is told a message is on its way --


def check_server() -> None:
    """Connect to the configured server and leave; :class:`MailNotSent` when it cannot be
    reached. A page that sends mail only to some of the addresses typed in (a password reset
    for an address with an account) asks first for every address, so that a server that is
    down gives every address the same answer."""
    from django.core.mail import get_connection

    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        raise MailNotSent(
            "The mail server cannot be reached right now "
            f"({type(error).__name__}: {error}). Nothing was sent: try again later."
        ) from error
    # A server that goes away on QUIT was there all the same.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()
