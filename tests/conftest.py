"""Shared test set-up: a cheap password hasher and the shipped model loaded once per test DB."""

from __future__ import annotations

from typing import Any

import pytest


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    from vertebra.frameworks.domain import load_shipped_frameworks

    with django_db_blocker.unblock():
        load_shipped_frameworks()
