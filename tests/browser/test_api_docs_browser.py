"""The API docs (Swagger UI from drf-spectacular-sidecar) render under their
Content-Security-Policy: the inline init script runs by nonce, nothing else is blocked (the
``page`` fixture fails on any CSP console error)."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_every_operation(page: Page, server):
    page.goto(f"{server}/api/v1/docs/")

    expect(page.get_by_role("heading", name="EventHub API")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/me").first).to_be_visible()
