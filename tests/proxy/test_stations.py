"""A chargeyard station through the proxy to a real central system, chargeyard's and one built
on the `ocpp` library: it boots and charges, and the proxy's trace holds exactly the frames
both ends saw. A trace recorded against either central system replays against the other, which
differs in its heartbeat interval only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.proxy import OcppProxy
from chargeyard.trace import Direction, Trace
from chargeyard.trace.replay import ReplayTarget, replay
from tests.fleet.chaos_harness import quiet, station_on
from tests.polling import eventually, until
from tests.proxy.harness import proxy_to, recorded
from tests.station.wire_csms import our_csms
from tests.trace.library_csms import INTERVAL, library_csms

OUR_INTERVAL = 60  # our CSMS's heartbeat interval here, which the library's (300) is not


async def _charge(runtime: StationRuntime) -> None:
    """A whole transaction: plug, present a tag, unplug; every message answered."""
    station = runtime.station
    station.plug(1, 1)
    station.present_id_token("TAG-PROXY")
    await until(lambda: station.model.evses[1].transaction is not None and quiet(runtime))
    station.unplug(1, 1)
    await until(lambda: station.model.evses[1].transaction is None and quiet(runtime))


def _station_saw(runtime: StationRuntime) -> dict[Direction, list[Any]]:
    """The station's own log of its frames, by direction."""
    seen: dict[Direction, list[Any]] = {
        Direction.STATION_TO_CSMS: [],
        Direction.CSMS_TO_STATION: [],
    }
    for _, marker, text in runtime.station.frame_log.entries():
        if marker == ">>":
            seen[Direction.STATION_TO_CSMS].append(orjson.loads(text))
        elif marker == "<<":
            seen[Direction.CSMS_TO_STATION].append(orjson.loads(text))
    return seen


def _by_direction(trace: Trace) -> dict[Direction, list[Any]]:
    return {
        direction: [r.message for r in trace.records if r.direction is direction]
        for direction in Direction
    }


async def _csms_saw(csms: CsmsServer, identity: str) -> dict[Direction, list[Any]]:
    """The central system's frame log of ``identity``, by direction."""
    await csms.frame_log.flush()
    frames = await csms.store.frames.list(identity, limit=1000)
    ways = {"incoming": Direction.STATION_TO_CSMS, "outgoing": Direction.CSMS_TO_STATION}
    seen: dict[Direction, list[Any]] = {direction: [] for direction in Direction}
    for frame in frames:
        seen[ways[frame.direction]].append(orjson.loads(frame.text))
    return seen


async def _closed(proxy: OcppProxy) -> None:
    await until(lambda: proxy.relaying == 0)


def _calls(messages: list[Any], action: str) -> list[Any]:
    return [m for m in messages if m[0] == 2 and m[2] == action]


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
async def test_a_station_charges_through_the_proxy_and_the_trace_is_what_both_ends_saw(
    tmp_path: Path, version: VersionSpec
) -> None:
    async with our_csms(tmp_path) as csms:
        upstream = f"ws://127.0.0.1:{csms.port}/ocpp"
        async with proxy_to(upstream, tmp_path / "traces") as proxy:
            async with station_on(proxy.port, "CP-PROXY", version) as runtime:
                await _charge(runtime)
                station_saw = _station_saw(runtime)
            await _closed(proxy)
        trace = recorded(proxy)

        async def logged_all() -> bool:
            saw = await _csms_saw(csms, "CP-PROXY")
            return all(len(saw[d]) == len(station_saw[d]) for d in Direction)

        await eventually(logged_all)
        csms_saw = await _csms_saw(csms, "CP-PROXY")

    assert trace.header.identity == "CP-PROXY"
    assert trace.header.version is version
    assert [p.name for p in proxy.recorded] == [proxy.recorded[0].name]
    assert proxy.recorded[0].parent == tmp_path / "traces"
    assert _by_direction(trace) == station_saw == csms_saw
    sent = station_saw[Direction.STATION_TO_CSMS]
    assert _calls(sent, "BootNotification")
    ended = "StopTransaction" if version is V16 else "TransactionEvent"
    assert _calls(sent, ended)


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
async def test_a_station_charges_through_the_proxy_to_a_library_csms(
    tmp_path: Path, version: VersionSpec
) -> None:
    sessions: list[Any] = []
    async with (
        library_csms(version, sessions) as upstream,
        proxy_to(upstream, tmp_path) as proxy,
    ):
        async with station_on(proxy.port, "CP-LIB", version) as runtime:
            await _charge(runtime)
            station_saw = _station_saw(runtime)
        await _closed(proxy)
    [session] = sessions
    assert session.id == "CP-LIB"
    trace = recorded(proxy)
    assert trace.header.version is version
    assert _by_direction(trace) == station_saw
    [boot_answer] = [
        m for m in station_saw[Direction.CSMS_TO_STATION] if m[0] == 3 and "interval" in m[2]
    ]
    assert boot_answer[2]["interval"] == INTERVAL  # the library's answer, through the proxy


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
async def test_a_trace_recorded_against_our_csms_replays_against_the_library_csms(
    tmp_path: Path, version: VersionSpec
) -> None:
    async with (
        our_csms(tmp_path, heartbeat_interval=OUR_INTERVAL) as csms,
        proxy_to(f"ws://127.0.0.1:{csms.port}/ocpp", tmp_path) as proxy,
    ):
        async with station_on(proxy.port, "CP-REC", version) as runtime:
            await _charge(runtime)
        await _closed(proxy)
    trace = recorded(proxy)

    async with library_csms(version) as url:
        result = await replay(trace, ReplayTarget(url, "CP-REPLAY", speed=None))

    assert result.ended is None
    assert [str(d) for d in result.differences] == [
        f"BootNotification (call 1) /interval: recorded {OUR_INTERVAL}, replayed {INTERVAL}"
    ]


async def test_a_trace_recorded_against_the_library_csms_replays_against_ours(
    tmp_path: Path,
) -> None:
    async with library_csms(V16) as upstream, proxy_to(upstream, tmp_path) as proxy:
        async with station_on(proxy.port, "CP-REC", V16) as runtime:
            await _charge(runtime)
        await _closed(proxy)
    trace = recorded(proxy)

    async with our_csms(tmp_path, heartbeat_interval=OUR_INTERVAL) as csms:
        url = f"ws://127.0.0.1:{csms.port}/ocpp"
        result = await replay(trace, ReplayTarget(url, "CP-REPLAY", speed=None))

    assert result.ended is None
    assert [str(d) for d in result.differences] == [
        f"BootNotification (call 1) /interval: recorded {INTERVAL}, replayed {OUR_INTERVAL}"
    ]
