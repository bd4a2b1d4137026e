"""What the central system knows of each station it has heard from, kept in memory.

This is the listener's working memory for now; the durable store (``chargeyard.store``) takes
over these facts when the CSMS command API arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision and a "Z", as OCPP timestamps are written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class ConnectorRecord:
    status: str
    error_code: str = "NoError"
    updated_at: datetime = field(default_factory=utc_now)


@dataclass(slots=True)
class TransactionRecord:
    transaction_id: str
    connector: str
    id_tag: str
    meter_start_wh: float
    started_at: datetime
    meter_stop_wh: float | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None

    @property
    def energy_wh(self) -> float | None:
        if self.meter_stop_wh is None:
            return None
        return self.meter_stop_wh - self.meter_start_wh


@dataclass(slots=True)
class StationRecord:
    identity: str
    ocpp_version: str
    vendor: str = ""
    model: str = ""
    serial_number: str | None = None
    firmware_version: str | None = None
    registration: str = "Unknown"
    last_heartbeat: datetime | None = None
    connectors: dict[str, ConnectorRecord] = field(default_factory=dict)
    transactions: dict[str, TransactionRecord] = field(default_factory=dict)
