"""Station faults through the chaos engine: a wrong clock and the firmware misbehaviours
applied to a running station as chaos kinds, seen on the wire and in its status, and ended
by their ``for_s`` or a clear (the station's own bad days, ``station/bad_days.py``, do the
rest; tests/station covers them message by message)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from chargeyard import loop_clock
from chargeyard.fleet.chaos.faults import (
    BootInTransaction,
    Clock,
    MeterBackwards,
    StatusForUnknownConnector,
    UnknownTransactionId,
)
from chargeyard.fleet.fleet_status import station_status
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.protocol import V16
from chargeyard.station.bad_days import Misbehaviour, bad_days_of, snapshot_of
from tests.fleet.chaos_harness import accepted, calls, now, quiet, received, station_on
from tests.polling import until
from tests.station.bad_days_support import charge, online
from tests.station.wire_csms import our_csms

pytestmark = pytest.mark.virtual_time


async def test_a_clock_fault_dates_the_stations_messages_until_it_ends(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        chaos = runtime.apply_chaos(
            [Clock(jump_to="2020-02-02T00:00:00+00:00", jump_after_s=0, for_s=20)], seed=1
        )
        runtime.station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
        await until(lambda: quiet(runtime))
        shown = station_status("CP-1", runtime)
        assert shown.bad_days is not None
        assert shown.bad_days["clock"]["reads"].startswith("2020-02-02")
        assert [f["kind"] for f in shown.faults] == ["clock"]
        started = now()
        await until(lambda: now() - started > 21, within=60)
        assert snapshot_of(runtime.station).clock is None  # true again after its 20 s
        assert station_status("CP-1", runtime).bad_days is None
        runtime.station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
        await until(lambda: quiet(runtime))
        stamps = [m[3]["timestamp"] for m in calls(await received(csms), "StatusNotification")]
        assert stamps[-2].startswith("2020-02-02")
        assert not stamps[-1].startswith("2020")
        assert ("clock_set", "clock") in chaos.effects()


async def test_a_clock_offset_and_drift_skew_the_stations_timestamps_on_the_wire(
    tmp_path: Path,
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:

        async def skew() -> float:
            """How far the timestamp of a StatusNotification the central system receives now
            is from the true time."""
            runtime.station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
            await until(lambda: quiet(runtime))
            told = calls(await received(csms), "StatusNotification")[-1][3]["timestamp"]
            return (datetime.fromisoformat(told) - loop_clock.now()).total_seconds()

        runtime.apply_chaos([Clock(offset_s=-7200)], seed=1)
        assert -7200.5 < await skew() < -7199.5
        runtime.clear_chaos()
        runtime.apply_chaos([Clock(drift_ppm=-100_000)], seed=1)  # loses 0.1 s a second
        started = now()
        await until(lambda: now() - started >= 50, within=60, every=0.5)
        assert -5.5 < await skew() < -4.5
        runtime.clear_chaos()
        assert abs(await skew()) < 0.5


def _energy_wh(message: list[Any]) -> list[float]:
    """The energy register's readings in a 1.6 MeterValues CALL, in Wh."""
    return [
        float(sampled["value"]) * (1000.0 if sampled.get("unit") == "kWh" else 1.0)
        for value in message[3]["meterValue"]
        for sampled in value["sampledValue"]
        if sampled.get("measurand", "Energy.Active.Import.Register")
        == "Energy.Active.Import.Register"
    ]


async def test_meter_backwards_sends_a_register_counting_down_until_it_ends(
    tmp_path: Path,
) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        station = runtime.station
        station.config.change("MeterValueSampleInterval", "2")
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: station.model.transaction_by_csms_id(1) is not None and quiet(runtime))
        started = now()
        await until(lambda: now() - started >= 30, within=40, every=0.5)
        before = len(calls(await received(csms), "MeterValues"))
        runtime.apply_chaos([MeterBackwards(for_s=10)], seed=1)
        await until(lambda: now() - started >= 40.5, within=20, every=0.5)
        during = len(calls(await received(csms), "MeterValues"))
        await until(lambda: now() - started >= 50, within=20, every=0.5)
        metered = calls(await received(csms), "MeterValues")
        down = [r for m in metered[before:during] for r in _energy_wh(m)]
        up = [r for m in metered[during:] for r in _energy_wh(m)]
        assert len(down) >= 3
        assert down == sorted(down, reverse=True)
        assert down[-1] < down[0]
        assert len(up) >= 3
        assert up == sorted(up)  # up again once the fault ended
        assert up[-1] > up[0]


async def test_status_for_unknown_connector_on_the_wire_until_cleared(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        runtime.apply_chaos([StatusForUnknownConnector()], seed=1)
        await until(lambda: quiet(runtime))
        told = [m[3]["connectorId"] for m in calls(await received(csms), "StatusNotification")]
        assert told[-1] == 2  # the station has one connector
        runtime.clear_chaos()
        assert bad_days_of(runtime.station).misbehaviours == frozenset()
        runtime.station.trigger_here("StatusNotification", 1)  # type: ignore[attr-defined]
        await until(lambda: quiet(runtime))
        told = [m[3]["connectorId"] for m in calls(await received(csms), "StatusNotification")]
        assert told[-2:] == [2, 1]  # none for the unknown connector after the clear


async def test_boot_in_transaction_and_unknown_transaction_id_on_the_wire(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, station_on(csms.port) as runtime:
        station = runtime.station
        station.plug(1, 1)
        station.present_id_token("TAG-CHAOS")
        await until(lambda: station.model.transaction_by_csms_id(1) is not None and quiet(runtime))
        runtime.apply_chaos([BootInTransaction(for_s=5), UnknownTransactionId(for_s=60)], seed=1)
        await until(lambda: quiet(runtime))
        assert len(calls(await received(csms), "BootNotification")) == 2  # at once, charging
        started = now()
        await until(lambda: now() - started > 6, within=30)
        assert bad_days_of(station).misbehaviours == {Misbehaviour.UNKNOWN_TRANSACTION_ID}
        station.unplug(1, 1)
        await until(lambda: accepted(runtime) and quiet(runtime))
        [stop] = calls(await received(csms), "StopTransaction")
        assert stop[3]["transactionId"] != 1  # one the central system never gave


async def test_a_status_read_under_meter_backwards_shows_the_register_going_down() -> None:
    link = online(V16)  # (a ManualClock: energy flows as the test says)
    charge(link)
    link.run_for(60)
    runtime = StationRuntime(link.station, "ws://127.0.0.1:9/ocpp/CP-1")  # (never started)
    first = station_status("CP-1", runtime).meters[0].energy_wh
    runtime.apply_chaos([MeterBackwards()], seed=1)
    link.run_for(60)
    second = station_status("CP-1", runtime).meters[0].energy_wh
    runtime.clear_chaos()
    link.run_for(60)
    third = station_status("CP-1", runtime).meters[0].energy_wh
    assert 0 < second < first  # read through the station: its register went down
    assert third > second  # and up again once the fault ended
