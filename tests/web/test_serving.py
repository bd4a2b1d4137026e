"""The dashboard is served by the API from the package's files, with no build step: the page,
its modules and styles, ``/`` leading to it, and its credentials only in exchange for the
secret of the sign-in link (``api/signin.py``). Read over HTTP from a running server
(``live_lab``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from pathlib import PurePosixPath

import httpx
import pytest

from chargeyard.trust_store import http_trust
from tests.web.live_lab import LiveLab

_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.M)


@pytest.fixture
def client(live_lab: LiveLab) -> Iterator[httpx.Client]:
    # 30 s, not httpx's 5: the lab builds its OpenAPI document on the first request for it,
    # seconds of CPU, which took longer than 5 s on a 2-core machine loaded with the suite.
    with httpx.Client(base_url=live_lab.base, verify=http_trust(), timeout=30) as client:
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


def test_nothing_secret_is_served_to_an_anonymous_request(
    client: httpx.Client, live_lab: LiveLab
) -> None:
    """Only whether a sign-in link exists; the page must bring the link's secret."""
    response = client.get("/dashboard/config.json")
    assert (response.status_code, response.json()) == (200, {"signIn": True, "proxy": False})
    assert response.headers["cache-control"] == "no-store"
    for path in ("/", "/dashboard/", "/dashboard/config.json", "/dashboard/js/main.js"):
        body = client.get(path, follow_redirects=True).text
        assert live_lab.api_key not in body, path
        assert live_lab.token not in body, path


def test_the_sign_in_link_hands_out_the_credentials_once(
    client: httpx.Client, live_lab: LiveLab
) -> None:
    secret = live_lab.sign_in_url.split("#signin=")[1]

    signed_in = client.post("/dashboard/sign-in", json={"secret": secret})
    again = client.post("/dashboard/sign-in", json={"secret": secret})

    assert signed_in.status_code == 200
    assert signed_in.json() == {"apiKey": live_lab.api_key, "token": live_lab.token}
    assert signed_in.headers["cache-control"] == "no-store"
    assert again.status_code == 403
    assert again.json() == {
        "detail": "the sign-in link is not valid: it was used already, or it is from an earlier"
        " start; open the newest link chargeyard up printed, or type the API key and token in"
        " Settings"
    }
    # The next browser has a link of its own.
    following = live_lab.sign_in_url.split("#signin=")[1]
    assert following != secret
    assert client.post("/dashboard/sign-in", json={"secret": following}).status_code == 200


def test_a_wrong_secret_is_refused_and_the_link_still_works(
    client: httpx.Client, live_lab: LiveLab
) -> None:
    secret = live_lab.sign_in_url.split("#signin=")[1]
    for wrong in (secret[:-1], secret + "x", "x" * len(secret)):
        response = client.post("/dashboard/sign-in", json={"secret": wrong})
        assert response.status_code == 403, wrong
        assert "apiKey" not in response.text
    assert client.post("/dashboard/sign-in", json={"secret": secret}).status_code == 200


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, {"loc": ["body", "secret"], "msg": "Field required", "type": "missing"}),
        (
            {"secret": ""},
            {
                "loc": ["body", "secret"],
                "msg": "String should have at least 1 character",
                "type": "string_too_short",
            },
        ),
        (
            {"secret": "s", "apiKey": "x"},
            {
                "loc": ["body", "apiKey"],
                "msg": "Extra inputs are not permitted",
                "type": "extra_forbidden",
            },
        ),
    ],
)
def test_a_sign_in_without_a_secret_is_invalid(
    client: httpx.Client, body: dict[str, str], problem: dict[str, object]
) -> None:
    response = client.post("/dashboard/sign-in", json=body)
    assert (response.status_code, response.json()) == (422, {"detail": [problem]})


def test_without_a_sign_in_link_nothing_signs_in(bare_lab: LiveLab) -> None:
    """A deployment: the user types the credentials in Settings."""
    config = httpx.get(f"{bare_lab.base}/dashboard/config.json")
    assert (config.status_code, config.json()) == (200, {"signIn": False, "proxy": False})
    assert config.headers["cache-control"] == "no-store"
    response = httpx.post(f"{bare_lab.base}/dashboard/sign-in", json={"secret": "anything"})
    assert (response.status_code, response.json()) == (
        404,
        {
            "detail": "this server offers no sign-in link: type the API key and the gateway"
            " token in the dashboard's Settings"
        },
    )


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
