"""A station that loses its power, and what it reports when it comes back.

Theory of operation
-------------------
A real charge point keeps its energy meter and its open transactions in non-volatile memory.
When the power goes, energy stops; on the next boot it reports each transaction that was
running as ended, with the meter reading it last had and the reason ``PowerLoss``:

* OCPP 1.6 section 4.8 / 6.47: StopTransaction.req, ``reason`` PowerLoss (section 7.39
  "Complete loss of power"), ``meterStop`` the register when the power went;
* OCPP 2.0.1 E-block (E06/E10 with D.2 ReasonEnumType): TransactionEvent Ended,
  ``stoppedReason`` PowerLoss, ``triggerReason`` AbnormalCondition, with the
  Transaction.End register reading.

The process hosting simulated stations plays that memory: :func:`take` reads a station's
meters and open transactions into a :class:`PowerLossSnapshot` (JSON-able, stored with the
charger), and :func:`restore` hands them to a freshly built station, which queues the reports
in its transaction queue (``core.py``): they go out after its BootNotification is Accepted,
in order, never lost while offline. A report not yet answered when the power goes again is
part of the next snapshot.

Each version's transaction module provides the message (``report_power_loss``); this module
never asks which version a station speaks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol, cast

from chargeyard.station.model.states import TransactionPhase
from chargeyard.station.model.station import StationModel, Transaction

POWER_LOSS: Final = "PowerLoss"
"""The stop reason of both versions (1.6 Reason, 2.0.1 ReasonEnumType)."""

_OPEN = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})


@dataclass(frozen=True, slots=True)
class OpenTransaction:
    """A transaction that was running when the power went, as the station remembers it.

    Attributes:
        transaction_id: the station's own id (OCPP 2.0.1 transactionId).
        csms_id: the id StartTransaction.conf gave (OCPP 1.6); None if never answered, in
            which case the StartTransaction is sent again first.
        meter_wh: the EVSE's register when the power went (the meterStop).
        seq_no: the next TransactionEvent seqNo (OCPP 2.0.1).
    """

    transaction_id: str
    evse_id: int
    connector_id: int
    id_tag: str | None
    started_at: str
    meter_start_wh: float
    meter_wh: float
    csms_id: int | None = None
    seq_no: int = 0
    id_token_type: str = "ISO14443"

    @classmethod
    def of(cls, transaction: Transaction, meter_wh: float) -> OpenTransaction:
        token = transaction.id_token
        return cls(
            transaction_id=transaction.local_id,
            evse_id=transaction.evse_id,
            connector_id=transaction.connector_id,
            id_tag=None if token is None else token.value,
            started_at=transaction.started_at.isoformat(),
            meter_start_wh=transaction.meter_start_wh,
            meter_wh=meter_wh,
            csms_id=transaction.csms_id,
            seq_no=transaction.seq_no,
            id_token_type="ISO14443" if token is None else token.type,
        )


@dataclass(frozen=True, slots=True)
class PowerLossSnapshot:
    """What survives a power loss: when it happened, every EVSE's energy register, and the
    transactions to report as ended."""

    at: datetime
    meters: dict[int, float] = field(default_factory=dict)
    transactions: tuple[OpenTransaction, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "meters": {str(evse_id): wh for evse_id, wh in self.meters.items()},
            "transactions": [asdict(transaction) for transaction in self.transactions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PowerLossSnapshot:
        """Raises: KeyError, TypeError, ValueError: not a snapshot."""
        return cls(
            at=datetime.fromisoformat(data["at"]),
            meters={int(evse_id): float(wh) for evse_id, wh in data.get("meters", {}).items()},
            transactions=tuple(OpenTransaction(**item) for item in data.get("transactions", [])),
        )


class PowerLossReporting(Protocol):
    """What a station needs for this module: its model, its clock's "now", and the message
    of its OCPP version."""

    model: StationModel
    unreported_power_losses: dict[str, OpenTransaction]

    def advance(self) -> None: ...

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None: ...


def reporting(station: object) -> PowerLossReporting | None:
    """``station`` as this module uses it, or None for a station class without transactions."""
    if not hasattr(station, "report_power_loss") or not hasattr(station, "model"):
        return None
    return cast(PowerLossReporting, station)


def charging(station: PowerLossReporting) -> bool:
    """Whether a transaction runs on one of the station's EVSEs (its register moves)."""
    return any(
        evse.transaction is not None and evse.transaction.phase in _OPEN
        for evse in station.model.evses.values()
    )


def take(station: PowerLossReporting, now: datetime) -> PowerLossSnapshot:
    """The station's memory as the power goes at ``now``: energy is integrated up to now
    first, so the registers are those of this instant."""
    station.advance()
    meters: dict[int, float] = {}
    open_: list[OpenTransaction] = list(station.unreported_power_losses.values())
    for evse in station.model.evses.values():
        meters[evse.id] = evse.meter.energy_register_wh
        transaction = evse.transaction
        if transaction is not None and transaction.phase in _OPEN:
            open_.append(OpenTransaction.of(transaction, evse.meter.energy_register_wh))
    return PowerLossSnapshot(at=now, meters=meters, transactions=tuple(open_))


def restore(station: PowerLossReporting, snapshot: PowerLossSnapshot) -> None:
    """Boot memory: the registers go on from where they were (a meter never runs backwards)
    and each open transaction is queued to be reported ended (sent once Accepted)."""
    for evse_id, wh in snapshot.meters.items():
        evse = station.model.evses.get(evse_id)
        if evse is not None:
            evse.meter.energy_register_wh = max(evse.meter.energy_register_wh, wh)
    for transaction in snapshot.transactions:
        station.unreported_power_losses[transaction.transaction_id] = transaction
        station.report_power_loss(transaction, snapshot.at)


__all__ = [
    "POWER_LOSS",
    "OpenTransaction",
    "PowerLossReporting",
    "PowerLossSnapshot",
    "charging",
    "reporting",
    "restore",
    "take",
]
