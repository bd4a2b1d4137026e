"""What the central system knows of each station: the station row, its connectors' current
status, every status change (OCPP 1.6 section 4.9, OCPP 2.0.1 G01), and the other reports a
station sends on its own: firmware, diagnostics and log upload progress, security events,
reports, reservation updates, charging profiles and limits, events and the like
(:class:`StationNotification`).

Connectors are keyed by ``(station, evse_id, connector_id)``. OCPP 1.6 has no EVSE level: its
rows carry ``evse_id = 0`` and the 1.6 ``connectorId`` (0 = the whole charge point). OCPP 2.0.1
rows carry both ids as the station reported them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chargeyard.protocol import VersionSpec
from chargeyard.store.models.base import Base, BigIntPK
from chargeyard.store.types import utc_now
from chargeyard.store.version_column import VersionColumn


class Station(Base):
    """A charge point / charging station, named by ``charge_box_id`` (its OCPP identity).

    The identity is unique in the central system, whatever the organization: the station names
    itself in the WebSocket URL (OCPP-J 1.6 section 3.1.1, 2.0.1 part 4 section 3.1.1), which
    has no room for a tenant. So the station belongs to one organization, fixed when it is
    registered, and another organization registering the same identity is refused."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_box_id: Mapped[str] = mapped_column(String(255), index=True, unique=True)
    organization_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    location: Mapped[str | None] = mapped_column(String(255))
    # scrypt hash (chargeyard.store.hashing) of the HTTP Basic password; None: no password set.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    serial_number: Mapped[str | None] = mapped_column(String(64))
    firmware_version: Mapped[str | None] = mapped_column(String(64))
    ocpp_version: Mapped[VersionSpec | None] = mapped_column(VersionColumn)
    # Accepted / Pending / Rejected as last answered to BootNotification; None: never booted.
    registration_status: Mapped[str | None] = mapped_column(String(16))
    # The operator's answer to this station's boots (Accepted / Pending / Rejected); None: the
    # central system's --boot-status. With Pending, the CALLs sent after the answer, each
    # {"action": ..., "payload": {...}}; once all are answered it becomes Accepted
    # (csms/registration.py; OCPP 1.6 section 4.2, OCPP 2.0.1 B02).
    registration: Mapped[str | None] = mapped_column(String(16))
    pending_calls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    last_heartbeat: Mapped[datetime | None]
    is_online: Mapped[bool] = mapped_column(default=False, index=True)
    connected_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Connector(Base):
    """The latest status of one connector (or of the station itself, connector 0)."""

    __tablename__ = "connectors"
    __table_args__ = (UniqueConstraint("station_id", "evse_id", "connector_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    evse_id: Mapped[int] = mapped_column(default=0)
    connector_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str] = mapped_column(String(64), default="NoError")
    info: Mapped[str | None] = mapped_column(String(255))
    vendor_id: Mapped[str | None] = mapped_column(String(255))
    vendor_error_code: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ConnectorStatusChange(Base):
    """One StatusNotification as received: the connector's history, newest last."""

    __tablename__ = "connector_status_history"
    __table_args__ = (
        Index(
            "ix_connector_status_history_connector_at",
            "station_id",
            "evse_id",
            "connector_id",
            "at",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    evse_id: Mapped[int] = mapped_column(default=0)
    connector_id: Mapped[int]
    status: Mapped[str] = mapped_column(String(32))
    error_code: Mapped[str] = mapped_column(String(64), default="NoError")
    info: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(default=utc_now)


class NotificationKind(StrEnum):
    """What a :class:`StationNotification` is about, whatever the OCPP version named it.
    The 1.6 names are those of 1.6 and of its security extension (the ``ocpp`` package's 1.6
    schemas)."""

    # FirmwareStatusNotification (1.6 4.5, 2.0.1 L01), SignedFirmwareStatusNotification (1.6)
    FIRMWARE = "firmware"
    # DiagnosticsStatusNotification (1.6 4.4), LogStatusNotification (1.6, 2.0.1 N01)
    DIAGNOSTICS = "diagnostics"
    SECURITY = "security"  # SecurityEventNotification (1.6, 2.0.1 A04)
    REPORT = "report"  # NotifyReport (2.0.1 B07/B08): one part of a device-model report
    RESERVATION = "reservation"  # ReservationStatusUpdate (2.0.1 H04)
    CHARGING_PROFILE = "charging_profile"  # ReportChargingProfiles (2.0.1 K09)
    CHARGING_LIMIT = "charging_limit"  # NotifyChargingLimit, ClearedChargingLimit (K11-K14)
    # NotifyEVChargingNeeds, NotifyEVChargingSchedule (2.0.1 K15-K17)
    EV_CHARGING = "ev_charging"
    EVENT = "event"  # one event of a NotifyEvent (2.0.1 G05, N07, N08)
    MONITORING = "monitoring"  # NotifyMonitoringReport (2.0.1 N02): one part
    CUSTOMER = "customer"  # NotifyCustomerInformation (2.0.1 N09): one part
    DISPLAY = "display"  # NotifyDisplayMessages (2.0.1 O04): one part
    # PublishFirmwareStatusNotification (2.0.1 L03): a local controller publishing firmware
    FIRMWARE_PUBLISH = "firmware_publish"
    # SignCertificate (1.6 security extension, 2.0.1 A02/A03), Get15118EVCertificate (M01/M02),
    # GetCertificateStatus (M06): the request, and how it was answered (``csms/certificates.py``)
    CERTIFICATE = "certificate"
    # OCPP 2.1. OpenPeriodicEventStream, NotifyPeriodicEventStream (a SEND: one row per
    # message, its values in ``detail``), ClosePeriodicEventStream
    EVENT_STREAM = "event_stream"
    # NotifyPriorityCharging, PullDynamicScheduleUpdate (2.1 smart charging)
    PRIORITY = "priority"
    DYNAMIC_SCHEDULE = "dynamic_schedule"
    BATTERY_SWAP = "battery_swap"  # BatterySwap (2.1)
    PAYMENT = "payment"  # NotifySettlement, VatNumberValidation (2.1)
    DER = "der"  # NotifyDERAlarm, NotifyDERStartStop, ReportDERControl (2.1 DER control)


class StationNotification(Base):
    """One report a station sent on its own that has no table of its own, as received, so
    that it survives a restart (the frame log may drop frames when it falls behind; this is
    written before the station is answered).

    ``status`` is the message's status (or what stands for one: a security event's ``type``,
    a charging limit's source, which part of a report this is); ``request_id`` the ``requestId``
    it answers; ``evse_id`` the EVSE it is about, if it names one; ``detail`` the rest of what
    it reported: a security event's ``techInfo``, customer information's ``data``, else JSON
    text (a report part's ``reportData``, the reported charging profiles, one event's
    ``eventData``...); ``at`` the station's timestamp where the message has one (security
    events, reports, events), else the time it was received."""

    __tablename__ = "station_notifications"
    __table_args__ = (Index(None, "station_id", "kind", "at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[int | None]
    evse_id: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utc_now)
