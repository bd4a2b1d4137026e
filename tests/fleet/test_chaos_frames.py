"""Frame faults against chargeyard's central system (in process, real sockets, virtual time):
what reached the central system (its frame log) shows each fault, and the station's
transaction messages still arrive, each once at least and in order (1.6 section 4.10)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chargeyard.csms.station_calls import StationDidNotAnswer
from chargeyard.fleet.chaos.faults import (
    Bandwidth,
    DelayAnswers,
    DelayFrames,
    Disconnect,
    DropFrames,
    DuplicateFrames,
    HalfOpen,
    Latency,
    RefuseConnect,
    ReorderFrames,
    WithholdAnswers,
)
from chargeyard.protocol import V16, V201, VersionSpec
from tests.fleet.chaos_harness import accepted, calls, now, quiet, received, round_trip, station_on
from tests.polling import eventually, until
from tests.station.wire_csms import our_csms

pytestmark = pytest.mark.virtual_time


async def test_dropped_frames_never_reach_the_csms_and_the_station_times_out(
    tmp_path: Path,
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        chaos = runtime.apply_chaos([DropFrames(share=1.0, actions=("Heartbeat",))], seed=1)
        runtime.station.trigger_here("Heartbeat")
        await until(lambda: runtime.station.awaiting_answers == 1)
        started = now()
        await until(lambda: runtime.station.awaiting_answers == 0, within=120)
        assert now() - started >= runtime.station.call_timeout - 0.1  # its timeout, no answer
        assert calls(await received(csms), "Heartbeat") == []
        assert [effect for effect, _ in chaos.effects()] == ["frame_dropped"]
        assert runtime.stats.faults == {"frame_dropped": 1}


@pytest.mark.parametrize("version", [V16, V201], ids=str)
async def test_duplicated_frames_reach_the_csms_twice_with_one_message_id(
    tmp_path: Path, version: VersionSpec
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port, version=version) as runtime:
        runtime.apply_chaos([DuplicateFrames(share=1.0, actions=("Heartbeat",))], seed=1)
        await round_trip(runtime)
        await round_trip(runtime)
        heartbeats = calls(await received(csms), "Heartbeat")
        assert len(heartbeats) == 4
        assert heartbeats[0][1] == heartbeats[1][1] != heartbeats[2][1] == heartbeats[3][1]
        assert runtime.connected  # the second answer is one the station ignores


async def test_delayed_frames_arrive_late(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        runtime.apply_chaos([DelayFrames(share=1.0, delay_s=12)], seed=1)
        took = await round_trip(runtime)
        assert 12 <= took < 13
        assert len(calls(await received(csms), "Heartbeat")) == 1


async def test_a_clear_sends_delayed_frames_and_answers_at_once(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        runtime.apply_chaos([DelayFrames(share=1.0, delay_s=60), DelayAnswers(delay_s=60)], 1)
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        asked = asyncio.ensure_future(
            csms.registry.call("CP-1", "GetConfiguration", {"key": ["HeartbeatInterval"]})
        )
        started = now()
        await until(lambda: now() - started > 2, every=0.5)
        assert calls(await received(csms), "Heartbeat") == []
        runtime.clear_chaos()  # what was held back is sent now
        answer = await asked
        assert answer["configurationKey"][0]["key"] == "HeartbeatInterval"
        await until(lambda: quiet(runtime))
        assert now() - started < 3
        assert len(calls(await received(csms), "Heartbeat")) == 1


async def test_reordered_frames_a_single_frame_goes_after_the_next(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        chaos = runtime.apply_chaos([ReorderFrames(share=1.0, hold_s=20)], seed=1)
        station = runtime.station
        station.trigger_here("Heartbeat")  # held ...
        await until(lambda: station.awaiting_answers == 1)
        # ... until the station writes again: the answer to the CSMS's call goes first.
        await csms.registry.call(
            "CP-1", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "400"}
        )
        await until(lambda: quiet(runtime), within=60)
        messages = await received(csms)
        kinds = [(m[0], m[2] if m[0] == 2 else None) for m in messages[-2:]]
        assert kinds == [(3, None), (2, "Heartbeat")]
        assert "frame_reordered" in [effect for effect, _ in chaos.effects()]


# A read of the heartbeat interval in each version's words, and where its answer names it.
READ_INTERVAL: dict[VersionSpec, tuple[str, dict[str, Any], Callable[[Any], Any]]] = {
    V16: (
        "GetConfiguration",
        {"key": ["HeartbeatInterval"]},
        lambda answer: answer["configurationKey"][0]["key"],
    ),
    V201: (
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
            ]
        },
        lambda answer: answer["getVariableResult"][0]["variable"]["name"],
    ),
}


@pytest.mark.parametrize("version", [V16, V201], ids=str)
async def test_answers_delayed_past_the_csms_timeout(tmp_path: Path, version: VersionSpec) -> None:
    action, payload, named = READ_INTERVAL[version]
    async with our_csms(tmp_path) as csms, station_on(csms.port, version=version) as runtime:
        chaos = runtime.apply_chaos([DelayAnswers(share=1.0, delay_s=8)], seed=1)
        started = now()
        with pytest.raises(StationDidNotAnswer):
            await csms.registry.call("CP-1", action, payload, timeout=5)
        assert 4.9 <= now() - started < 6
        await until(lambda: now() - started > 8.5, within=30)
        answers = [m for m in await received(csms) if m[0] == 3]
        assert answers
        assert named(answers[-1][2]) == "HeartbeatInterval"  # late, past the CSMS's timeout
        assert [effect for effect, _ in chaos.effects()] == ["answer_delayed"]


async def test_answers_withheld_never_reach_the_csms(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        before = len([m for m in await received(csms) if m[0] == 3])
        runtime.apply_chaos([WithholdAnswers(share=1.0)], seed=1)
        with pytest.raises(StationDidNotAnswer):
            await csms.registry.call(
                "CP-1", "GetConfiguration", {"key": ["HeartbeatInterval"]}, timeout=5
            )
        started = now()
        await until(lambda: now() - started > 10, within=30)
        assert len([m for m in await received(csms) if m[0] == 3]) == before
        assert runtime.stats.faults == {"answer_withheld": 1}


# -- the station's transaction messages under each fault -------------------------------------------

TRANSACTION_FAULTS = {
    "latency": [Latency(up_ms=800, down_ms=400, jitter_ms=300, for_s=60)],
    "bandwidth": [Bandwidth(up_bytes_per_s=60, down_bytes_per_s=60, for_s=40)],
    "half-open": [HalfOpen(for_s=25)],
    "cut and refused": [Disconnect(offline_s=2), RefuseConnect(for_s=25)],
    "answers withheld": [WithholdAnswers(share=1.0, for_s=60)],
    "cut": [Disconnect(offline_s=20)],
    "cuts every 7 s": [Disconnect(every_s=7, offline_s=3, for_s=40)],
    "dropped frames": [DropFrames(share=0.5, for_s=120)],
    "duplicated frames": [DuplicateFrames(share=0.5)],
    "delayed frames": [DelayFrames(share=0.5, delay_s=3)],
    "reordered frames": [ReorderFrames(share=0.5, hold_s=2)],
}


@pytest.mark.parametrize("fault", list(TRANSACTION_FAULTS))
async def test_e_transaction_messages_arrive_in_order_through_the_fault(
    tmp_path: Path, fault: str
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        station = runtime.station
        station.config.change("MeterValueSampleInterval", "2")
        station.config.change("TransactionMessageAttempts", "10")
        station.config.change("TransactionMessageRetryInterval", "1")
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: station.model.transaction_by_csms_id(1) is not None and quiet(runtime))
        runtime.apply_chaos(TRANSACTION_FAULTS[fault], seed=7)
        started = now()
        await until(lambda: now() - started > 15, within=120)
        station.unplug(1, 1)
        await until(lambda: now() - started > 45, within=120)
        runtime.clear_chaos()
        await until(lambda: accepted(runtime) and quiet(runtime), within=300)

        async def stopped() -> bool:
            return len(calls(await received(csms), "StopTransaction")) >= 1

        await eventually(stopped, within=30)
        messages = [m[2] for m in calls(await received(csms)) if m[2] in TX_ACTIONS]
        # Each message at least once, and in the order the station made them: Start, its
        # MeterValues, Stop (a resent or duplicated message repeats the one before it).
        unique = [a for i, a in enumerate(messages) if i == 0 or a != messages[i - 1]]
        assert unique[0] == "StartTransaction"
        assert unique[-1] == "StopTransaction"
        assert "MeterValues" in unique
        assert unique.count("StartTransaction") == 1
        assert unique.count("StopTransaction") == 1


TX_ACTIONS = {"StartTransaction", "MeterValues", "StopTransaction"}


async def test_e13_a_2_0_1_stations_transaction_events_survive_a_cut(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port, version=V201) as runtime:
        station = runtime.station
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: quiet(runtime))
        runtime.apply_chaos([Disconnect(offline_s=30)], seed=3)
        await until(lambda: not runtime.connected)
        station.unplug(1, 1)  # the Ended event is made while offline
        await until(lambda: accepted(runtime) and quiet(runtime), within=120)
        events = [m[3] for m in calls(await received(csms), "TransactionEvent")]
        kinds = [e["eventType"] for e in events]
        assert kinds[0] == "Started"
        assert kinds[-1] == "Ended"
        seq = [e["seqNo"] for e in events]
        assert seq == sorted(seq)
        assert events[-1]["offline"] is True
