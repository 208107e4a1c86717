"""Shared test set-up: a cheap password hasher and the shipped model loaded once per test DB."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Generated cases are judged by what they find, not by how fast a busy machine makes them: no
# deadline per case and no "too slow" health check (the suite runs beside other work in CI).
hypothesis_settings.register_profile(
    "vertebra", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("vertebra")


def pytest_configure(config: Any) -> None:
    """Pages name static files without hashes here: the suite does not run collectstatic
    (`vertebra serve` does; tests/test_serve.py checks the hashed names it serves)."""
    from pathlib import Path

    from django.conf import settings

    # `vertebra serve` makes the static folder; the suite's pages are served without it.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Languages (docs/TRANSLATING.md) ---------------------------------------------------------
@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts and ends in the default language: a page asked for in Spanish leaves
    Spanish active in the test's thread, as a server's next request would not notice."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    from vertebra.frameworks.domain import load_shipped_frameworks

    with django_db_blocker.unblock():
        load_shipped_frameworks()


@pytest.fixture(scope="session")
def _mail_server() -> Any:
    from tests.smtp import MailServer

    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_server(_mail_server: Any, settings: Any) -> Any:
    """A real SMTP server this test's mail goes to (``mail_server.messages``; ``.url`` for a
    served instance's ``VERTEBRA_EMAIL_URL``)."""
    from vertebra.mail import email_settings

    _mail_server.clear()
    for name, value in email_settings(_mail_server.url).items():
        setattr(settings, name, value)
    return _mail_server
