"""``/api/v1/proxy``: a running recording proxy's API relayed by the lab's API
(``api/proxy_relay.py``, ``v1/routes/proxy.py``) for the dashboard's Proxy view. The proxy, its
API and a 1.6 charger run for real on 127.0.0.1 (``tests/proxy/harness.py``); the lab's API is
driven in process. The relay answers with the proxy's words, signs in with the proxy's token
for the browser, and says 502 or 504 with a ``detail`` when the proxy cannot answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.api import ApiSettings
from chargeyard.api.proxy_relay import (
    PROXY_ACTION_PATTERN,
    PROXY_API_PREFIX,
    PROXY_FRAMES_KEPT,
    ProxyRelay,
    proxy_api_problem,
)
from chargeyard.api.serve import serving
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.proxy import api as proxy_api
from chargeyard.proxy.api import PREFIX, proxy_app
from chargeyard.proxy.watch import KEPT_PER_CHARGER
from chargeyard.store import Store
from chargeyard.store.models import ApiKeyRole
from tests.api.apps import api_app
from tests.polling import until
from tests.ports import free_port
from tests.proxy.harness import PEERS, ScriptedUpstream, proxy_to

HEARTBEAT = '[2,"h1","Heartbeat",{}]'
PROXY_TOKEN = "the-proxys-own-token"


@dataclass
class Relaying:
    """The lab's API (``client``, an admin key) relaying the proxy at ``proxy_url``, CP-1 on
    the proxy (``charger``) and the upstream it reaches."""

    client: httpx.AsyncClient
    store: Store
    charger: ClientConnection
    upstream: ScriptedUpstream
    proxy_url: str


@contextlib.asynccontextmanager
async def lab_api(
    store: Store, settings: ApiSettings, relay: ProxyRelay | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """The lab's API over ``store`` with ``settings``, its client carrying an admin key;
    ``relay`` replaces the relay the settings make (a shorter timeout)."""
    _, key = await store.api_keys.create("an admin", ApiKeyRole.ADMIN)
    with api_app(store, in_process_link(Registry()), settings) as app:
        if relay is not None:
            app.state.proxy_relay = relay
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://api.test",
            headers={"X-API-Key": key},
        ) as client:
            yield client


@contextlib.asynccontextmanager
async def relaying(
    store: Store, tmp_path: Path, token_given: str | None = PROXY_TOKEN
) -> AsyncIterator[Relaying]:
    """A proxy whose API wants :data:`PROXY_TOKEN`, CP-1 through it, and the lab's API
    configured with it and ``token_given``."""
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path / "traces") as proxy,
        serving(proxy_app(proxy, PROXY_TOKEN), "127.0.0.1", 0) as port,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger,
    ):
        await until(lambda: proxy.relaying == 1)
        url = f"http://127.0.0.1:{port}"
        settings = ApiSettings(proxy_api=url, proxy_api_token=token_given)
        async with lab_api(store, settings) as client:
            yield Relaying(client, store, charger, upstream, url)


async def test_the_proxys_chargers_frames_and_trace_are_relayed(
    store: Store, tmp_path: Path
) -> None:
    async with relaying(store, tmp_path) as lab:
        await lab.charger.send(HEARTBEAT)
        await until(lambda: len(lab.upstream.received) == 1)
        chargers = await lab.client.get("/api/v1/proxy/chargers")
        frames = await lab.client.get("/api/v1/proxy/chargers/CP-1/frames", params={"limit": 5})
        after = await lab.client.get("/api/v1/proxy/chargers/CP-1/frames", params={"after": 1})
        trace = await lab.client.get("/api/v1/proxy/chargers/CP-1/trace")
        unknown = await lab.client.get("/api/v1/proxy/chargers/CP-9/frames")
    assert chargers.status_code == 200
    [shown] = chargers.json()["data"]
    assert (shown["identity"], shown["subprotocol"]) == ("CP-1", "ocpp1.6")
    [frame] = frames.json()["data"]
    assert (frame["seq"], frame["direction"], frame["frame"]) == (1, "cp_to_csms", HEARTBEAT)
    assert after.json() == {"data": []}
    assert trace.headers["Content-Type"] == "application/x-ndjson"
    assert orjson.loads(trace.text.splitlines()[1])["frame"] == orjson.loads(HEARTBEAT)
    # The proxy's own refusal, in its words.
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "no frame of CP-9 has passed the proxy"}


async def test_an_identity_never_takes_the_relay_to_another_path(
    store: Store, tmp_path: Path
) -> None:
    async with relaying(store, tmp_path) as lab:
        await lab.client.put("/api/v1/proxy/holds/MeterValues", json={"treatment": "hold"})
        climbing = await lab.client.get("/api/v1/proxy/chargers/..%2F..%2Fholds/frames")
        encoded = await lab.client.get("/api/v1/proxy/chargers/%3Fx%23/frames")
    # Each identity is one path segment at the proxy (which never saw such a charger): the
    # holds, or any other path, are never what comes back.
    assert climbing.status_code == 404
    assert "MeterValues" not in climbing.text
    assert encoded.status_code == 404
    assert encoded.json() == {"detail": "no frame of ?x# has passed the proxy"}


async def test_holds_are_set_listed_and_released_through_the_relay(
    store: Store, tmp_path: Path
) -> None:
    async with relaying(store, tmp_path) as lab:
        placed = await lab.client.put(
            "/api/v1/proxy/holds/MeterValues", json={"treatment": "drop", "seconds": 60}
        )
        listed = await lab.client.get("/api/v1/proxy/holds")
        released = await lab.client.delete("/api/v1/proxy/holds/MeterValues")
        again = await lab.client.delete("/api/v1/proxy/holds/MeterValues")
        refused = await lab.client.put("/api/v1/proxy/holds/Reset", json={"treatment": "hold"})
        left = await lab.client.get("/api/v1/proxy/holds")
    assert placed.json() == {"action": "MeterValues", "treatment": "drop", "secondsLeft": 60}
    [rule] = listed.json()["data"]
    assert (rule["action"], rule["treatment"]) == ("MeterValues", "drop")
    assert 0 < rule["secondsLeft"] <= 60
    assert released.status_code == 204
    assert again.status_code == 404
    assert again.json() == {"detail": "MeterValues is neither held nor dropped"}
    assert refused.status_code == 422
    assert refused.json() == {"detail": "Reset is no action a charger sends in any OCPP version"}
    assert left.json() == {"data": []}


async def test_only_admin_and_platform_keys_reach_the_proxy(store: Store, tmp_path: Path) -> None:
    async with relaying(store, tmp_path) as lab:
        answers = {}
        for role in (ApiKeyRole.VIEWER, ApiKeyRole.OPERATOR, ApiKeyRole.PLATFORM):
            _, key = await store.api_keys.create(f"a {role.value}", role)
            answer = await lab.client.get("/api/v1/proxy/chargers", headers={"X-API-Key": key})
            answers[role] = answer.status_code
        without = await lab.client.get("/api/v1/proxy/chargers", headers={"X-API-Key": ""})
    assert answers == {ApiKeyRole.VIEWER: 403, ApiKeyRole.OPERATOR: 403, ApiKeyRole.PLATFORM: 200}
    assert without.status_code == 401


async def test_a_token_the_proxy_refuses_is_a_502_that_says_which(
    store: Store, tmp_path: Path
) -> None:
    async with relaying(store, tmp_path, token_given="not-its-token") as lab:
        answer = await lab.client.get("/api/v1/proxy/chargers")
    assert answer.status_code == 502
    assert answer.json() == {
        "detail": f"the proxy at {lab.proxy_url} refused this server's token: give its"
        " --api-token as --proxy-api-token (CHARGEYARD_PROXY_API_TOKEN)"
    }


async def test_a_proxy_that_is_down_is_a_502_with_a_detail(store: Store) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    async with lab_api(store, ApiSettings(proxy_api=url)) as client:
        answer = await client.get("/api/v1/proxy/chargers")
    assert answer.status_code == 502
    detail = answer.json()["detail"]
    assert detail.startswith(f"the proxy at {url} cannot be reached (ConnectError")
    assert detail.endswith("is chargeyard proxy running with --api-listen there?")


async def test_a_proxy_that_does_not_answer_is_a_504(store: Store) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # read nothing, answer nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        relay = ProxyRelay(url, timeout_s=0.2)
        async with lab_api(store, ApiSettings(proxy_api=url), relay) as client:
            answer = await client.get("/api/v1/proxy/holds")
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()
    assert answer.status_code == 504
    assert answer.json() == {"detail": f"the proxy at {url} did not answer within 0.2 s"}


async def test_without_a_proxy_configured_the_routes_say_how_to_configure_one(
    store: Store,
) -> None:
    async with lab_api(store, ApiSettings()) as client:
        answer = await client.get("/api/v1/proxy/chargers")
        config = await client.get("/dashboard/config.json")
    assert answer.status_code == 404
    assert "--proxy-api" in answer.json()["detail"]
    assert config.json()["proxy"] is False


async def test_the_dashboard_config_says_a_proxy_is_relayed(store: Store) -> None:
    async with lab_api(store, ApiSettings(proxy_api="http://127.0.0.1:9101/")) as client:
        config = await client.get("/dashboard/config.json")
    assert config.json() == {"signIn": False, "proxy": True}


def test_the_relay_asks_the_proxy_where_the_proxy_serves_its_api() -> None:
    assert PROXY_API_PREFIX == PREFIX
    # and reads an action and a frame limit as the proxy does
    assert PROXY_ACTION_PATTERN == proxy_api._ACTION_TEXT
    assert PROXY_FRAMES_KEPT == KEPT_PER_CHARGER


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:9101", None),
        ("https://proxy.lab:9101/", None),
        ("ws://127.0.0.1:9101", "not an http:// or https:// URL"),
        ("http://user:secret@127.0.0.1:9101", "a URL with credentials"),
        ("http://127.0.0.1:9101/api/v1/proxy", "a URL with a path, query or fragment"),
        ("http://127.0.0.1:99999", "not a URL"),
    ],
)
def test_only_a_proxy_apis_address_is_taken(url: str, problem: str | None) -> None:
    found = proxy_api_problem(url)
    assert found == problem if problem is None else (found or "").startswith(problem)
    if problem is None:
        assert ApiSettings(proxy_api=url).proxy_api == url.rstrip("/")
    else:
        with pytest.raises(ValueError, match="proxy_api"):
            ApiSettings(proxy_api=url)
