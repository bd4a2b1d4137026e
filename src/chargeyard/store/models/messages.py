"""What went over the wire: every OCPP frame (the frame log) and the DataTransfer exchanges,
which the API lists per station (newest first)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.store.models.base import Base, BigIntPK
from chargeyard.store.types import utc_now


class Direction(StrEnum):
    """Seen from the central system (or, in a simulator's log, from the station)."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Frame(Base):
    """One OCPP-J frame as text. No foreign key to ``stations``: frames arrive before a station
    is registered (and from stations that never will be), and the log must stay a cheap append.
    Within one identity, ``id`` keeps the order the frames were recorded in. On SQLite the rows
    live in a file of their own (``chargeyard.store.frame_file``); this table in the main file
    stays empty there."""

    __tablename__ = "frames"
    __table_args__ = (Index(None, "identity", "at"), Index(None, "at"))

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    identity: Mapped[str] = mapped_column(String(255))
    direction: Mapped[str] = mapped_column(String(8))
    # None for CALLRESULT / CALLERROR frames whose CALL is not known to the writer.
    action: Mapped[str | None] = mapped_column(String(64))
    unique_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class DataTransfer(Base):
    """One DataTransfer (OCPP 1.6 sections 4.3 and 5.5): ``incoming`` from the station or
    ``outgoing`` from the CSMS, with the answer once it came (``response_status`` None before)."""

    __tablename__ = "data_transfers"
    __table_args__ = (Index(None, "station_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))
    vendor_id: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[str | None] = mapped_column(String(32))
    response_data: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
