"""Every fault kind against a central system written with the ``ocpp`` library (mobilityhouse),
on real WebSockets on the virtual-time loop, with the central systems of
``test_e2e_ocpp_lib.py`` (which check every frame against the official schemas): what the
library received shows each fault (the frames, their content, their timing), and the station's
guarantees hold through it: no transaction message is lost to a drop, a cut or a power cut, and
the queue made offline is delivered in order (1.6 section 4.10, 2.0.1 E13), without a new boot
after a cut (B04). :data:`LIBRARY_TESTS` names the test of each kind in ``KINDS``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import orjson
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from chargeyard import loop_clock
from chargeyard.fleet.chaos.crowds import crowd_source, spread
from chargeyard.fleet.chaos.faults import (
    KINDS,
    Bandwidth,
    BootInTransaction,
    Clock,
    DelayAnswers,
    DelayFrames,
    Disconnect,
    DropFrames,
    DuplicateFrames,
    Fault,
    HalfOpen,
    Latency,
    MeterBackwards,
    PowerCut,
    ReconnectStorm,
    RefuseConnect,
    ReorderFrames,
    RollingRestart,
    StatusForUnknownConnector,
    UnknownTransactionId,
    WithholdAnswers,
)
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16, V201, VersionSpec
from tests.fleet.chaos_harness import accepted, now, quiet
from tests.polling import until
from tests.station.test_e2e_ocpp_lib import TEMPLATE, LibCsms, lib_csms, running
from tests.station.wall_clock import wall_clock_station

pytestmark = pytest.mark.virtual_time

TX_ACTIONS = ("StartTransaction", "StopTransaction")


@contextlib.asynccontextmanager
async def online(csms: LibCsms, identity: str = "CP-1") -> AsyncIterator[StationRuntime]:
    """A station of the central system's version, booted and with its reports answered."""
    station = wall_clock_station(identity, TEMPLATE, csms.version)
    async with running(station, csms) as runtime:
        await until(lambda: accepted(runtime) and quiet(runtime))
        yield runtime


@contextlib.asynccontextmanager
async def crowd_on(
    csms: LibCsms, identities: list[str]
) -> AsyncIterator[dict[str, StationRuntime]]:
    async with contextlib.AsyncExitStack() as stack:
        yield {i: await stack.enter_async_context(online(csms, i)) for i in identities}


def strike(runtimes: dict[str, StationRuntime], faults: list[Fault], seed: int) -> None:
    """Apply ``faults`` to the crowd as ``Fleet.apply_chaos`` and the gateway do."""
    for identity, own in spread(faults, runtimes, seed).items():
        runtimes[identity].apply_chaos(own, seed)


async def charging(runtime: StationRuntime, tag: str = "TAG-LIB") -> None:
    """A driver plugs and badges; the transaction's start is answered."""
    station = runtime.station
    station.plug(1, 1)
    station.present_id_token(tag)
    await until(lambda: any(True for _ in station.model.transactions()) and quiet(runtime))


def patient(runtime: StationRuntime) -> None:
    """Transaction messages sent again often and long (1.6 section 4.10), and sampled every
    2 s while charging."""
    config = runtime.station.config
    config.change("MeterValueSampleInterval", "2")
    config.change("TransactionMessageAttempts", "10")
    config.change("TransactionMessageRetryInterval", "1")


async def passes(seconds: float) -> None:
    """``seconds`` of the loop's clock pass (the station's own timers run meanwhile)."""
    started = now()
    await until(lambda: now() - started >= seconds, within=seconds + 5, every=0.5)


def tx_actions(csms: LibCsms) -> list[str]:
    return [action for action in csms.wire.actions() if action in TX_ACTIONS]


def effects(runtime: StationRuntime) -> list[str]:
    assert runtime.chaos is not None
    return [effect for effect, _ in runtime.chaos.effects()]


def arrivals(csms: LibCsms) -> list[list[Any]]:
    """Every message the library receives from now on, in the order it reads them (its wire
    keeps CALLs and answers apart)."""
    seen: list[list[Any]] = []
    heard = csms.wire.sent_by_station

    def record(text: str | bytes) -> None:
        seen.append(orjson.loads(text))
        heard(text)

    csms.wire.sent_by_station = record  # type: ignore[method-assign]
    return seen


def stamp(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(payload["timestamp"]).replace("Z", "+00:00"))


# -- link faults ---------------------------------------------------------------------------------


async def test_latency_on_the_way_to_and_from_an_ocpp_library_csms() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([Latency(up_ms=300, down_ms=200)], seed=1)
        started = now()
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1)
        reached = now() - started
        await until(lambda: quiet(runtime))
        answered = now() - started
        assert 0.3 <= reached < 0.5
        assert 0.5 <= answered < 0.8


async def test_a_bandwidth_cap_spreads_a_message_over_its_bytes_to_the_library() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([Bandwidth(up_bytes_per_s=20, down_bytes_per_s=20)], seed=1)
        started = now()
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1, within=30)
        # A Heartbeat CALL is some 30 bytes framed, its answer (with a time) some 70.
        assert now() - started >= 1.2
        await until(lambda: quiet(runtime), within=30)
        assert now() - started >= 4.0
        runtime.clear_chaos()
        started = now()
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 2 and quiet(runtime))
        assert now() - started < 0.5


async def test_cuts_every_n_seconds_and_per_minute_a_transaction_reaches_the_library_whole() -> (
    None
):
    async with lib_csms(V16) as csms, online(csms) as runtime:
        patient(runtime)
        await charging(runtime)
        started = now()
        chaos = runtime.apply_chaos([Disconnect(every_s=5, offline_s=1, for_s=17)], seed=1)
        await passes(8)
        runtime.station.unplug(1, 1)  # the stop is made between two cuts, or in one
        await until(lambda: now() - started > 20 and accepted(runtime) and quiet(runtime), 60, 0.25)
        drops = [round(e.at) for e in chaos.journal if e.effect == "connection_dropped"]
        assert drops == [5, 10, 15]
        assert csms.connections == 1 + 3  # the library saw each cut and each return
        runtime.clear_chaos()
        chaos = runtime.apply_chaos([Disconnect(per_minute=0.999, for_s=40)], seed=42)
        started = now()
        await until(
            lambda: now() - started > 40 and accepted(runtime) and quiet(runtime), 120, 0.25
        )
        cuts = len([e for e in chaos.journal if e.effect == "connection_dropped"])
        assert cuts >= 1
        assert csms.connections == 1 + 3 + cuts
    assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
    assert csms.wire.payloads("StopTransaction")[0]["transactionId"] == 1
    assert csms.wire.actions().count("BootNotification") == 1  # B04: no new boot


async def test_transaction_messages_made_offline_reach_the_library_after_a_cut() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        wire = csms.wire
        await charging(runtime, "TAG-CUT")
        runtime.apply_chaos([Disconnect(offline_s=1.5)], seed=1)
        await until(lambda: not runtime.connected)
        runtime.station.unplug(1, 1)  # StopTransaction made while the CSMS is out of reach
        assert wire.payloads("StopTransaction") == []
        await until(lambda: len(wire.payloads("StopTransaction")) == 1, within=10)
        assert csms.connections == 2
        assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
        assert wire.payloads("StopTransaction")[0]["transactionId"] == 1
        assert wire.actions().count("BootNotification") == 1  # B04: no new boot


async def test_a_half_open_station_reads_the_librarys_answer_only_once_it_reads_again() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([HalfOpen(for_s=6)], seed=1)
        started = now()
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1)
        assert now() - started < 0.3  # the station still writes
        await until(lambda: quiet(runtime), within=30)
        assert now() - started >= 5.9  # and reads the answer once it reads again
        assert runtime.connected


async def test_a_station_refused_reaches_the_library_once_the_fault_ends() -> None:
    async with lib_csms(V16) as csms:
        station = wall_clock_station("CP-1", TEMPLATE)
        async with running(station, csms) as runtime:
            # (applied before the loop turns again, so before the first attempt to dial)
            chaos = runtime.apply_chaos([RefuseConnect(for_s=15)], seed=1)
            started = now()
            await passes(14)
            assert csms.connections == 0
            assert csms.wire.calls == []
            await until(lambda: accepted(runtime) and quiet(runtime), within=30)
            assert now() - started >= 15
            assert set(effects(runtime)) == {"connect_refused"}
            assert runtime.stats.failures >= 2
            assert chaos.faults == []
        assert csms.connections == 1
        assert csms.wire.actions()[0] == "BootNotification"


# -- frame faults ------------------------------------------------------------------------------


async def test_a_duplicated_message_reaches_the_library_twice_with_one_id() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([DuplicateFrames(share=1.0, actions=("Heartbeat",))], seed=1)
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 2)
        await until(lambda: quiet(runtime))
        assert runtime.connected


async def test_dropped_stops_are_sent_again_until_the_library_has_one() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        patient(runtime)
        await charging(runtime)
        runtime.apply_chaos([DropFrames(share=1.0, actions=("StopTransaction",), for_s=60)], 1)
        runtime.station.unplug(1, 1)
        await passes(55)
        assert csms.wire.payloads("StopTransaction") == []  # every attempt lost so far
        await until(lambda: quiet(runtime), within=120)
        assert effects(runtime).count("frame_dropped") >= 2
        assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
        assert csms.wire.payloads("StopTransaction")[0]["transactionId"] == 1


async def test_a_delayed_message_reaches_the_library_late_overtaken_by_an_answer() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([DelayFrames(share=1.0, delay_s=12, actions=("Heartbeat",))], 1)
        started = now()
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: runtime.station.awaiting_answers == 1)
        answer = await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        assert answer.configuration_key[0]["key"] == "HeartbeatInterval"
        assert csms.wire.payloads("Heartbeat") == []  # the answer written after it overtook it
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1, 30, 0.1)
        assert 12 <= now() - started < 12.5
        await until(lambda: quiet(runtime))
        assert effects(runtime) == ["frame_delayed"]


async def test_a_clear_sends_the_delayed_message_and_answer_to_the_library_at_once() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([DelayFrames(share=1.0, delay_s=60), DelayAnswers(delay_s=60)], 1)
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        asked = asyncio.ensure_future(csms.call(READ_INTERVAL[V16]()))
        await passes(2)
        assert csms.wire.payloads("Heartbeat") == []
        assert not asked.done()
        cleared = now()
        runtime.clear_chaos()  # what was held back is sent now (docs/chaos.md)
        answer = await asked
        assert answer.configuration_key[0]["key"] == "HeartbeatInterval"
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1 and quiet(runtime))
        assert now() - cleared < 0.5


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_e_a_stop_delayed_past_a_cut_reaches_the_library_once_in_order(
    version: VersionSpec,
) -> None:
    async with lib_csms(version) as csms, online(csms) as runtime:
        await charging(runtime)
        stops = ("StopTransaction", "TransactionEvent")
        runtime.apply_chaos([DelayFrames(share=1.0, delay_s=10, actions=stops)], seed=1)
        runtime.station.unplug(1, 1)
        await passes(2)
        runtime.apply_chaos([Disconnect(offline_s=1)])  # the delayed stop dies with its link
        await until(lambda: not runtime.connected)
        await until(lambda: runtime.connected)  # ... and is sent again, delayed again
        runtime.clear_chaos()
        await until(lambda: quiet(runtime), within=10)
        assert csms.connections == 2
        if version is V16:
            assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
            assert csms.wire.payloads("StopTransaction")[0]["reason"] == "EVDisconnected"
        else:
            events = csms.wire.payloads("TransactionEvent")
            kinds = [e["eventType"] for e in events]
            assert kinds[0] == "Started"
            assert kinds.count("Ended") == 1
            assert kinds[-1] == "Ended"
            assert [e["seqNo"] for e in events] == list(range(len(events)))


async def test_reordered_frames_the_answer_to_the_library_goes_before_a_held_call() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        seen = arrivals(csms)
        runtime.apply_chaos([ReorderFrames(share=1.0, hold_s=20)], seed=1)
        started = now()
        runtime.station.trigger_here("Heartbeat")  # type: ignore[attr-defined]
        await until(lambda: runtime.station.awaiting_answers == 1)  # held ...
        # ... until the station writes again: its answer to the library's call goes first.
        await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        await until(lambda: len(csms.wire.payloads("Heartbeat")) == 1)
        assert [(m[0], m[2] if m[0] == 2 else "answer") for m in seen] == [
            (3, "answer"),
            (2, "Heartbeat"),
        ]
        assert now() - started < 1  # sent with the answer, not at the end of its hold
        assert "frame_reordered" in effects(runtime)
        await until(lambda: quiet(runtime))


async def test_answers_withheld_or_late_time_out_in_the_library() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        charge_point = csms.charge_points["CP-1"]
        charge_point._response_timeout = 0.5  # (the library's own, 30 s by default)
        runtime.apply_chaos([WithholdAnswers(share=1.0, for_s=2)], seed=1)
        with pytest.raises(TimeoutError):
            await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        runtime.clear_chaos()
        runtime.apply_chaos([DelayAnswers(share=1.0, delay_s=1.0)], seed=1)
        with pytest.raises(TimeoutError):
            await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        assert effects(runtime) == ["answer_delayed"]
        runtime.clear_chaos()
        answer = await csms.call(call16.GetConfiguration(key=["HeartbeatInterval"]))
        assert answer.configuration_key[0]["key"] == "HeartbeatInterval"


# A read of the heartbeat interval in each version's words (the library's dataclasses).
READ_INTERVAL: dict[VersionSpec, Callable[[], Any]] = {
    V16: lambda: call16.GetConfiguration(key=["HeartbeatInterval"]),
    V201: lambda: call201.GetVariables(
        get_variable_data=[
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        ]
    ),
}


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_a_delayed_answer_reaches_the_library_after_its_timeout(
    version: VersionSpec,
) -> None:
    async with lib_csms(version) as csms, online(csms) as runtime:
        csms.charge_points["CP-1"]._response_timeout = 5
        runtime.apply_chaos([DelayAnswers(share=1.0, delay_s=8, for_s=1)], seed=1)
        started = now()
        with pytest.raises(TimeoutError):
            await csms.call(READ_INTERVAL[version]())
        assert 5 <= now() - started < 5.5
        assert csms.wire.answers == []
        await until(lambda: len(csms.wire.answers) == 1, within=10)
        assert 8 <= now() - started < 8.5  # on the wire, past the library's timeout
        # The library's next call takes its own answer, not the late one.
        await csms.call(READ_INTERVAL[version]())
        assert len(csms.wire.answers) == 2
        assert effects(runtime) == ["answer_delayed"]


# -- station faults: the clock and the firmware ------------------------------------------------


async def test_the_library_receives_timestamps_offset_drifting_and_jumped() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        station = runtime.station

        async def skew() -> float:
            """How far the timestamp of a StatusNotification the library receives now is
            from the true time."""
            before = len(csms.wire.payloads("StatusNotification"))
            station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
            await until(lambda: len(csms.wire.payloads("StatusNotification")) > before)
            told = stamp(csms.wire.payloads("StatusNotification")[-1])
            return (told - loop_clock.now()).total_seconds()

        assert abs(await skew()) < 0.5
        runtime.apply_chaos([Clock(offset_s=3600)], seed=1)
        assert 3599.5 < await skew() < 3600.5
        runtime.clear_chaos()
        runtime.apply_chaos([Clock(drift_ppm=100_000)], seed=1)  # gains 0.1 s a second
        await passes(100)
        assert 9.5 < await skew() < 10.5
        runtime.clear_chaos()
        runtime.apply_chaos([Clock(jump_to="2020-02-02T00:00:00+00:00", jump_after_s=30)], 1)
        assert abs(await skew()) < 0.5  # not yet
        await passes(31)
        before = len(csms.wire.payloads("StatusNotification"))
        station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
        await until(lambda: len(csms.wire.payloads("StatusNotification")) > before)
        assert str(csms.wire.payloads("StatusNotification")[-1]["timestamp"]) < "2020-02-03"
        runtime.clear_chaos()
        assert abs(await skew()) < 0.5  # true again


async def test_the_library_receives_a_status_for_a_connector_the_station_lacks() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        runtime.apply_chaos([StatusForUnknownConnector()], seed=1)
        await until(lambda: quiet(runtime) and effects(runtime) == ["misbehaviour_on"])
        await until(lambda: csms.wire.payloads("StatusNotification")[-1]["connectorId"] == 2)
        runtime.clear_chaos()
        runtime.station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
        await until(lambda: quiet(runtime))
        told = [p["connectorId"] for p in csms.wire.payloads("StatusNotification")]
        assert told[-2:] == [2, 1]  # the station has one connector; none for 2 after the clear


async def test_the_library_receives_transaction_messages_naming_an_unknown_transaction() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        patient(runtime)
        await charging(runtime)
        runtime.apply_chaos([UnknownTransactionId()], seed=1)
        await passes(5)
        runtime.station.unplug(1, 1)
        await until(lambda: quiet(runtime), within=30)
        [start] = csms.wire.payloads("StartTransaction")
        [stop] = csms.wire.payloads("StopTransaction")
        assert stop["transactionId"] != 1  # the library gave 1
        metered = [p["transactionId"] for p in csms.wire.payloads("MeterValues")]
        assert metered[-1] == stop["transactionId"]
        assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
        assert start["connectorId"] == stop.get("connectorId", 1)


def energy_wh(payload: dict[str, Any]) -> list[float]:
    """The energy register's readings in a 1.6 MeterValues (Wh; the measurand by default)."""
    readings = []
    for value in payload["meterValue"]:
        for sampled in value["sampledValue"]:
            if sampled.get("measurand", "Energy.Active.Import.Register") == (
                "Energy.Active.Import.Register"
            ):
                scale = 1000.0 if sampled.get("unit") == "kWh" else 1.0
                readings.append(float(sampled["value"]) * scale)
    return readings


async def test_the_library_receives_an_energy_register_counting_down() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        patient(runtime)
        await charging(runtime)
        await passes(30)
        before = len(csms.wire.payloads("MeterValues"))
        runtime.apply_chaos([MeterBackwards(for_s=10)], seed=1)
        await passes(10)
        going_down = [r for p in csms.wire.payloads("MeterValues")[before:] for r in energy_wh(p)]
        assert len(going_down) >= 3
        assert going_down == sorted(going_down, reverse=True)
        assert going_down[-1] < going_down[0]
        runtime.station.unplug(1, 1)
        await until(lambda: quiet(runtime), within=30)
        assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]


async def test_the_library_receives_a_boot_in_the_middle_of_a_transaction() -> None:
    async with lib_csms(V16) as csms, online(csms) as runtime:
        await charging(runtime)
        runtime.apply_chaos([BootInTransaction(for_s=5)], seed=1)
        await until(lambda: csms.wire.actions().count("BootNotification") == 2 and quiet(runtime))
        runtime.station.unplug(1, 1)
        await until(lambda: quiet(runtime), within=30)
        moved = [a for a in csms.wire.actions() if a in {*TX_ACTIONS, "BootNotification"}]
        assert moved == [
            "BootNotification",
            "StartTransaction",
            "BootNotification",
            "StopTransaction",
        ]
        assert csms.connections == 1  # on the same connection: no reboot, no reconnect
        assert csms.wire.payloads("StopTransaction")[0]["transactionId"] == 1


# -- crowds --------------------------------------------------------------------------------------

CROWD = ["CP-A", "CP-B", "CP-C"]


async def test_a_storm_drops_every_station_and_each_comes_back_to_the_library() -> None:
    seed = next(s for s in range(100) if crowd_source(s, "CP-A").uniform(0, 30) > 10)
    async with lib_csms(V16) as csms, crowd_on(csms, CROWD) as crowd:
        first = {i: csms.charge_points[i] for i in CROWD}
        patient(crowd["CP-A"])
        await charging(crowd["CP-A"])
        strike(crowd, [ReconnectStorm(jitter_s=30)], seed=seed)
        await until(lambda: crowd["CP-A"].stats.disconnects == 1)
        crowd["CP-A"].station.unplug(1, 1)  # the stop waits in the queue through the storm
        for runtime in crowd.values():
            await until(lambda r=runtime: r.stats.disconnects == 1 and accepted(r), 60, 0.1)  # type: ignore[misc]
        await until(lambda: all(quiet(r) for r in crowd.values()))
        assert csms.connections == 6
        assert all(csms.charge_points[i] is not first[i] for i in CROWD)  # each came back
        assert csms.wire.actions().count("BootNotification") == 3  # without a new boot (B04)
        assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]


async def test_a_rolling_restart_boots_each_station_again_at_the_library() -> None:
    fault = RollingRestart(per_minute=6, off_s=2)
    slots = {i: own[0].after_s for i, own in spread([fault], CROWD, 9).items()}  # type: ignore[union-attr]
    async with lib_csms(V16) as csms, crowd_on(csms, CROWD) as crowd:
        await charging(crowd["CP-A"])
        strike(crowd, [fault], seed=9)
        await until(lambda: csms.wire.actions().count("BootNotification") == 6, 60, 0.1)
        await until(lambda: all(accepted(r) and quiet(r) for r in crowd.values()), within=30)
        for identity, runtime in crowd.items():
            assert runtime.chaos is not None
            [at] = [e.at for e in runtime.chaos.journal if e.effect == "rolling_restart"]
            assert slots[identity] <= at < slots[identity] + 0.5
        assert sorted(slots.values()) == [0.0, 10.0, 20.0]
        assert csms.connections == 6
        crowd["CP-A"].station.unplug(1, 1)  # (the cable stayed in through the reboot)
        await until(lambda: quiet(crowd["CP-A"]), within=30)
        assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]


async def test_a_power_cut_strikes_the_crowd_and_each_boots_again_at_the_library() -> None:
    async with lib_csms(V16) as csms, crowd_on(csms, CROWD[:2]) as crowd:
        first = {i: csms.charge_points[i] for i in crowd}
        strike(crowd, [PowerCut(off_s=10)], seed=1)
        await until(lambda: not any(r.station.powered for r in crowd.values()))
        await passes(9)
        assert csms.wire.actions().count("BootNotification") == 2  # dark, both
        await until(lambda: all(accepted(r) and quiet(r) for r in crowd.values()), within=30)
        assert csms.wire.actions().count("BootNotification") == 4
        assert all(csms.charge_points[i] is not first[i] for i in crowd)


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_e_a_power_cuts_open_transaction_reaches_the_library_ended_by_power_loss(
    version: VersionSpec,
) -> None:
    async with lib_csms(version) as csms, online(csms) as runtime:
        await charging(runtime)
        strike({"CP-1": runtime}, [PowerCut(off_s=10)], seed=1)
        await until(lambda: not runtime.station.powered)

        def back() -> bool:
            return csms.connections == 2 and accepted(runtime) and quiet(runtime)

        await until(back, 60, 0.1)
        actions = csms.wire.actions()
        second_boot = [i for i, a in enumerate(actions) if a == "BootNotification"][1]
        if version is V16:
            assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
            [stop] = csms.wire.payloads("StopTransaction")
            assert stop["reason"] == "PowerLoss"
            assert stop["transactionId"] == 1
            ended = actions.index("StopTransaction")
        else:
            events = csms.wire.payloads("TransactionEvent")
            assert events[0]["eventType"] == "Started"
            assert events[-1]["eventType"] == "Ended"
            assert events[-1]["transactionInfo"]["stoppedReason"] == "PowerLoss"
            assert [e["seqNo"] for e in events] == sorted(e["seqNo"] for e in events)
            ended = max(i for i, a in enumerate(actions) if a == "TransactionEvent")
        assert ended > second_boot  # reported once the boot after was accepted


@pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
async def test_e_a_stop_queued_offline_reaches_the_library_through_a_power_cut(
    version: VersionSpec,
) -> None:
    async with lib_csms(version) as csms, online(csms) as runtime:
        await charging(runtime)
        runtime.apply_chaos([Disconnect(offline_s=30)], seed=1)
        await until(lambda: not runtime.connected)
        runtime.station.unplug(1, 1)  # the stop waits in the queue ...
        await passes(3)
        strike({"CP-1": runtime}, [PowerCut(off_s=5)], seed=1)  # ... through a power cut
        await until(lambda: not runtime.station.powered)
        await until(lambda: csms.connections == 2 and accepted(runtime) and quiet(runtime), 60, 0.1)
        actions = csms.wire.actions()
        second_boot = [i for i, a in enumerate(actions) if a == "BootNotification"][1]
        if version is V16:
            assert tx_actions(csms) == ["StartTransaction", "StopTransaction"]
            # Ended by its unplugging before the cut, not by the power loss.
            assert csms.wire.payloads("StopTransaction")[0]["reason"] == "EVDisconnected"
            ended = actions.index("StopTransaction")
        else:
            events = csms.wire.payloads("TransactionEvent")
            assert [e["eventType"] for e in events].count("Ended") == 1
            assert events[-1]["transactionInfo"]["stoppedReason"] == "EVDisconnected"
            assert [e["seqNo"] for e in events] == list(range(len(events)))
            ended = max(i for i, a in enumerate(actions) if a == "TransactionEvent")
        assert ended > second_boot


# -- every kind has its test against the library -------------------------------------------------

LIBRARY_TESTS: dict[str, tuple[Callable[..., Any], ...]] = {
    "latency": (test_latency_on_the_way_to_and_from_an_ocpp_library_csms,),
    "bandwidth": (test_a_bandwidth_cap_spreads_a_message_over_its_bytes_to_the_library,),
    "disconnect": (
        test_transaction_messages_made_offline_reach_the_library_after_a_cut,
        test_cuts_every_n_seconds_and_per_minute_a_transaction_reaches_the_library_whole,
    ),
    "half_open": (test_a_half_open_station_reads_the_librarys_answer_only_once_it_reads_again,),
    "refuse_connect": (test_a_station_refused_reaches_the_library_once_the_fault_ends,),
    "drop_frames": (test_dropped_stops_are_sent_again_until_the_library_has_one,),
    "duplicate_frames": (test_a_duplicated_message_reaches_the_library_twice_with_one_id,),
    "delay_frames": (
        test_a_delayed_message_reaches_the_library_late_overtaken_by_an_answer,
        test_a_clear_sends_the_delayed_message_and_answer_to_the_library_at_once,
        test_e_a_stop_delayed_past_a_cut_reaches_the_library_once_in_order,
    ),
    "reorder_frames": (test_reordered_frames_the_answer_to_the_library_goes_before_a_held_call,),
    "delay_answers": (
        test_a_delayed_answer_reaches_the_library_after_its_timeout,
        test_a_clear_sends_the_delayed_message_and_answer_to_the_library_at_once,
        test_answers_withheld_or_late_time_out_in_the_library,
    ),
    "withhold_answers": (test_answers_withheld_or_late_time_out_in_the_library,),
    "clock": (test_the_library_receives_timestamps_offset_drifting_and_jumped,),
    "status_for_unknown_connector": (
        test_the_library_receives_a_status_for_a_connector_the_station_lacks,
    ),
    "unknown_transaction_id": (
        test_the_library_receives_transaction_messages_naming_an_unknown_transaction,
    ),
    "meter_backwards": (test_the_library_receives_an_energy_register_counting_down,),
    "boot_in_transaction": (test_the_library_receives_a_boot_in_the_middle_of_a_transaction,),
    "reconnect_storm": (test_a_storm_drops_every_station_and_each_comes_back_to_the_library,),
    "rolling_restart": (test_a_rolling_restart_boots_each_station_again_at_the_library,),
    "power_cut": (
        test_a_power_cut_strikes_the_crowd_and_each_boots_again_at_the_library,
        test_e_a_power_cuts_open_transaction_reaches_the_library_ended_by_power_loss,
        test_e_a_stop_queued_offline_reaches_the_library_through_a_power_cut,
    ),
}
"""Each fault kind and the tests that put it against the library's central system."""


def test_every_fault_kind_has_a_test_against_the_library() -> None:
    # A new kind in KINDS fails here until a test of this file shows it to the library.
    assert sorted(LIBRARY_TESTS) == sorted(KINDS)
    here = globals()
    for kind, tests in LIBRARY_TESTS.items():
        assert tests, kind
        for test in tests:
            assert test.__name__.startswith("test_"), kind
            assert here[test.__name__] is test, kind  # (collected: a test of this file)
