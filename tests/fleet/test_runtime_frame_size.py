"""A simulated station's frame-size limit over a real socket (``protocol/limits.py``), against
our CSMS with a larger limit than the station's: a CALL over the station's limit is answered
FormationViolation and the connection stays; one too large to be worth reading closes the
socket with 1009, and the station connects again."""

from __future__ import annotations

from pathlib import Path

import pytest

from chargeyard.csms.registry import StationNotConnected, StationRefused
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.polling import until
from tests.station.wire_csms import our_csms

LIMIT = 1024
FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)


def _runtime(url: str) -> StationRuntime:
    template = load_catalog().template("alfen-eve-single-pro-line")
    station = StationV16("CP-1", template, clock=SystemClock())
    return StationRuntime(station, url, reconnect=FAST, max_frame_bytes=LIMIT)


async def _until_accepted(runtime: StationRuntime, connects: int = 1) -> None:
    await until(
        lambda: (
            runtime.station.registration is Registration.ACCEPTED
            and runtime.stats.connects >= connects
        )
    )


async def test_a_call_over_the_station_s_limit_is_answered_formation_violation(
    tmp_path: Path,
) -> None:
    async with our_csms(tmp_path, max_frame_bytes=16 * LIMIT) as csms:
        runtime = _runtime(f"ws://127.0.0.1:{csms.port}/ocpp/CP-1")
        runtime.start()
        try:
            await _until_accepted(runtime)
            with pytest.raises(StationRefused) as refused:
                await csms.registry.call(
                    "CP-1", "DataTransfer", {"vendorId": "com.example", "data": "x" * 2 * LIMIT}
                )
            assert refused.value.code == "FormationViolation"
            assert refused.value.description.endswith(f"frames are limited to {LIMIT:,} bytes")
            # The connection stays: the next command is answered.
            answer = await csms.registry.call(
                "CP-1", "GetConfiguration", {"key": ["HeartbeatInterval"]}
            )
            assert answer["configurationKey"][0]["key"] == "HeartbeatInterval"
            assert runtime.stats.connects == 1
        finally:
            await runtime.stop()


async def test_a_message_over_four_times_the_limit_closes_the_socket_with_1009(
    tmp_path: Path,
) -> None:
    async with our_csms(tmp_path, max_frame_bytes=16 * LIMIT) as csms:
        runtime = _runtime(f"ws://127.0.0.1:{csms.port}/ocpp/CP-1")
        runtime.start()
        try:
            await _until_accepted(runtime)
            with pytest.raises(StationNotConnected):
                await csms.registry.call(
                    "CP-1", "DataTransfer", {"vendorId": "com.example", "data": "x" * 5 * LIMIT}
                )
            # It comes back, as after any lost connection (no new boot: it is in service).
            await _until_accepted(runtime, connects=2)
            assert runtime.stats.disconnects == 1
        finally:
            await runtime.stop()
