"""The proxy's HTTP API (``proxy/api.py``) served for real: the chargers it relays, their
latest frames and the live feed, a CALL of the user's own answered to the user, the upstream's
CALL and an injected one taking turns, holds and drops set and lifted while it runs, and the
token."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.api.serve import serving
from chargeyard.proxy import OcppProxy
from chargeyard.proxy.api import PREFIX, proxy_app
from chargeyard.trust_store import http_trust
from tests.fleet.chaos_harness import station_on
from tests.polling import polled, until
from tests.proxy.harness import PEERS, ScriptedUpstream, proxy_to
from tests.station.wire_csms import our_csms

HEARTBEAT = '[2,"h1","Heartbeat",{}]'


@contextlib.asynccontextmanager
async def api_of(proxy: OcppProxy, token: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serving(proxy_app(proxy, token), "127.0.0.1", 0) as port,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}{PREFIX}", verify=http_trust()
        ) as client,
    ):
        yield client


@contextlib.asynccontextmanager
async def charger_and_api(
    tmp_path: Path,
) -> AsyncIterator[tuple[ScriptedUpstream, ClientConnection, httpx.AsyncClient]]:
    """A scripted upstream, the proxy with its API, and a 1.6 charger CP-1 through it."""
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        api_of(proxy) as client,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger,
    ):
        await until(lambda: proxy.relaying == 1)
        yield upstream, charger, client


async def _answer_next_call(charger: ClientConnection, payload: str = "{}") -> str:
    """Answer the next CALL the charger receives with ``payload``; its unique id."""
    call = orjson.loads(await charger.recv())
    assert call[0] == 2, call
    await charger.send(f'[3,"{call[1]}",{payload}]')
    return str(call[1])


async def _nothing_within(charger: ClientConnection, seconds: float) -> bool:
    """True when the charger receives nothing within ``seconds`` (what it would have is left
    for its next ``recv``: websockets keeps it queued)."""
    try:
        async with asyncio.timeout(seconds):
            await charger.recv(decode=False)  # (a frame here is the failure)
    except TimeoutError:
        return True
    return False


async def test_the_chargers_relayed_are_listed_with_their_upstream_and_trace(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, _, client):
        answer = await client.get("/chargers")
    assert answer.status_code == 200
    [shown] = answer.json()["data"]
    assert shown["identity"] == "CP-1"
    assert shown["upstream"] == f"{upstream.url}/CP-1"
    assert shown["subprotocol"] == "ocpp1.6"
    assert shown["connectedAt"].endswith("Z")
    assert shown["trace"].startswith(str(tmp_path))


async def test_a_call_of_the_users_own_is_answered_to_the_user_and_never_upstream(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        asked = asyncio.create_task(
            client.post(
                "/chargers/CP-1/call",
                json={"action": "GetConfiguration", "payload": {"key": ["HeartbeatInterval"]}},
            )
        )
        await _answer_next_call(charger, '{"unknownKey":["HeartbeatInterval"]}')
        answer = await asked
        await charger.send(HEARTBEAT)
        await until(lambda: len(upstream.received) == 1)
        frames = (await client.get("/chargers/CP-1/frames")).json()["data"]
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "identity": "CP-1",
        "ocppVersion": "1.6",
        "action": "GetConfiguration",
        "response": {"unknownKey": ["HeartbeatInterval"]},
    }
    assert upstream.received == [HEARTBEAT]  # the answer stayed at the proxy
    # Newest first: the heartbeat relayed, the injected answer, the injected CALL.
    assert [(f["direction"], f.get("fault")) for f in frames] == [
        ("cp_to_csms", None),
        ("cp_to_csms", "proxy_injected"),
        ("csms_to_cp", "proxy_injected"),
    ]
    assert [f["seq"] for f in frames] == [3, 2, 1]


async def test_a_reader_that_polls_gets_only_the_frames_after_its_newest(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        for n in (1, 2, 3):
            await charger.send(f'[2,"h{n}","Heartbeat",{{}}]')
        await until(lambda: len(upstream.received) == 3)
        newer = (await client.get("/chargers/CP-1/frames", params={"after": 1})).json()["data"]
        none = (await client.get("/chargers/CP-1/frames", params={"after": 3})).json()["data"]
    assert [(f["seq"], f["frame"]) for f in newer] == [
        (3, '[2,"h3","Heartbeat",{}]'),
        (2, '[2,"h2","Heartbeat",{}]'),
    ]
    assert none == []


async def test_the_trace_of_a_chargers_connection_is_served_as_recorded(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        await charger.send(HEARTBEAT)
        await until(lambda: len(upstream.received) == 1)
        answer = await client.get("/chargers/CP-1/trace")
        unknown = await client.get("/chargers/CP-9/trace")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-ndjson"
    header, line = (orjson.loads(text) for text in answer.text.splitlines())
    assert (header["identity"], header["source"], header["ocpp"]) == ("CP-1", "proxy", "ocpp1.6")
    assert (line["direction"], line["frame"]) == ("cp_to_csms", [2, "h1", "Heartbeat", {}])
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "CP-9 is not connected through the proxy"}


async def test_a_callerror_is_a_502_with_its_code(tmp_path: Path) -> None:
    async with charger_and_api(tmp_path) as (_, charger, client):
        asked = asyncio.create_task(
            client.post("/chargers/CP-1/call", json={"action": "ClearCache"})
        )
        call = orjson.loads(await charger.recv())
        await charger.send(f'[4,"{call[1]}","NotImplemented","no cache here",{{}}]')
        answer = await asked
    assert answer.status_code == 502
    assert answer.json() == {
        "detail": "CP-1 answered ClearCache with the CALLERROR NotImplemented",
        "errorCode": "NotImplemented",
        "errorDescription": "no cache here",
    }


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"action": "Heartbeat"}, "Heartbeat is no action a central system sends in OCPP 1.6"),
        ({"action": "Reset", "payload": {"type": "Sideways"}}, "breaks its OCPP 1.6 schema"),
        ({"action": "Reset", "payload": {}}, "breaks its OCPP 1.6 schema"),
    ],
)
async def test_a_call_a_central_system_could_not_send_is_refused_and_nothing_sent(
    tmp_path: Path, body: dict[str, object], why: str
) -> None:
    async with charger_and_api(tmp_path) as (_, charger, client):
        answer = await client.post("/chargers/CP-1/call", json=body)
        await charger.send(HEARTBEAT)  # the charger received nothing before it

        async def latest() -> list[dict[str, object]]:
            return list((await client.get("/chargers/CP-1/frames")).json()["data"])

        frames = await polled(latest, lambda frames: len(frames) >= 1)
    assert answer.status_code == 422
    assert why in answer.json()["detail"]
    assert [f["direction"] for f in frames] == ["cp_to_csms"]


async def test_a_call_to_a_charger_not_connected_is_a_404_and_a_silent_one_a_504(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (_, charger, client):
        absent = await client.post("/chargers/CP-9/call", json={"action": "ClearCache"})
        silent = await client.post(
            "/chargers/CP-1/call", json={"action": "ClearCache", "answerWithin": 0.2}
        )
        assert orjson.loads(await charger.recv())[2] == "ClearCache"  # sent, never answered
    assert (absent.status_code, absent.json()) == (
        404,
        {"detail": "CP-9 is not connected through the proxy"},
    )
    assert silent.status_code == 504
    assert "did not answer within 0.2 s" in silent.json()["detail"]


async def test_an_injected_call_waits_for_the_upstreams_call_to_be_answered(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        [near] = upstream.connections
        await near.send('[2,"csms-1","ClearCache",{}]')
        assert orjson.loads(await charger.recv())[1] == "csms-1"
        asked = asyncio.create_task(
            client.post("/chargers/CP-1/call", json={"action": "GetConfiguration"})
        )
        # OCPP-J: one CALL in flight towards the charger; the injected one waits its turn.
        assert await _nothing_within(charger, 0.2)
        await charger.send('[3,"csms-1",{"status":"Accepted"}]')
        await _answer_next_call(charger, '{"configurationKey":[]}')
        answer = await asked
        await until(lambda: len(upstream.received) == 1)
    assert answer.status_code == 200, answer.text
    assert upstream.received == ['[3,"csms-1",{"status":"Accepted"}]']


async def test_the_upstreams_call_waits_while_an_injected_one_is_unanswered(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        asked = asyncio.create_task(
            client.post("/chargers/CP-1/call", json={"action": "ClearCache"})
        )
        injected = orjson.loads(await charger.recv())
        [near] = upstream.connections
        await near.send('[2,"csms-1","GetConfiguration",{}]')
        assert await _nothing_within(charger, 0.2)
        await charger.send(f'[3,"{injected[1]}",{{"status":"Accepted"}}]')
        assert (await asked).status_code == 200
        assert orjson.loads(await charger.recv())[1] == "csms-1"  # now it passes


async def test_an_injection_never_sent_for_an_unanswered_upstream_call_says_so(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        [near] = upstream.connections
        await near.send('[2,"csms-1","ClearCache",{}]')
        await charger.recv()  # never answered
        answer = await client.post(
            "/chargers/CP-1/call", json={"action": "ClearCache", "answerWithin": 0.2}
        )
    assert answer.status_code == 504
    assert answer.json()["detail"] == (
        "CP-1 did not answer the central system's CALL csms-1 meanwhile: nothing was sent"
    )


async def test_holds_and_drops_are_set_listed_and_released_while_the_proxy_runs(
    tmp_path: Path,
) -> None:
    async with charger_and_api(tmp_path) as (upstream, charger, client):
        held = await client.put("/holds/Heartbeat", json={"treatment": "hold"})
        dropped = await client.put(
            "/holds/StatusNotification", json={"treatment": "drop", "seconds": 60}
        )
        await charger.send(HEARTBEAT)
        listed = (await client.get("/holds")).json()["data"]
        await asyncio.sleep(0)  # (the relay reads the held heartbeat meanwhile)
        assert upstream.received == []
        released = await client.delete("/holds/Heartbeat")
        await until(lambda: upstream.received == [HEARTBEAT])
        again = await client.delete("/holds/Heartbeat")
    assert held.json() == {"action": "Heartbeat", "treatment": "hold", "secondsLeft": None}
    assert dropped.status_code == 200
    assert [(r["action"], r["treatment"]) for r in listed] == [
        ("Heartbeat", "hold"),
        ("StatusNotification", "drop"),
    ]
    assert 59 < listed[1]["secondsLeft"] <= 60
    assert released.status_code == 204
    assert (again.status_code, again.json()) == (
        404,
        {"detail": "Heartbeat is neither held nor dropped"},
    )


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("Reset", {"treatment": "hold"}, 422),  # the central system's: never held here
        ("Heartbeat", {"treatment": "delay"}, 422),
        ("Heartbeat", {"treatment": "hold", "seconds": 0}, 422),
        ("Heart-beat", {"treatment": "hold"}, 422),
    ],
)
async def test_a_hold_that_cannot_apply_is_refused(
    tmp_path: Path, action: str, body: dict[str, object], status: int
) -> None:
    async with ScriptedUpstream() as upstream, proxy_to(upstream.url, tmp_path) as proxy:
        async with api_of(proxy) as client:
            answer = await client.put(f"/holds/{action}", json=body)
        assert proxy.holds.rules() == []
    assert answer.status_code == status
    assert "detail" in answer.json()


async def test_the_live_feed_hands_out_every_frame_as_it_passes(tmp_path: Path) -> None:
    async with (
        charger_and_api(tmp_path) as (_, charger, client),
        client.stream("GET", "/frames/live", params={"identity": "CP-1"}) as feed,
    ):
        assert feed.headers["content-type"].startswith("text/event-stream")
        lines = feed.aiter_lines()
        assert (await anext(lines)).startswith(": chargeyard proxy")
        await charger.send(HEARTBEAT)
        event = [line async for line in _until_blank(lines)]
    [data] = [line for line in event if line.startswith("data: ")]
    shown = orjson.loads(data.removeprefix("data: "))
    assert (shown["identity"], shown["direction"], shown["frame"]) == (
        "CP-1",
        "cp_to_csms",
        HEARTBEAT,
    )


async def _until_blank(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The lines of the next event (the blank lines before it skipped)."""
    started = False
    async for line in lines:
        if line:
            started = True
            yield line
        elif started:
            return


async def test_with_a_token_every_request_needs_it(tmp_path: Path) -> None:
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        api_of(proxy, token="s3cret") as client,
    ):
        bare = await client.get("/chargers")
        wrong = await client.get("/chargers", headers={"Authorization": "Bearer nope"})
        right = await client.get("/chargers", headers={"Authorization": "Bearer s3cret"})
        page = await client.get(client.base_url.copy_with(path="/"))
    assert (bare.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert bare.headers["WWW-Authenticate"] == "Bearer"
    assert page.status_code == 200
    assert "<title>chargeyard proxy</title>" in page.text


async def test_a_call_through_the_api_to_our_station_behind_the_proxy(tmp_path: Path) -> None:
    async with (
        our_csms(tmp_path) as csms,
        proxy_to(f"ws://127.0.0.1:{csms.port}/ocpp", tmp_path / "traces") as proxy,
        api_of(proxy) as client,
        station_on(proxy.port, "CP-API"),
    ):
        answer = await client.post(
            "/chargers/CP-API/call",
            json={"action": "GetConfiguration", "payload": {"key": ["HeartbeatInterval"]}},
        )
    assert answer.status_code == 200, answer.text
    [key] = answer.json()["response"]["configurationKey"]
    assert key["key"] == "HeartbeatInterval"
