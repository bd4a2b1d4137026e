"""The simulator gateway's tenancy and fleet (``/ocpp/...``).

Every row carries ``organization_id``, and every repository query filters on it: one tenant
never sees another's chargers, even by guessing an id. A durable charger (``dep-…``) is the
deployment record of a simulated station; ``identity`` (``CP-…``) is the name it presents to a
CSMS. Commands are the queued requests the API hands to the fleet (``QueuedCommandResponse``),
and charger logs are what a charger's runtime wrote, optionally tied to the command it served.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.protocol import VersionSpec
from chargeyard.store.models.base import Base, BigIntPK
from chargeyard.store.types import utc_now
from chargeyard.store.version_column import VersionColumn


class DesiredState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"


class CommandStatus(StrEnum):
    """What became of a gateway command, as ``commands.status`` keeps it.

    The API answers it in OCPPLab's words (``received``, ``deferred``, ``applied``,
    ``rejected``, ``expired``, ``failed``) and in chargeyard's (``queued``, ``running``,
    ``succeeded``, ``failed``): ``api/gateway/schemas/commands.py``."""

    QUEUED = "queued"
    """Accepted by the charger's host (its precheck), on its way to the station."""
    RUNNING = "running"
    """Being applied."""
    SUCCEEDED = "succeeded"
    """Applied at the station while it was online: what it reports went out at once."""
    DEFERRED = "deferred"
    """Applied at the station while it was offline: what it reports waits for the connection
    (it becomes SUCCEEDED once the station is online again)."""
    EXPIRED = "expired"
    """Deferred, and the fleet host stopped following the station (stopped, or the charger
    rebuilt) before it was online again."""
    REJECTED = "rejected"
    """Refused by the station (its state or its version) or by its central system."""
    FAILED = "failed"
    """Not applied through an error: the charger not running, not sent, no answer in time."""


DEFAULT_ORGANIZATION_ID = "default"
"""The organization that owns what was made before organizations reached the central system
(revision 0013), and by default the stations a central system registers as they connect."""


class Organization(Base):
    """A tenant. On the gateway it owns locations and simulated chargers; on the central
    system it owns API keys, stations (and with them their transactions, frames, reports and
    command history), id tags and webhooks.

    The central system's tables name their organization without a foreign key: revision 0013
    added the column to tables that others reference, which SQLite can do in place only
    without one (a rebuilt ``stations`` would cascade its deletion to every transaction), and
    the product never deletes an organization."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class LocationStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PLANNED = "planned"


class Location(Base):
    """A site of an organization: where its chargers stand (address, position, time zone)."""

    __tablename__ = "locations"
    # A unique index rather than a constraint: SQLite adds an index in place, while a
    # constraint would rebuild the table, and rebuilding a table that chargers reference
    # fires their ON DELETE SET NULL (revision 0002). It also serves the tenant's listing.
    __table_args__ = (Index(None, "organization_id", "slug", unique=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    # Unique within the organization, for URLs and people; rows from before revision 0002
    # got their id as slug.
    slug: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(255))
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(255))
    # ISO 3166-1 alpha-2.
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # An IANA time zone name, e.g. "Europe/Paris".
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    owner_name: Mapped[str | None] = mapped_column(String(255))
    public: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[str] = mapped_column(
        String(16), default=LocationStatus.ACTIVE, server_default=LocationStatus.ACTIVE.value
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class SimulatedCharger(Base):
    """A durable simulated charger: what to run (template, version, CSMS URL, configuration),
    whether it should run (``desired_state``) and what the runtime last reported (``status``)."""

    __tablename__ = "simulated_chargers"
    __table_args__ = (
        UniqueConstraint("organization_id", "identity"),
        Index(None, "location_id"),
        Index(None, "desired_state"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    identity: Mapped[str] = mapped_column(String(255))
    ocpp_version: Mapped[VersionSpec] = mapped_column(VersionColumn)
    csms_url: Mapped[str | None] = mapped_column(String(2048))
    # A catalog template key (station/catalog), e.g. "alfen/eve-single-pro-line".
    template: Mapped[str | None] = mapped_column(String(128))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    desired_state: Mapped[str] = mapped_column(String(16), default=DesiredState.STOPPED)
    status: Mapped[str] = mapped_column(String(32), default="created")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Command(Base):
    __tablename__ = "commands"
    __table_args__ = (
        # Charger ids are unique across organizations, so the charger's own index serves the
        # tenant-filtered listing and the ON DELETE CASCADE scan alike.
        Index(None, "charger_id", "created_at"),
        Index(None, "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    charger_id: Mapped[str] = mapped_column(ForeignKey("simulated_chargers.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    ocpp_version: Mapped[VersionSpec] = mapped_column(VersionColumn)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=CommandStatus.QUEUED)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class ChargerLog(Base):
    __tablename__ = "charger_logs"
    __table_args__ = (Index(None, "charger_id", "at"), Index(None, "command_id"))

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    charger_id: Mapped[str] = mapped_column(ForeignKey("simulated_chargers.id", ondelete="CASCADE"))
    command_id: Mapped[str | None] = mapped_column(ForeignKey("commands.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utc_now)
    level: Mapped[str] = mapped_column(String(16), default="info")
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]
