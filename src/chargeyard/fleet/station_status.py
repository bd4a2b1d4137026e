"""What a fleet reports, as plain data: one station now (:class:`StationStatus`, with each
EVSE's meter), and the whole fleet (:class:`FleetStatus`). ``fleet_status.py`` reads them off
the stations; this module imports none of them, so that a process that only shows or relays
reports (the API, a CSMS node without the simulator gateway) does not load the stations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["EvseMeter", "FleetStatus", "StationStatus"]


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
