"""What a fleet reports of its stations, read when asked (never pushed): one station's
connectors, transactions and meters, counts over the whole fleet, and message rates.

Counting is a walk over the stations' models, about a millisecond per thousand stations.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargeyard.fleet.runtime import StationRuntime
from chargeyard.fleet.scheduling import RuntimeStats
from chargeyard.station.bad_days import snapshot_of
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.states import ConnectorStatus, Registration
from chargeyard.station.model.station import Evse, StationModel


@dataclass(frozen=True, slots=True)
class EvseMeter:
    """One EVSE's meter as the station reads it now, and the transaction running on it.

    Attributes:
        energy_wh: the energy register (Energy.Active.Import.Register), Wh.
        power_w: the active power flowing now, W.
        transaction_id: the running transaction's id as the station sends it: in 1.6 the one
            the CSMS gave (the station's own until StartTransaction is answered), in 2.0.1 the
            station's own; None without a transaction, as are the fields after it.
    """

    evse_id: int
    energy_wh: float
    power_w: float
    transaction_id: str | None = None
    connector_id: int | None = None
    started_at: datetime | None = None
    meter_start_wh: float | None = None


@dataclass(frozen=True, slots=True)
class StationStatus:
    """One station, now.

    Attributes:
        connection: the runtime's phase: stopped, dialing, open, closing, backoff or off.
        registration: Disconnected, Booting, Pending, Rejected or Accepted.
        connectors: (EVSE id, connector id, status) in EVSE order; the status in the words of
            the station's version (2.0.1: ConnectorStatusEnumType).
        transactions: (EVSE id, the station's transaction id) of transactions running.
        meters: every EVSE's meter, read at ``read_at`` (the station's clock).
        faults: the faults applied to it now (``fleet/chaos/``), each as data with its
            ``remaining_s``; ``chaos_seed`` the random seed their draws come from.
        bad_days: what is wrong with the station itself now, its clock and the firmware
            misbehaviours on (``station/bad_days.py``'s snapshot as JSON); None: nothing.
    """

    identity: str
    ocpp_version: str
    template_id: str
    running: bool
    connection: str
    registration: str
    connectors: tuple[tuple[int, int, str], ...]
    transactions: tuple[tuple[int, str], ...]
    last_error: str | None
    meters: tuple[EvseMeter, ...] = ()
    read_at: datetime | None = None
    faults: tuple[dict[str, Any], ...] = ()
    chaos_seed: int | None = None
    bad_days: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class FleetStatus:
    """The whole fleet, now: counts of stations (connectors for ``charging``) and counters.

    Attributes:
        errors: the latest connection problems: (wall time, identity, what happened).
        failing: why the running stations that are not connected failed their last attempt
            (``connect_failures.failure_reason``), and how many stations each: the most common
            first.
    """

    stations: int
    running: int
    connected: int
    booted: int
    charging: int
    transactions: int
    frames_sent: int
    frames_received: int
    connects: int
    disconnects: int
    failures: int
    errors: tuple[tuple[float, str, str], ...]
    failing: tuple[tuple[str, int], ...] = ()


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
