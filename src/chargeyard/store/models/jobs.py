"""Provisioning jobs of the simulator gateway: the durable record of work the API answered
``202`` for and finishes in the background (``POST /ocpp/chargers``, ``POST
/ocpp/locations/{id}/chargers``).

A job outlives the request that made it, so that ``GET .../status`` and ``GET
.../jobs/{job_id}`` can tell what became of it, from any process. ``request`` keeps what the
caller asked for, ``results`` what was done (``{"created": n, "failed": n, ...}``), ``error``
why it failed (``{"code", "message", "retryable"}``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.store.models.base import Base
from chargeyard.store.types import utc_now


class JobStatus(StrEnum):
    """A job's life: PENDING (stored, not begun) -> PROVISIONING -> READY or FAILED."""

    PENDING = "PENDING"
    PROVISIONING = "PROVISIONING"
    READY = "READY"
    FAILED = "FAILED"


class JobType(StrEnum):
    CREATE_CHARGER = "create_charger"
    BULK_CREATE_CHARGERS = "bulk_create_chargers"


class GatewayJob(Base):
    __tablename__ = "gateway_jobs"
    __table_args__ = (
        Index(None, "organization_id", "created_at"),
        Index(None, "location_id"),
        Index(None, "charger_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    job_type: Mapped[str] = mapped_column(String(32))
    # The location of a bulk job; the charger of a single creation (no foreign keys: the job
    # is a record of what was asked, and stays readable after its charger is deleted).
    location_id: Mapped[str | None] = mapped_column(String(64))
    charger_id: Mapped[str | None] = mapped_column(String(64))
    workflow_run_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    provisioned_at: Mapped[datetime | None]
