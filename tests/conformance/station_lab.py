"""The charging-station suite against chargeyard's own simulated station, in this process: the
station runs in a :class:`StationRuntime` that connects to the suite's listener once it listens,
and the suite makes it act through its verbs (:class:`InProcessStationTrigger`). Timeouts are
short and the station's hardware is quick (its reboot, its firmware installation), so a whole
run takes seconds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any

from chargeyard.conformance import (
    CaseResult,
    InProcessStationTrigger,
    RunResult,
    StationTarget,
    StationTrigger,
    run_station,
)
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.protocol import V16
from chargeyard.station.clock import SystemClock
from chargeyard.station.tls import ClientCertificate
from chargeyard.station.v16 import StationV16
from tests.station.wall_clock import without_clock_aligned_readings

IDENTITY = "CY-STATION"
SOCKET = "alfen-eve-single-pro-line"  # one Type 2 socket
FIXED_CABLE = "wallbox-pulsar-plus"  # one Type 2 cable
FAST = ReconnectPolicy(initial=0.02, factor=2.0, ceiling=0.1)
PASSWORD = "0123456789abcdef0123456789abcdef"  # an AuthorizationKey of 16 bytes


def new_station(template: str = SOCKET, **configuration: str) -> StationV16:
    """A 1.6 station on the wall clock (clock-aligned readings off until a case sets them),
    whose reboots and firmware installations take a fifth of a second, that reserves
    connector 0 too (ReserveConnectorZeroSupported, so that the Charge Point's reservation
    cases apply), with ``configuration`` over its template's keys."""
    shipped = without_clock_aligned_readings(template)
    keys = {
        **shipped.default_configuration,
        "ReserveConnectorZeroSupported": "true",
        **configuration,
    }
    station = StationV16(
        IDENTITY,
        dataclasses.replace(shipped, default_configuration=MappingProxyType(keys)),
        clock=SystemClock(),
        call_timeout=5.0,
    )
    station.reboot_delay_s = 0.2
    station.firmware_update.install_s = 0.2
    return station


async def run_against(
    station: StationV16,
    ids: Sequence[str] | None = None,
    *,
    trigger: StationTrigger | None = None,
    progress: Callable[[CaseResult], None] | None = None,
    password: str | None = None,
    client_certificate: ClientCertificate | None = None,
    **options: Any,
) -> RunResult:
    """Run the suite's 1.6 cases ``ids`` (None: all) against ``station``, which presents
    ``password`` (security profile 1) if given, and ``client_certificate`` on ``wss://`` (the
    target's ``tls``: security profile 3)."""
    runtimes: list[StationRuntime] = []

    def listening(url: str) -> None:
        runtime = StationRuntime(
            station,
            url.replace("<identity>", IDENTITY),
            password=password,
            client_certificate=client_certificate,
            reconnect=FAST,
        )
        runtime.start()
        runtimes.append(runtime)

    # On the virtual-time loop, waits cost little, but every jump over an idle moment costs
    # its settling (tests/virtual_time.py): steps long enough that a reading the station
    # sends every third of one is judged with 0.2 s of slack, short enough for few jumps.
    settings: dict[str, Any] = {"step_s": 6.0, "connect_s": 20.0, **options}
    target = StationTarget(
        "127.0.0.1",
        0,
        V16,
        identity=IDENTITY,
        password=password,
        trigger=trigger or InProcessStationTrigger(station),
        **settings,
    )
    try:
        return await run_station(target, ids=ids, listening=listening, progress=progress)
    finally:
        for runtime in runtimes:
            await runtime.stop()
