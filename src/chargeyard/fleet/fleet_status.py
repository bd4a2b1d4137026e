"""What a fleet reports of its stations, read when asked (never pushed): one station's
connectors, transactions and meters, counts over the whole fleet, and message rates.

Counting is a walk over the stations' models, about a millisecond per thousand stations. The
reports themselves are plain data (``station_status.py``), which a process that runs no
stations reads without loading them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from typing import Any

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.fleet.scheduling import RuntimeStats
from chargeyard.fleet.station_status import EvseMeter, FleetStatus, StationStatus
from chargeyard.station.bad_days import snapshot_of
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.states import ConnectorStatus, Registration
from chargeyard.station.model.station import Evse, StationModel


class RateMeter:
    """Messages per second from a growing counter, over the interval between two readings."""

    def __init__(self) -> None:
        self._last: tuple[float, int] | None = None

    def rate(self, count: int) -> float:
        now = time.monotonic()
        last, self._last = self._last, (now, count)
        if last is None or now <= last[0]:
            return 0.0
        return (count - last[1]) / (now - last[0])


def evse_meter(evse: Evse) -> EvseMeter:
    """``evse``'s meter as read now, and the transaction running on it."""
    meter, transaction = evse.meter, evse.transaction
    if transaction is None:
        return EvseMeter(evse.id, meter.energy_register_wh, meter.power_w)
    return EvseMeter(
        evse.id,
        meter.energy_register_wh,
        meter.power_w,
        transaction_id=(
            transaction.local_id if transaction.csms_id is None else str(transaction.csms_id)
        ),
        connector_id=transaction.connector_id,
        started_at=transaction.started_at,
        meter_start_wh=transaction.meter_start_wh,
    )


def model_of(station: SimulatedStation) -> StationModel | None:
    """The station's hardware model, None for a station without one."""
    model = getattr(station, "model", None)
    return model if isinstance(model, StationModel) else None


def fleet_status(runtimes: Collection[StationRuntime], stats: RuntimeStats) -> FleetStatus:
    """Counts over the stations of ``runtimes`` now, and the counters they share (``stats``)."""
    running = connected = booted = charging = transactions = 0
    accepted, charging_status = Registration.ACCEPTED, ConnectorStatus.CHARGING
    failing: Counter[str] = Counter()
    for runtime in runtimes:
        if not runtime.running:
            continue
        running += 1
        station = runtime.station
        if runtime.connected:
            connected += 1
        else:
            reason = runtime.failure_reason
            if reason is not None:
                failing[reason] += 1
        if station.registration is accepted:
            booted += 1
        model = model_of(station)
        if model is None:
            continue
        for evse in model.evses.values():
            if evse.transaction is not None:
                transactions += 1
            for connector in evse.connectors.values():
                if connector.status is charging_status:
                    charging += 1
    return FleetStatus(
        stations=len(runtimes),
        running=running,
        connected=connected,
        booted=booted,
        charging=charging,
        transactions=transactions,
        frames_sent=stats.frames_sent,
        frames_received=stats.frames_received,
        connects=stats.connects,
        disconnects=stats.disconnects,
        failures=stats.failures,
        errors=tuple(stats.errors),
        failing=tuple(failing.most_common()),
    )


def station_status(identity: str, runtime: StationRuntime) -> StationStatus:
    """The station ``runtime`` runs, under ``identity``, now (its meters brought up to now)."""
    station = runtime.station
    model = model_of(station)
    connectors: tuple[tuple[int, int, str], ...] = ()
    running: tuple[tuple[int, str], ...] = ()
    meters: tuple[EvseMeter, ...] = ()
    read_at = None
    if model is not None:
        connectors = tuple(
            (
                connector.evse_id,
                connector.connector_id,
                station.reported_status(connector.status),
            )
            for connector in model.connectors()
        )
        running = tuple((t.evse_id, t.local_id) for t in model.transactions())
        # Energy is integrated lazily: the station brings its meters up to now (as its own
        # readings would have them: a meter-backwards firmware's register goes down).
        station.advance()
        read_at = station.clock.now()
        meters = tuple(evse_meter(evse) for evse in model.evses.values())
    return StationStatus(
        identity=identity,
        ocpp_version=station.version.name,
        template_id=model.template.id if model is not None else "",
        running=runtime.running,
        connection=runtime.phase,
        registration=station.registration.value,
        faults=() if runtime.chaos is None else tuple(runtime.chaos.describe()),
        chaos_seed=None if runtime.chaos is None else runtime.chaos.seed,
        bad_days=_bad_days(station),
        connectors=connectors,
        transactions=running,
        last_error=runtime.last_error,
        meters=meters,
        read_at=read_at,
    )


def _bad_days(station: SimulatedStation) -> dict[str, Any] | None:
    snapshot = snapshot_of(station)
    if snapshot.clock is None and not snapshot.misbehaviours:
        return None
    return snapshot.to_json()


__all__ = [
    "EvseMeter",
    "FleetStatus",
    "RateMeter",
    "StationStatus",
    "evse_meter",
    "fleet_status",
    "model_of",
    "station_status",
]
