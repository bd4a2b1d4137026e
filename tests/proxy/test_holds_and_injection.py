"""The proxy taking part, for a test that needs it: a charger's CALLs of chosen actions held
back from the upstream or dropped, for a time or until released, and a CALL sent to a charger
whose answer the upstream never sees; the trace tells each as it happened."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargeyard.proxy import INJECTED, InjectionFailed, OcppProxy
from chargeyard.trace import Direction, Trace
from tests.fleet.chaos_harness import station_on
from tests.polling import until
from tests.proxy.harness import PEERS, ScriptedUpstream, proxy_to, recorded
from tests.station.wire_csms import our_csms

HEARTBEAT = '[2,"h1","Heartbeat",{}]'
STATUS = (
    '[2,"s1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]'
)
ANSWER = '[3,"c1",{"status":"Accepted"}]'  # the charger's answer to a CALL of the CSMS


@contextlib.asynccontextmanager
async def charger_through_proxy(
    tmp_path: Path,
) -> AsyncIterator[tuple[ScriptedUpstream, OcppProxy, ClientConnection]]:
    """A scripted upstream, the proxy recording into ``tmp_path``, and a 1.6 charger CP-1
    connected through it."""
    async with (
        ScriptedUpstream() as upstream,
        proxy_to(upstream.url, tmp_path) as proxy,
        connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger,
    ):
        yield upstream, proxy, charger


def _lines(trace: Trace) -> list[tuple[str, str | None, str | None]]:
    """Each line as (direction, the frame's action or unique id, fault)."""
    return [
        (
            r.direction.value,
            str(r.message[2] if r.message[0] == 2 else r.message[1]) if r.message else None,
            r.fault,
        )
        for r in trace.records
    ]


async def test_a_held_action_waits_until_released_and_what_follows_waits_behind_it(
    tmp_path: Path,
) -> None:
    async with charger_through_proxy(tmp_path) as (upstream, proxy, charger):
        proxy.holds.hold("Heartbeat")
        await charger.send(HEARTBEAT)
        await charger.send(ANSWER)
        # Read by the proxy (recorded as read), held there: nothing reached the upstream.
        await until(lambda: len(recorded(proxy).records) == 1)
        assert upstream.received == []
        proxy.holds.release("Heartbeat")
        await until(lambda: len(upstream.received) == 2)
        assert upstream.received == [HEARTBEAT, ANSWER]
        await until(lambda: len(recorded(proxy).records) == 3)
        assert _lines(recorded(proxy)) == [
            ("cp_to_csms", "Heartbeat", None),
            ("cp_to_csms", "Heartbeat", "frame_delayed"),
            ("cp_to_csms", "c1", None),
        ]


async def test_a_hold_for_a_time_ends_by_itself(tmp_path: Path) -> None:
    async with charger_through_proxy(tmp_path) as (upstream, proxy, charger):
        proxy.holds.hold("Heartbeat", seconds=0.3)
        loop = asyncio.get_running_loop()
        sent = loop.time()
        await charger.send(HEARTBEAT)
        await until(lambda: upstream.received == [HEARTBEAT])
        assert loop.time() - sent >= 0.3
        assert proxy.holds.treatment("Heartbeat") is None  # the rule ended with its time
        await charger.send(HEARTBEAT)  # passes at once
        await until(lambda: len(upstream.received) == 2)


async def test_a_dropped_action_never_reaches_the_upstream(tmp_path: Path) -> None:
    async with charger_through_proxy(tmp_path) as (upstream, proxy, charger):
        proxy.holds.drop("StatusNotification")
        await charger.send(STATUS)
        await charger.send(HEARTBEAT)
        await until(lambda: len(upstream.received) == 1)
        assert upstream.received == [HEARTBEAT]
        assert _lines(recorded(proxy)) == [
            ("cp_to_csms", "StatusNotification", None),
            ("cp_to_csms", "StatusNotification", "frame_dropped"),
            ("cp_to_csms", "Heartbeat", None),
        ]


async def test_an_injected_calls_answer_comes_back_to_the_proxy_only(tmp_path: Path) -> None:
    async with charger_through_proxy(tmp_path) as (upstream, proxy, charger):
        await until(lambda: proxy.relaying == 1)
        asked = asyncio.create_task(proxy.inject("CP-1", "GetConfiguration", {"key": ["X"]}))
        call = await charger.recv()
        assert isinstance(call, str)
        unique_id = call.split('"')[1]
        assert call == f'[2,"{unique_id}","GetConfiguration",{{"key":["X"]}}]'
        answer = f'[3,"{unique_id}",{{"unknownKey":["X"]}}]'
        await charger.send(answer)
        assert await asked == [3, unique_id, {"unknownKey": ["X"]}]
        await charger.send(HEARTBEAT)  # after the answer: had the answer passed, it came first
        await until(lambda: len(upstream.received) == 1)
        assert upstream.received == [HEARTBEAT]
        assert _lines(recorded(proxy)) == [
            ("csms_to_cp", "GetConfiguration", INJECTED),
            ("cp_to_csms", unique_id, INJECTED),
            ("cp_to_csms", "Heartbeat", None),
        ]


async def test_an_injection_fails_for_a_charger_not_connected_or_gone(tmp_path: Path) -> None:
    async with ScriptedUpstream() as upstream, proxy_to(upstream.url, tmp_path) as proxy:
        with pytest.raises(InjectionFailed, match="not connected"):
            await proxy.inject("CP-9", "Reset", {"type": "Soft"})
        async with connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger:
            await until(lambda: proxy.relaying == 1)
            asked = asyncio.create_task(proxy.inject("CP-1", "Reset", {"type": "Soft"}))
            await charger.recv()
        with pytest.raises(InjectionFailed, match="closed"):
            await asked


async def test_a_call_injected_to_our_station_is_answered_and_the_csms_never_sees_it(
    tmp_path: Path,
) -> None:
    async with (
        our_csms(tmp_path) as csms,
        proxy_to(f"ws://127.0.0.1:{csms.port}/ocpp", tmp_path / "traces") as proxy,
        station_on(proxy.port, "CP-INJ"),
    ):
        answer = await proxy.inject("CP-INJ", "GetConfiguration", {"key": ["HeartbeatInterval"]})
        assert answer[0] == 3
        assert [k["key"] for k in answer[2]["configurationKey"]] == ["HeartbeatInterval"]
        await csms.frame_log.flush()
        frames = await csms.store.frames.list("CP-INJ", limit=1000)
        assert frames  # the boot went through
        assert all("GetConfiguration" not in f.text and answer[1] not in f.text for f in frames)
    injected = [r for r in recorded(proxy).records if r.fault == INJECTED]
    assert [r.direction for r in injected] == [
        Direction.CSMS_TO_STATION,
        Direction.STATION_TO_CSMS,
    ]


async def test_a_charger_that_leaves_during_a_hold_closes_its_upstream(tmp_path: Path) -> None:
    async with ScriptedUpstream() as upstream, proxy_to(upstream.url, tmp_path) as proxy:
        proxy.holds.hold("Heartbeat")  # until released: never, here
        async with connect(
            f"ws://127.0.0.1:{proxy.port}/ocpp/CP-1", subprotocols=["ocpp1.6"], logger=PEERS
        ) as charger:
            await charger.send(HEARTBEAT)
            await until(lambda: len(recorded(proxy).records) == 1)
            await charger.close(4002, "gone")
        [near] = upstream.connections
        await near.wait_closed()
        assert (near.close_code, near.close_reason) == (4002, "gone")
        assert upstream.received == []
        await until(lambda: proxy.relaying == 0)
        assert _lines(recorded(proxy)) == [
            ("cp_to_csms", "Heartbeat", None),
            ("cp_to_csms", "Heartbeat", "frame_dropped"),
        ]
