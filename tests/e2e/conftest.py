"""End-to-end tests: Playwright for Python driving Debian's Chromium against a live server.

`make test` installs Chromium (`make browser`) and runs these in their own pytest run
(`-m e2e`), after the rest of the suite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's database
# work happens in its own thread, and the tests' own set-up is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    outside: list[str] = []

    def refuse_outside(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    # The application must make no request to the outside world.
    context.route(
        "**/*",
        lambda route: route.continue_() if _local(route.request.url) else refuse_outside(route),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert outside == [], f"pages asked for outside resources: {outside}"


def _local(url: str) -> bool:
    return url.startswith(("http://localhost", "http://127.0.0.1", "data:", "blob:", "about:"))
