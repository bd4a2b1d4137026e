"""The charging-station suite against chargeyard's own OCPP 2.0.1 simulated station, in this
process: the station runs in a :class:`StationRuntime` that connects to the suite's listener
once it listens, and the suite makes it act through its verbs (:class:`InProcessStationTrigger`).
Timeouts are short and the station's hardware is quick (its reboot, its firmware
installation), so a whole run takes seconds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
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
from chargeyard.fleet.runtime import StationRuntime
from chargeyard.station.clock import SystemClock
from chargeyard.station.tls import ClientCertificate
from chargeyard.station.v201 import StationV201
from tests.conformance.station_lab import FAST, IDENTITY, SOCKET
from tests.station.wall_clock import without_clock_aligned_readings

DOUBLE = "alfen-eve-double-pro-line"  # two EVSEs, a Type 2 socket each


def new_station(
    template: str = SOCKET, station_class: type[StationV201] = StationV201, **configuration: str
) -> StationV201:
    """A 2.0.1 station (or ``station_class``'s: the 2.1 one) on the wall clock (clock-aligned
    readings off until a case sets them), whose reboots and firmware installations take a
    fifth of a second; ``configuration``: 1.6 keys of its template changed (they seed the
    device model: ``ReserveConnectorZeroSupported="true"`` is
    ReservationCtrlr.NonEvseSpecific)."""
    model = without_clock_aligned_readings(template)
    if configuration:
        merged = {**model.default_configuration, **configuration}
        model = dataclasses.replace(model, default_configuration=MappingProxyType(merged))
    station = station_class(IDENTITY, model, clock=SystemClock(), call_timeout=1.0)
    station.reboot_delay_s = 0.2
    station.firmware_update.install_s = 0.2
    return station


async def run_against(
    station: StationV201,
    ids: Sequence[str] | None = None,
    *,
    features: Collection[str] | None = None,
    trigger: StationTrigger | None = None,
    progress: Callable[[CaseResult], None] | None = None,
    password: str | None = None,
    client_certificate: ClientCertificate | None = None,
    **options: Any,
) -> RunResult:
    """Run the suite's cases of ``station``'s version (2.0.1, or 2.1: the 2.0.1 cases 2.1
    left unchanged) ``ids`` (None: all) against ``station``, which has
    ``features`` (Part 5 ids; None: every conditional case applies) and presents
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
        station.version,
        identity=IDENTITY,
        password=password,
        trigger=trigger or InProcessStationTrigger(station),
        **settings,
    )
    try:
        return await run_station(
            target, ids=ids, features=features, listening=listening, progress=progress
        )
    finally:
        for runtime in runtimes:
            await runtime.stop()
