"""Stored transactions as the API shows them: one (``transaction``), a page (``history``),
and one's meter samples (``meter_values``).

Energy is in Wh as OCPP reports it, to the meter's resolution (``csms/energy.py``). A completed
transaction delivered ``meterStop - meterStart``; an active one, so far, its last
Energy.Active.Import.Register reading minus ``meterStart`` (None before the first reading: 1.6
MeterValues section 4.7, 2.0.1 J02).
Durations are in minutes (two decimals) to the stop, or to now while active.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from chargeyard.csms import energy
from chargeyard.csms.commands.base import Result, millis
from chargeyard.store.models import Transaction, TransactionStatus
from chargeyard.store.repositories import TransactionRepository
from chargeyard.store.repositories.transactions import StationTransaction


async def transaction(
    transactions: TransactionRepository, located: StationTransaction, now: datetime
) -> Result:
    """One transaction, with its energy and duration as of ``now``."""
    return (await _views(transactions, [located], now))[0]


async def history(
    transactions: TransactionRepository,
    *,
    charge_box_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
    now: datetime,
    organization_id: str | None = None,
) -> Result:
    """A page of transactions (of ``organization_id``'s stations, when given), newest start
    first, with the count of all that match."""
    rows, total = await transactions.page_with_station(
        charge_box_id=charge_box_id,
        status=status,
        limit=limit,
        offset=offset,
        organization_id=organization_id,
    )
    return {
        "data": await _views(transactions, rows, now),
        "total": total,
        "limit": limit,
        "offset": offset,
    }


async def meter_values(
    transactions: TransactionRepository,
    located: StationTransaction,
    *,
    measurand: str | None,
    limit: int,
) -> Result:
    """The transaction's sampled values, oldest first, as the station reported them (value in
    its unit, 2.0.1 multiplier applied)."""
    record = located.transaction
    samples = await transactions.samples(
        located.charge_box_id, record.transaction_id, measurand=measurand, limit=limit
    )
    items = [
        {
            "timestamp": millis(sample.sampled_at),
            "measurand": sample.measurand,
            "value": sample.value,
            "unit": sample.unit,
            "phase": sample.phase,
            "context": sample.context,
            "location": sample.location,
        }
        for sample in samples
    ]
    return {
        "transactionId": record.transaction_id,
        "chargeBoxId": located.charge_box_id,
        "meterValues": items,
        "count": len(items),
    }


async def _views(
    transactions: TransactionRepository, rows: Sequence[StationTransaction], now: datetime
) -> list[Result]:
    active = [row.transaction.id for row in rows if _is_active(row.transaction)]
    readings = await transactions.latest_energy_wh(active)  # one query for the whole page
    powers = await transactions.latest_power_w(active)
    return [
        _view(row, readings.get(row.transaction.id), powers.get(row.transaction.id), now)
        for row in rows
    ]


def _view(
    row: StationTransaction, reading_wh: float | None, power_w: float | None, now: datetime
) -> Result:
    record = row.transaction
    if not _is_active(record):
        delivered = record.energy_wh
    elif reading_wh is not None:
        delivered = reading_wh - record.meter_start_wh
    else:
        delivered = None
    end = _aware(record.stopped_at) if record.stopped_at is not None else now
    return {
        "transactionId": record.transaction_id,
        "chargeBoxId": row.charge_box_id,
        "connectorId": record.connector_id,
        # From the transaction, not from the version its station speaks now (it may have
        # changed since): 2.0.1 numbers EVSEs from 1, a 1.6 transaction has none (0).
        "evseId": record.evse_id or None,
        "idTag": record.id_tag,
        "stopIdTag": record.stop_id_tag,
        "status": record.status,
        "startedAt": millis(record.started_at),
        "stoppedAt": millis(record.stopped_at) if record.stopped_at is not None else None,
        "meterStart": energy.served(record.meter_start_wh),
        "meterStop": energy.served_or_none(record.meter_stop_wh),
        "energyDelivered": energy.served_or_none(delivered),
        "powerW": energy.served_or_none(power_w) if _is_active(record) else None,
        "durationMinutes": _minutes(end - _aware(record.started_at)),
        "stopReason": record.stop_reason,
        "remoteStarted": record.remote_started,
        "chargingState": record.charging_state,  # only 2.0.1 reports one
        "registerWentBackwards": record.register_went_backwards,
        "closedByCsms": record.csms_close_reason is not None,
        "csmsCloseReason": record.csms_close_reason,
    }


def _minutes(span: timedelta) -> float:
    # Never negative: a station's clock may run ahead of ours.
    return max(0.0, round(span.total_seconds() / 60, 2))


def _is_active(record: Transaction) -> bool:
    return record.status == TransactionStatus.ACTIVE


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
