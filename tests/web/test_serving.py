"""The dashboard is served by the API from the package's files, with no build step: the page,
its modules and styles, ``/`` leading to it, and ``config.json`` pre-filling credentials only
when the app was created with them. Read over HTTP from a running server (``live_lab``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import PurePosixPath

import httpx
import pytest

from tests.web.live_lab import LiveLab

_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.M)


@pytest.fixture
def client(live_lab: LiveLab) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_lab.base) as client:
        yield client


def test_root_and_bare_path_lead_to_the_dashboard(client: httpx.Client) -> None:
    for path in ("/", "/dashboard"):
        response = client.get(path)
        assert (response.status_code, response.headers["location"]) == (307, "/dashboard/")


def test_index_loads_its_module_and_styles(client: httpx.Client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="js/main.js">' in response.text
    assert '<link rel="stylesheet" href="css/dashboard.css">' in response.text
    css = client.get("/dashboard/css/dashboard.css")
    assert (css.status_code, css.headers["content-type"].split(";")[0]) == (200, "text/css")


def test_every_module_import_resolves_to_a_served_file(client: httpx.Client) -> None:
    """Walk the module graph from main.js as the browser would: a misspelt import path
    would leave the page blank."""
    seen: set[str] = set()
    queue = ["js/main.js"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(f"/dashboard/{path}")
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"], path
        for target in _IMPORT.findall(response.text):
            queue.append(_resolve(path, target))
    assert {"js/api/v1.js", "js/api/gateway.js", "js/api/events.js", "js/views/central.js"} <= seen


def _resolve(importer: str, target: str) -> str:
    parts: list[str] = []
    for part in (PurePosixPath(importer).parent / target).parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_config_answers_the_credentials_of_a_local_start(
    client: httpx.Client, live_lab: LiveLab
) -> None:
    response = client.get("/dashboard/config.json")
    assert response.json() == {"apiKey": live_lab.api_key, "token": live_lab.token}
    # Credentials must not be kept by caches.
    assert response.headers["cache-control"] == "no-store"


def test_config_is_empty_without_dashboard_credentials(bare_lab: LiveLab) -> None:
    response = httpx.get(f"{bare_lab.base}/dashboard/config.json")
    assert (response.status_code, response.json()) == (200, {})
    assert response.headers["cache-control"] == "no-store"


def test_a_missing_asset_is_404(client: httpx.Client) -> None:
    assert client.get("/dashboard/js/nope.js").status_code == 404


def test_the_dashboard_is_not_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert [path for path in paths if path == "/" or path.startswith("/dashboard")] == []
    assert "/api/v1/chargers/{chargeBoxId}/frames" in paths


def test_the_assets_ship_inside_the_package() -> None:
    """The wheel packages src/chargeyard whole; the files are package resources."""
    web = resources.files("chargeyard").joinpath("web")
    assert web.joinpath("index.html").is_file()
    assert web.joinpath("js", "main.js").is_file()
    assert web.joinpath("css", "dashboard.css").is_file()
