"""The main network faults against a central system written with the ``ocpp`` library
(mobilityhouse), on real WebSockets and the system clock, as in ``test_e2e_ocpp_lib.py``
(whose central systems these are): what the library received shows each fault, and the
station's transaction messages still arrive in order after a cut (1.6 section 4.10)."""

from __future__ import annotations

import asyncio
import time

import pytest
from ocpp.v16 import call as call16

from chargeyard.fleet.chaos.faults import (
    DelayAnswers,
    Disconnect,
    DuplicateFrames,
    HalfOpen,
    Latency,
    WithholdAnswers,
)
from chargeyard.protocol import V16
from tests.polling import until
from tests.station.test_e2e_ocpp_lib import TEMPLATE, accepted, lib_csms, running
from tests.station.wall_clock import wall_clock_station


def quiet(station: object) -> bool:
    return getattr(station, "awaiting_answers", 1) == 0


async def test_latency_on_the_way_to_and_from_an_ocpp_library_csms() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    async with lib_csms(V16) as csms, running(station, csms) as runtime:
        await until(lambda: accepted(station) and quiet(station))
        runtime.apply_chaos([Latency(up_ms=300, down_ms=200)], seed=1)
        started = time.monotonic()
        station.trigger_here("Heartbeat")
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1)
        reached = time.monotonic() - started
        await until(lambda: quiet(station))
        answered = time.monotonic() - started
        assert 0.3 <= reached < 0.5
        assert 0.5 <= answered < 0.8


async def test_a_duplicated_message_reaches_the_library_twice_with_one_id() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    async with lib_csms(V16) as csms, running(station, csms) as runtime:
        await until(lambda: accepted(station) and quiet(station))
        runtime.apply_chaos([DuplicateFrames(share=1.0, actions=("Heartbeat",))], seed=1)
        station.trigger_here("Heartbeat")
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 2)
        await until(lambda: quiet(station))
        assert runtime.connected


async def test_answers_withheld_or_late_time_out_in_the_library() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    async with lib_csms(V16) as csms, running(station, csms) as runtime:
        await until(lambda: accepted(station) and quiet(station))
        charge_point = csms.charge_points["CP-1"]
        charge_point._response_timeout = 0.5  # (the library's own, 30 s by default)
        runtime.apply_chaos([WithholdAnswers(share=1.0, for_s=2)], seed=1)
        with pytest.raises(asyncio.TimeoutError):
            await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        runtime.clear_chaos()
        runtime.apply_chaos([DelayAnswers(share=1.0, delay_s=1.0)], seed=1)
        with pytest.raises(asyncio.TimeoutError):
            await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        effects = [effect for effect, _ in runtime.chaos.effects()]  # type: ignore[union-attr]
        assert effects == ["answer_delayed"]
        runtime.clear_chaos()
        answer = await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        assert answer.configuration_key[0]["key"] == "HeartbeatInterval"


async def test_transaction_messages_made_offline_reach_the_library_after_a_cut() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    async with lib_csms(V16) as csms, running(station, csms) as runtime:
        wire = csms.wire
        await until(lambda: accepted(station) and quiet(station))
        station.plug(1, 1)
        station.present_id_token("TAG-CUT")
        await until(lambda: len(wire.payloads("StartTransaction")) == 1 and quiet(station))
        runtime.apply_chaos([Disconnect(offline_s=1.5)], seed=1)
        await until(lambda: not runtime.connected)
        station.unplug(1, 1)  # StopTransaction made while the CSMS is out of reach
        assert wire.payloads("StopTransaction") == []
        await until(lambda: len(wire.payloads("StopTransaction")) == 1, within=10)
        assert csms.connections == 2
        actions = [a for a in wire.actions() if a in ("StartTransaction", "StopTransaction")]
        assert actions == ["StartTransaction", "StopTransaction"]
        assert wire.payloads("StopTransaction")[0]["transactionId"] == 1
        assert wire.actions().count("BootNotification") == 1  # B04: no new boot


async def test_a_half_open_station_reads_the_librarys_answer_only_once_it_reads_again() -> None:
    station = wall_clock_station("CP-1", TEMPLATE)
    async with lib_csms(V16) as csms, running(station, csms) as runtime:
        await until(lambda: accepted(station) and quiet(station))
        runtime.apply_chaos([HalfOpen(for_s=0.6)], seed=1)
        started = time.monotonic()
        station.trigger_here("Heartbeat")
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1)
        assert time.monotonic() - started < 0.3  # the station still writes
        await until(lambda: quiet(station))
        assert time.monotonic() - started >= 0.55  # and reads the answer once it reads again
        assert runtime.connected
