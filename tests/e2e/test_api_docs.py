"""In Chromium: /api/v1/docs renders every operation of the OpenAPI document (a document
Swagger UI cannot parse, such as one with duplicate keys, shows an error and no operation)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_page_renders_every_operation(page, live_server):
    document = Client().get("/api/v1/openapi.json").json()
    summaries = sorted(
        operation["summary"]
        for operations in document["paths"].values()
        for operation in operations.values()
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/api/v1/docs")
    blocks = page.locator(".opblock")
    expect(blocks).to_have_count(len(summaries))
    shown = sorted(
        text.strip()
        for text in page.locator(".opblock .opblock-summary-description").all_inner_texts()
    )
    assert shown == summaries
    assert page.locator(".errors-wrapper").count() == 0
    assert errors == []
    # One operation opened: its parameters include the conditional-request headers.
    page.locator(".opblock-summary", has_text="Update one answer").click()
    expect(page.locator(".opblock.is-open")).to_contain_text("If-Match")
