"""``/docs`` loads everything from the server itself: the page references only local URLs, and
every one of them is served (a lab often runs without internet, where a page loading from a
CDN stays blank). The browser's view is ``tests/web/test_docs_offline.py``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from chargeyard.api import ApiSettings
from chargeyard.api.docs import install
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.store import Store
from tests.api.apps import api_app

# What the page can load from: src=, href=, Swagger UI's url:.
_REFERENCE = re.compile(r"""(?:src|href)=["']([^"']+)["']|\burl:\s*'([^']+)'""")
_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    with api_app(store, in_process_link(Registry()), ApiSettings()) as app:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


async def test_the_docs_page_loads_only_what_the_server_serves(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "chargeyard CSMS API" in html
    assert not re.search(r"https?:|//[a-z]", html, re.IGNORECASE), "an absolute URL"
    references = {src or url for src, url in _REFERENCE.findall(html)}
    assert references == {
        "/docs/assets/swagger-ui.css",
        "/docs/assets/favicon.png",
        "/docs/assets/swagger-ui-bundle.js",
        "/openapi.json",
    }
    for reference in references:
        asset = await client.get(reference)
        assert asset.status_code == 200, reference
        suffix = reference[reference.rfind(".") :]
        assert asset.headers["content-type"].startswith(_TYPES[suffix]), reference
        assert len(asset.content) > 1000, reference  # the real file, not a placeholder


async def test_swagger_ui_never_calls_the_online_validator(client: httpx.AsyncClient) -> None:
    # Swagger UI's default validatorUrl posts the document to validator.swagger.io.
    html = (await client.get("/docs")).text
    assert '"validatorUrl": null' in html


async def test_the_oauth2_redirect_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert not re.search(r"https?://", response.text)


def test_install_refuses_an_app_that_still_serves_the_cdn_pages() -> None:
    with pytest.raises(ValueError, match="docs_url=None"):
        install(FastAPI())
    with pytest.raises(ValueError, match="OpenAPI document"):
        install(FastAPI(docs_url=None, redoc_url=None, openapi_url=None))


async def test_there_is_no_redoc_page(client: httpx.AsyncClient) -> None:
    # ReDoc's bundle always loads its logo from a CDN; Swagger UI is the one page.
    assert (await client.get("/redoc")).status_code == 404
