"""Bodies of ``/chargers``: what an operator registers about a charger and what the API
answers about one.

Rules on what comes in:

- ``chargeBoxId`` is the charger's OCPP identity, the last segment of the URL it connects to
  (OCPP-J 1.6 section 3.1.1) and the user-id of its HTTP Basic credentials: 1..48 characters of
  an OCPP identifierString without ``:`` (``chargeyard.protocol.identity``, the rule the CSMS
  applies at the handshake).
- ``password`` is the HTTP Basic password of security profile 1 (OCPP 2.0.1 part 2 A00,
  1.6 security whitepaper section 2.4): 8..40 printable characters. 40 is OCPP's maximum
  (2.0.1 SecurityCtrlr.BasicAuthPassword); OCPP asks a real deployment for 16 or more random
  characters, but a lab's hand-typed passwords may be as short as 8. It is stored as a scrypt
  hash (any length hashes) and never answered; ``hasPassword`` says whether one is set.

Connectors: a 1.6 charger has no EVSE level (the store keeps ``evse_id`` 0 for its rows), so its
connectors answer ``"evseId": null``; a 2.0.1 charger's carry the EVSE they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote

from pydantic import AfterValidator, BaseModel, Field

from chargeyard.api.ocpp_version import OcppVersionName
from chargeyard.api.shapes import PRINTABLE, Request, Timestamp
from chargeyard.protocol.identity import MAX_IDENTITY_LENGTH, identity_problem
from chargeyard.protocol.passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS
from chargeyard.store.models import (
    Connector,
    ConnectorStatusChange,
    NotificationKind,
    Station,
    StationNotification,
)


def _identity(text: str) -> str:
    problem = identity_problem(text)
    if problem is not None:
        raise ValueError(f"{problem} (it is the last segment of the charger's URL)")
    return text


ChargeBoxId = Annotated[
    str,
    Field(min_length=1, max_length=MAX_IDENTITY_LENGTH, examples=["CHARGER-001"]),
    AfterValidator(_identity),
]
Password = Annotated[
    str, Field(min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS), PRINTABLE
]
Label = Annotated[str, Field(max_length=255), PRINTABLE]

PresenceFilter = Literal["online", "offline"]


class ChargerCreate(Request):
    chargeBoxId: ChargeBoxId
    name: Label | None = None
    location: Label | None = None
    password: Password | None = Field(
        default=None, description="HTTP Basic password (security profile 1); stored hashed"
    )


class ChargerUpdate(Request):
    """Only the fields present change; ``null`` clears one (a null password: no Basic auth)."""

    name: Label | None = None
    location: Label | None = None
    password: Password | None = None


class ConnectorOut(BaseModel):
    connectorId: int
    evseId: int | None = Field(description="The EVSE (OCPP 2.0.1); null for OCPP 1.6")
    status: str
    errorCode: str
    info: str | None
    vendorErrorCode: str | None
    updatedAt: Timestamp

    @classmethod
    def of(cls, row: Connector) -> ConnectorOut:
        return cls(
            connectorId=row.connector_id,
            evseId=row.evse_id or None,
            status=row.status,
            errorCode=row.error_code,
            info=row.info,
            vendorErrorCode=row.vendor_error_code,
            updatedAt=row.updated_at,
        )


class ChargerOut(BaseModel):
    chargeBoxId: str
    name: str | None
    location: str | None
    vendor: str | None
    model: str | None
    serialNumber: str | None
    firmwareVersion: str | None
    ocppVersion: OcppVersionName | None
    registrationStatus: str | None = Field(description="The last BootNotification's answer")
    registration: str | None = Field(
        description="How the charger's boots are answered (Accepted, Pending or Rejected,"
        " PUT .../registration); null: the CSMS's --boot-status"
    )
    pendingCalls: list[dict[str, Any]] = Field(
        description="The calls sent after a boot answered Pending, each {action, payload}"
    )
    firmwareStatus: str | None = Field(
        description="The last FirmwareStatusNotification's status (e.g. Downloading, Installed)"
    )
    firmwareStatusAt: Timestamp | None
    diagnosticsStatus: str | None = Field(
        description="The last DiagnosticsStatusNotification's (OCPP 1.6) or"
        " LogStatusNotification's (2.0.1) status (e.g. Uploading, Uploaded)"
    )
    diagnosticsStatusAt: Timestamp | None
    lastHeartbeat: Timestamp | None
    isOnline: bool
    connectedAt: Timestamp | None
    createdAt: Timestamp
    hasPassword: bool
    connectionUrl: str = Field(description="Where the charger connects (OCPP WebSocket)")
    connectors: list[ConnectorOut]

    @classmethod
    def of(
        cls,
        station: Station,
        connectors: Sequence[Connector],
        ocpp_url: str,
        statuses: Mapping[NotificationKind, StationNotification] | None = None,
    ) -> ChargerOut:
        """``statuses``: the station's newest firmware and diagnostics notifications
        (``NotificationRepository.current``)."""
        statuses = statuses or {}
        firmware = statuses.get(NotificationKind.FIRMWARE)
        diagnostics = statuses.get(NotificationKind.DIAGNOSTICS)
        return cls(
            chargeBoxId=station.charge_box_id,
            name=station.name,
            location=station.location,
            vendor=station.vendor,
            model=station.model,
            serialNumber=station.serial_number,
            firmwareVersion=station.firmware_version,
            ocppVersion=station.ocpp_version,
            registrationStatus=station.registration_status,
            registration=station.registration,
            pendingCalls=list(station.pending_calls or []),
            firmwareStatus=firmware.status if firmware else None,
            firmwareStatusAt=firmware.at if firmware else None,
            diagnosticsStatus=diagnostics.status if diagnostics else None,
            diagnosticsStatusAt=diagnostics.at if diagnostics else None,
            lastHeartbeat=station.last_heartbeat,
            isOnline=station.is_online,
            connectedAt=station.connected_at,
            createdAt=station.created_at,
            hasPassword=station.password_hash is not None,
            connectionUrl=connection_url(ocpp_url, station.charge_box_id),
            connectors=[ConnectorOut.of(row) for row in connectors],
        )


def connection_url(ocpp_url: str, charge_box_id: str) -> str:
    """The listener's URL for ``charge_box_id``: quoted, since an identity may hold characters
    a path segment cannot (the listener unquotes it)."""
    return f"{ocpp_url.rstrip('/')}/{quote(charge_box_id, safe='')}"


class ChargerDeleted(BaseModel):
    message: str
    chargeBoxId: str


class StatusChangeOut(BaseModel):
    status: str
    errorCode: str
    info: str | None
    at: Timestamp

    @classmethod
    def of(cls, row: ConnectorStatusChange) -> StatusChangeOut:
        return cls(status=row.status, errorCode=row.error_code, info=row.info, at=row.at)


class ConnectorHistory(BaseModel):
    chargeBoxId: str
    connectorId: int
    evseId: int | None
    history: list[StatusChangeOut] = Field(description="Status changes, newest first")
    count: int


class NotificationOut(BaseModel):
    kind: NotificationKind = Field(
        description="firmware, diagnostics (1.6 diagnostics or log upload), security, report"
        " (one part of a 2.0.1 device-model report), reservation (ReservationStatusUpdate),"
        " charging_profile (ReportChargingProfiles), charging_limit (NotifyChargingLimit,"
        " ClearedChargingLimit), ev_charging (NotifyEVChargingNeeds, NotifyEVChargingSchedule),"
        " event (one event of a NotifyEvent), monitoring (NotifyMonitoringReport), customer"
        " (NotifyCustomerInformation), display (NotifyDisplayMessages), firmware_publish"
        " (PublishFirmwareStatusNotification), certificate (SignCertificate,"
        " Get15118EVCertificate, GetCertificateStatus, 2.1 GetCertificateChainStatus: the"
        " request in detail, the answer's status); of 2.1: event_stream (Open-, Notify-,"
        " ClosePeriodicEventStream), priority (NotifyPriorityCharging), dynamic_schedule"
        " (PullDynamicScheduleUpdate), battery_swap (BatterySwap), payment (NotifySettlement,"
        " VatNumberValidation) or der (NotifyDERAlarm, NotifyDERStartStop, ReportDERControl)"
    )
    action: str = Field(description="The OCPP message, e.g. FirmwareStatusNotification")
    status: str | None = Field(
        description="Its status, or what stands for one: a security event's type, a charging"
        " limit's source, an event's trigger, which part of a report this is"
    )
    requestId: int | None = Field(description="The requestId it answers")
    evseId: int | None = Field(description="The EVSE it is about, if it names one (2.0.1)")
    detail: str | None = Field(
        description="The rest of what it reported: a security event's techInfo, customer"
        " information's data, else JSON (a report part's reportData, the reported charging"
        " profiles, one event's eventData, ...)"
    )
    at: Timestamp = Field(description="The station's timestamp if it sent one, else arrival")

    @classmethod
    def of(cls, row: StationNotification) -> NotificationOut:
        return cls(
            kind=NotificationKind(row.kind),
            action=row.action,
            status=row.status,
            requestId=row.request_id,
            evseId=row.evse_id,
            detail=row.detail,
            at=row.at,
        )


class NotificationHistory(BaseModel):
    chargeBoxId: str
    notifications: list[NotificationOut] = Field(description="Newest first")
    count: int
