"""``/docs`` in a real browser with every request off the server blocked, as on a machine
without internet: Swagger UI renders the API, and the page never tries to reach anything
else."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.live_lab import LiveLab

pytestmark = pytest.mark.slow

RENDER_MS = 30_000  # Swagger UI's bundle is large: a loaded machine takes its time


def _offline(page: Page, lab: LiveLab) -> list[str]:
    """Block every request to another origin than the lab's; returns the list of those tried."""
    ours = urlsplit(lab.base).netloc
    tried: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == ours:
            route.continue_()
        else:
            tried.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", route)
    return tried


def test_swagger_ui_renders_the_api_without_internet(page: Page, live_lab: LiveLab) -> None:
    tried = _offline(page, live_lab)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_lab.base}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "chargeyard CSMS API", timeout=RENDER_MS
    )
    # Both credentials under Authorize, and the operations of both APIs.
    expect(page.locator(".swagger-ui .auth-wrapper .authorize")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/chargers").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/ocpp/locations").first).to_be_visible()
    page.locator(".swagger-ui .auth-wrapper .authorize").click()
    expect(page.locator(".auth-container h4", has_text="APIKeyHeader")).to_be_visible()
    expect(page.locator(".auth-container h4", has_text="HTTPBearer")).to_be_visible()
    assert tried == []
    assert errors == []
