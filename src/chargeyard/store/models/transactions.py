"""Charging sessions, their meter samples, the id tags that may start them, and the counter
that numbers OCPP 1.6 transactions.

Transaction ids differ by version: in OCPP 1.6 the central system assigns an integer
(StartTransaction.conf, section 6.46), in 2.0.1 the station chooses a string
(TransactionEvent, E01). ``Transaction.transaction_id`` holds the id as the wire carries it, as
text, unique per station; ``Transaction.id`` is the row's own key, which other tables refer to
(``MeterSample.transaction_pk``). 1.6 ids come from the ``counters`` row ``"transaction"``: an
upsert that increments and returns it inside the starting transaction, so ids are unique across
stations, increase, and survive restarts (a deleted transaction's id is never handed out again).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.store.models.base import Base, BigIntPK
from chargeyard.store.types import utc_now


class TransactionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class CsmsCloseReason(StrEnum):
    """Why the central system closed a transaction its station never reported ended (a
    station that lost its memory, or a CSMS that missed the stop): a transaction that can no
    longer be running is not left active for ever."""

    # Another transaction started on the same connector (1.6) or EVSE (2.0.1): one connector
    # carries one transaction at a time.
    SUPERSEDED = "SupersededByNewTransaction"
    # After a BootNotification the station reported the connector Available, which it is
    # only without a transaction (1.6 section 4.9 / 7.7; 2.0.1 G01, ConnectorStatusEnumType).
    AVAILABLE_AFTER_BOOT = "ConnectorAvailableAfterBoot"
    # The simulated charger that was the station was deleted from the simulator gateway
    # before it could report its transactions ended (offline): it will never speak again.
    CHARGER_DELETED = "SimulatedChargerDeleted"


class Counter(Base):
    """A named, durable, monotonically increasing counter."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (
        UniqueConstraint("station_id", "transaction_id"),
        Index(None, "station_id", "status", "started_at"),
        Index(None, "status", "started_at"),
        Index(None, "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(64))
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    evse_id: Mapped[int] = mapped_column(default=0)
    connector_id: Mapped[int]
    id_tag: Mapped[str | None] = mapped_column(String(64))
    stop_id_tag: Mapped[str | None] = mapped_column(String(64))
    meter_start_wh: Mapped[float] = mapped_column(Float, default=0.0)
    meter_stop_wh: Mapped[float | None] = mapped_column(Float)
    energy_wh: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    stop_reason: Mapped[str | None] = mapped_column(String(32))
    remote_started: Mapped[bool] = mapped_column(default=False)
    # OCPP 2.0.1 ChargingStateEnumType (Charging, EVConnected, SuspendedEV, ...), as last told.
    charging_state: Mapped[str | None] = mapped_column(String(32))
    # The station's register went backwards: its stop below its start, or a later stop below
    # one it reported before. Kept as reported (the station's word), flagged for a person.
    register_went_backwards: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Closed by the central system, not the station: why it could no longer be running
    # (``CsmsCloseReason``); None when the station reported its end (or it is still active).
    csms_close_reason: Mapped[str | None] = mapped_column(String(48))
    # 2.0.1: the highest TransactionEvent seqNo stored; a copy at or below it is not kept again.
    last_seq_no: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=TransactionStatus.ACTIVE)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    @property
    def duration(self) -> timedelta | None:
        """How long the transaction ran; None while it is active."""
        if self.stopped_at is None:
            return None
        return self.stopped_at - self.started_at


class MeterSample(Base):
    """One sampled value (OCPP 1.6 SampledValue / 2.0.1 SampledValueType), flattened: one row
    per value, so a query for one measurand needs no JSON unpacking."""

    __tablename__ = "meter_samples"
    # Read by transaction only, and indexed by it alone: a transaction's rows are few enough to
    # sort by time after the lookup, and small index entries are what keeps a thousand
    # stations' batches cheap (migration 0005). No index on station_id: deleting a station
    # scans for its rows, which is rare, while the index cost every batch (migration 0004).
    __table_args__ = (Index(None, "transaction_pk"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    # None for MeterValues sent outside a transaction (OCPP 1.6 section 4.7).
    transaction_pk: Mapped[int | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE")
    )
    evse_id: Mapped[int] = mapped_column(default=0)
    connector_id: Mapped[int] = mapped_column(default=0)
    sampled_at: Mapped[datetime]
    measurand: Mapped[str] = mapped_column(String(64), default="Energy.Active.Import.Register")
    phase: Mapped[str | None] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))
    context: Mapped[str | None] = mapped_column(String(32))
    location: Mapped[str | None] = mapped_column(String(16))


class IdTag(Base):
    """An identifier allowed (or refused) to charge: OCPP 1.6 IdTagInfo / 2.0.1 IdTokenInfo.

    Each organization has its own tags: a station's Authorize is answered from its
    organization's, so two organizations may issue the same card number to different drivers."""

    __tablename__ = "id_tags"

    organization_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id_tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Accepted / Blocked / Expired / Invalid / ConcurrentTx as configured by the operator.
    status: Mapped[str] = mapped_column(String(16), default="Accepted")
    expiry_date: Mapped[datetime | None]
    # A group id: often not a tag of its own, hence no foreign key.
    parent_id_tag: Mapped[str | None] = mapped_column(String(64))
    # The name of the authorization policy the CSMS applies to this tag; opaque to the store.
    policy: Mapped[str | None] = mapped_column(String(64))
    # OCPP 2.0.1 IdTokenEnumType (ISO14443, eMAID, Central, ...); None for 1.6 tags.
    token_type: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
