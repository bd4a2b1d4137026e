"""What went over the wire: every OCPP frame (the frame log), the DataTransfer exchanges, which
the API lists per station (newest first), and every command the API sent (the command
history)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, String, Text
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
    # In a simulator's log: what a network fault did to this frame (``frame_dropped``,
    # ``frame_duplicated``, ``frame_delayed``..., fleet/chaos/engine.py's EFFECTS); the row
    # is the network's, beside the station's own row of the frame. None for the others.
    fault: Mapped[str | None] = mapped_column(String(24), default=None)


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


class CallOutcome(StrEnum):
    """How a command sent through the API ended."""

    ANSWERED = "answered"  # a CALLRESULT, valid for the action
    CALL_ERROR = "callError"  # a CALLERROR; ``status`` holds its code
    TIMEOUT = "timeout"  # no answer within the command's timeout
    INVALID_ANSWER = "invalidAnswer"  # an answer that breaks the action's response schema
    NOT_CONNECTED = "notConnected"  # the station left before the call: nothing was sent
    REJECTED = "rejected"  # the station's boot was answered Rejected: nothing was sent
    UNREACHABLE = "unreachable"  # the path to the station's node was down: nothing was sent
    FAILED = "failed"  # anything else


class SentCommand(Base):
    """One OCPP call the API sent to a station on a user's behalf: who sent it (the API key,
    kept by id and name so that the history outlives a revoked key), through which endpoint,
    the request and the answer as JSON text, how it ended and how long it took."""

    __tablename__ = "sent_commands"
    __table_args__ = (Index(None, "station_id", "sent_at"), Index(None, "sent_at"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    api_key_id: Mapped[str | None] = mapped_column(String(32))
    api_key_name: Mapped[str | None] = mapped_column(String(255))
    endpoint: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    request: Mapped[str] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    # The answer's ``status`` field (Accepted, Rejected, ...) or a CALLERROR's code.
    status: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)
