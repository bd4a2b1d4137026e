"""The events the OCPP handlers publish, built from what they just committed, so that the 1.6
and 2.0.1 handlers tell the same facts in the same shape (one line per emit in a handler).

Keys are camelCase, as the API writes them. ``transactionId`` is the store's text form for
every version (a 1.6 integer id ``42`` is ``"42"``), so a consumer handles one type. Times are
RFC 3339 UTC with a "Z". Energy is in Wh and power in W whatever unit the station used, to the
meter's resolution (``energy.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chargeyard.csms.context import iso
from chargeyard.csms.energy import served, served_or_none
from chargeyard.csms.events import Event, EventType
from chargeyard.store.models import Transaction
from chargeyard.store.repositories import SampledValue

ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
# Unit -> factor to Wh or W (OCPP 1.6 section 7.33 UnitOfMeasure; 2.0.1 UnitOfMeasureType).
_TO_BASE_UNIT = {"Wh": 1.0, "kWh": 1000.0, "W": 1.0, "kW": 1000.0}


def connected(identity: str, ocpp_version: str) -> Event:
    """The station's WebSocket is open (the handshake chose ``ocpp_version``)."""
    return Event(EventType.CHARGER_CONNECTED, identity, {"ocppVersion": ocpp_version})


def disconnected(identity: str) -> Event:
    """The station's last connection closed; it is offline (not sent when replaced)."""
    return Event(EventType.CHARGER_DISCONNECTED, identity, {})


def boot(
    identity: str,
    *,
    vendor: str,
    model: str,
    serial_number: str | None,
    firmware_version: str | None,
    status: str,
) -> Event:
    """A BootNotification and the registration status it was answered with."""
    data = {
        "vendor": vendor,
        "model": model,
        "serialNumber": serial_number,
        "firmwareVersion": firmware_version,
        "status": status,
    }
    return Event(EventType.CHARGER_BOOT, identity, data)


class ConnectorStatuses:
    """The statuses one connection reported, to tell ``previousStatus`` without a query.

    The first notification of each connector on a connection (the boot report, OCPP 1.6
    section 4.9, 2.0.1 B01.FR.05) has no ``previousStatus``: the station may have changed
    while it was away.
    """

    def __init__(self, identity: str) -> None:
        self._identity = identity
        self._last: dict[tuple[int | None, int], str] = {}

    def changed(
        self,
        connector_id: int,
        status: str,
        *,
        evse_id: int | None = None,
        error_code: str | None = None,
        info: str | None = None,
    ) -> Event:
        """The event of a StatusNotification (``evse_id`` is None for 1.6)."""
        data: dict[str, Any] = {"connectorId": connector_id}
        if evse_id is not None:
            data["evseId"] = evse_id
        data["status"] = status
        if error_code is not None:
            data["errorCode"] = error_code
        if info is not None:
            data["info"] = info
        previous = self._last.get((evse_id, connector_id))
        if previous is not None:
            data["previousStatus"] = previous
        self._last[(evse_id, connector_id)] = status
        return Event(EventType.CONNECTOR_STATUS_CHANGED, self._identity, data)


def transaction_started(identity: str, transaction: Transaction) -> Event:
    """A transaction the store has just opened."""
    data = _place(transaction)
    data.update(
        idTag=transaction.id_tag,
        meterStart=served(transaction.meter_start_wh),
        startedAt=iso(transaction.started_at),
        remoteStarted=transaction.remote_started,
    )
    if transaction.charging_state is not None:
        # 2.0.1: where the session starts (EVConnected when the cable came first, E02).
        data["chargingState"] = transaction.charging_state
    return Event(EventType.TRANSACTION_STARTED, identity, data)


def transaction_updated(
    identity: str,
    transaction_id: str | int,
    samples: Sequence[SampledValue],
    *,
    connector_id: int | None,
    evse_id: int | None = None,
    charging_state: str | None = None,
) -> Event:
    """New meter values (or, in 2.0.1, a new charging state) of a running transaction: the
    latest energy register (Wh) and active power (W) among ``samples``, each only when
    present, and the time and reading context of the newest sample (as sent: none means
    Sample.Periodic, 1.6 section 7.45 and 2.0.1 ReadingContextEnumType), so that a consumer
    can tell the periodic readings from a clock-aligned or triggered one."""
    data: dict[str, Any] = {"transactionId": str(transaction_id), "connectorId": connector_id}
    if evse_id:
        data["evseId"] = evse_id
    energy = _latest(samples, ENERGY_REGISTER)
    if energy is not None:
        data["energyWh"] = served(energy)
    power = _latest(samples, POWER)
    if power is not None:
        data["powerW"] = served(power)
    if charging_state is not None:
        data["chargingState"] = charging_state
    if samples:
        newest = max(samples, key=lambda sample: sample.sampled_at)
        data["timestamp"] = iso(newest.sampled_at)
        if newest.context is not None:
            data["context"] = newest.context
    return Event(EventType.TRANSACTION_UPDATED, identity, data)


def transaction_stopped(identity: str, transaction: Transaction) -> Event:
    """A transaction the store has just closed."""
    duration = transaction.duration
    stopped_at = transaction.stopped_at
    data = _place(transaction)
    data.update(
        meterStop=served_or_none(transaction.meter_stop_wh),
        energyDelivered=served_or_none(transaction.energy_wh),
        stopReason=transaction.stop_reason,
        stoppedAt=None if stopped_at is None else iso(stopped_at),
        durationMinutes=None if duration is None else round(duration.total_seconds() / 60, 2),
        registerWentBackwards=transaction.register_went_backwards,
        # Closed by the central system, not reported by the station (csms/orphans.py).
        closedByCsms=transaction.csms_close_reason is not None,
        csmsCloseReason=transaction.csms_close_reason,
    )
    return Event(EventType.TRANSACTION_STOPPED, identity, data)


def _place(transaction: Transaction) -> dict[str, Any]:
    """Which transaction, on which connector; ``evseId`` only where there are EVSEs (2.0.1
    numbers them from 1; the store keeps 0 for a 1.6 connector)."""
    data: dict[str, Any] = {
        "transactionId": transaction.transaction_id,
        "connectorId": transaction.connector_id,
    }
    if transaction.evse_id:
        data["evseId"] = transaction.evse_id
    return data


def _latest(samples: Sequence[SampledValue], measurand: str) -> float | None:
    """The newest value of ``measurand`` in Wh or W (None without one, or in a unit we cannot
    convert). At the same time, a value without a phase (the total) beats a phase's."""
    best: tuple[datetime, bool, float] | None = None
    for sample in samples:
        if sample.measurand != measurand:
            continue
        factor = _TO_BASE_UNIT.get(sample.unit or ("Wh" if measurand == ENERGY_REGISTER else "W"))
        if factor is None:
            continue
        key = (sample.sampled_at, sample.phase is None, sample.value * factor)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]
