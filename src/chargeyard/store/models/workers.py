"""Which worker process runs which durable charger, when the gateway runs as several
processes (``chargeyard worker``): a lease per charger and a heartbeat per worker, both with
an expiry the holder renews (``gateway/leases.py``). A worker that stops renewing loses them,
and the others adopt its chargers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.store.models.base import Base


class FleetWorker(Base):
    """A worker process, alive until ``seen_until`` unless it beats again."""

    __tablename__ = "fleet_workers"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_until: Mapped[datetime]


class ChargerLease(Base):
    """The worker running a charger, until ``expires_at`` unless it renews the lease."""

    __tablename__ = "charger_leases"
    __table_args__ = (Index(None, "worker"),)

    charger_id: Mapped[str] = mapped_column(
        ForeignKey("simulated_chargers.id", ondelete="CASCADE"), primary_key=True
    )
    worker: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
