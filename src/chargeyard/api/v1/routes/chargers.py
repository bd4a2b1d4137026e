"""``/chargers``: register, list, read, change and delete chargers, and read a connector's
status history and the notifications a charger sent (firmware, diagnostics, security, reports,
charging profiles and limits, events and the like).

A charger is a station the central system admits (``csms/admission.py``), one organization's
(``api/tenant.py``: another organization's charger is not found): registering one here
lets its WebSocket in, deleting one closes its connection and refuses it from then on (404 in
the handshake). What the charger reports (vendor, model, boot answer, connectors, presence) is
written by the CSMS; here only the operator's fields change. Command routes live in
``chargers_commands.py`` under ``/chargers/{chargeBoxId}/...``; the paths here do not overlap.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, status

from chargeyard.api.deps import SettingsDep, StoreDep, TenantDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT, MAX_INT32, Limit, Offset, Page
from chargeyard.api.tenant import Tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import LinkDep
from chargeyard.api.v1.schemas import ErrorResponse
from chargeyard.api.v1.schemas.chargers import (
    ChargerCreate,
    ChargerDeleted,
    ChargerOut,
    ChargerUpdate,
    ConnectorHistory,
    NotificationHistory,
    NotificationOut,
    PresenceFilter,
    StatusChangeOut,
)
from chargeyard.api.v1.schemas.registration import EXAMPLE, RegistrationIn, RegistrationOut
from chargeyard.csms.commands import InvalidCommand, UnknownStation
from chargeyard.protocol import VERSIONS, VersionSpec
from chargeyard.protocol.initiators import CSMS_INITIATED
from chargeyard.store import ConflictError, NotFoundError, Store
from chargeyard.store.models import NotificationKind, Station
from chargeyard.store.repositories import MAX_NOTIFICATIONS, UNSET

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error_answer(ErrorResponse, "Missing or invalid API key"),
}
# The routes that name one row in their path.
_UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: error_answer(ErrorResponse, "Unknown chargeBoxId"),
}

# The close code and reason a deleted charger's connection ends with (RFC 6455 section 7.4.1:
# 1008, the endpoint's policy no longer admits the peer).
_DELETED_CLOSE = (1008, "charger deleted")

router = APIRouter(
    prefix=API_PREFIX + "/chargers",
    tags=["Chargers"],
    dependencies=[Depends(require_tenant)],
    responses=_ERRORS,
)

ChargeBoxIdPath = Annotated[str, Path(alias="chargeBoxId", pattern=LOOKUP_TEXT)]


async def _station(store: Store, tenant: Tenant, charge_box_id: str) -> Station:
    station = await store.stations.get(charge_box_id, organization_id=tenant.organization_id)
    if station is None:
        raise UnknownStation(charge_box_id)
    return station


async def _charger(store: Store, tenant: Tenant, charge_box_id: str, ocpp_url: str) -> ChargerOut:
    station = await _station(store, tenant, charge_box_id)
    try:
        connectors = await store.connectors.list(charge_box_id)
    except NotFoundError:  # deleted between the two reads
        raise UnknownStation(charge_box_id) from None
    statuses = await store.notifications.current([charge_box_id])
    return ChargerOut.of(station, connectors, ocpp_url, statuses.get(charge_box_id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register charger",
    responses={
        409: error_answer(
            ErrorResponse,
            "The chargeBoxId is taken, in this organization or another: a"
            " station names itself in its connection URL, so an identity is one organization's"
            " at a central system",
        )
    },
)
async def create_charger(
    store: StoreDep, settings: SettingsDep, tenant: TenantDep, body: ChargerCreate
) -> ChargerOut:
    """Register a charger of the organization so that it may connect; the answer's
    ``connectionUrl`` is where."""
    try:
        station = await store.stations.register(
            body.chargeBoxId,
            name=body.name,
            location=body.location,
            password=body.password,
            organization_id=tenant.organization_id,
        )
    except ConflictError:
        raise ConflictError(f"charger {body.chargeBoxId} already exists") from None
    return ChargerOut.of(station, [], settings.ocpp_url)


@router.get("", summary="List chargers")
async def list_chargers(
    store: StoreDep,
    settings: SettingsDep,
    tenant: TenantDep,
    status: Annotated[
        PresenceFilter | None, Query(description="Only chargers online or offline")
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ChargerOut]:
    """The organization's chargers by chargeBoxId, with their connectors; ``total`` counts
    all that match."""
    online = None if status is None else status == "online"
    mine = tenant.organization_id
    stations = await store.stations.list(
        online=online, limit=limit, offset=offset, organization_id=mine
    )
    total = await store.stations.count(online=online, organization_id=mine)
    identities = [station.charge_box_id for station in stations]
    connectors = await store.connectors.list_by_station(identities)
    statuses = await store.notifications.current(identities)
    return Page[ChargerOut](
        data=[
            ChargerOut.of(
                station,
                connectors[station.charge_box_id],
                settings.ocpp_url,
                statuses.get(station.charge_box_id),
            )
            for station in stations
        ],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{chargeBoxId}", summary="Get charger", responses=_UNKNOWN)
async def get_charger(
    store: StoreDep, settings: SettingsDep, tenant: TenantDep, charge_box_id: ChargeBoxIdPath
) -> ChargerOut:
    """A charger: what the operator registered, what it reported, and its connectors."""
    return await _charger(store, tenant, charge_box_id, settings.ocpp_url)


@router.patch("/{chargeBoxId}", summary="Update charger", responses=_UNKNOWN)
async def update_charger(
    store: StoreDep,
    settings: SettingsDep,
    tenant: TenantDep,
    charge_box_id: ChargeBoxIdPath,
    body: ChargerUpdate,
) -> ChargerOut:
    """Change the name, location or password; absent fields stay, ``null`` clears. A new
    password applies from the charger's next connection."""
    given = body.model_fields_set
    try:
        await store.stations.update(
            charge_box_id,
            name=body.name if "name" in given else UNSET,
            location=body.location if "location" in given else UNSET,
            organization_id=tenant.organization_id,
        )
        if "password" in given:
            await store.stations.set_password(charge_box_id, body.password)
    except NotFoundError:
        raise UnknownStation(charge_box_id) from None
    return await _charger(store, tenant, charge_box_id, settings.ocpp_url)


@router.delete("/{chargeBoxId}", summary="Delete charger", responses=_UNKNOWN)
async def delete_charger(
    store: StoreDep, link: LinkDep, tenant: TenantDep, charge_box_id: ChargeBoxIdPath
) -> ChargerDeleted:
    """Delete a charger with its connectors, transactions and data transfers, and close its
    connection: deleted first, so that it is refused (404) when it tries to come back."""
    try:
        await store.stations.delete(charge_box_id, organization_id=tenant.organization_id)
    except NotFoundError:
        raise UnknownStation(charge_box_id) from None
    await link.disconnect(charge_box_id, *_DELETED_CLOSE)
    return ChargerDeleted(message="Charger deleted", chargeBoxId=charge_box_id)


@router.put(
    "/{chargeBoxId}/registration",
    summary="Set charger registration",
    responses=_UNKNOWN,
)
async def set_registration(
    store: StoreDep,
    tenant: TenantDep,
    charge_box_id: ChargeBoxIdPath,
    body: Annotated[RegistrationIn, Body(openapi_examples={"pending": {"value": EXAMPLE}})],
) -> RegistrationOut:
    """How the central system answers the charger's boots (OCPP 1.6 section 4.2, 2.0.1
    B01-B03): Accepted, Pending or Rejected, or ``null`` for the CSMS's ``--boot-status``. A
    Pending charger is sent ``pendingCalls`` after the answer (in its version's words, checked
    here against its last OCPP version); once each is answered with a CALLRESULT its next
    boot is Accepted.
    While a charger's last boot is Pending or Rejected, its other messages are answered
    CALLERROR SecurityError, and commands are refused with 409 (all while Rejected, remote
    start and stop while Pending). Applies from the charger's next boot."""
    station = await _station(store, tenant, charge_box_id)
    calls = [call.model_dump() for call in body.pendingCalls]
    if calls and body.status != "Pending":
        raise InvalidCommand("pendingCalls are sent only after a boot answered Pending")
    _check_pending_calls(station.ocpp_version, calls)
    try:
        station = await store.stations.set_registration(
            charge_box_id, body.status, calls, organization_id=tenant.organization_id
        )
    except NotFoundError:
        raise UnknownStation(charge_box_id) from None
    return RegistrationOut.of(station)


def _check_pending_calls(version: VersionSpec | None, calls: list[dict[str, Any]]) -> None:
    """Each call must be one a central system sends, with a payload its request schema takes,
    in the charger's last version (any version, for one that never connected).

    Raises:
        InvalidCommand, OcppError (422).
    """
    versions = list(VERSIONS.values()) if version is None else [version]
    for call in calls:
        action = call["action"]
        speaking = [version for version in versions if action in CSMS_INITIATED[version]]
        if not speaking:
            names = " or ".join(version.name for version in versions)
            raise InvalidCommand(
                f"{action} is not an action a central system sends in OCPP {names}"
            )
        if version is not None:
            speaking[0].schemas.check_request(action, call["payload"])


@router.get(
    "/{chargeBoxId}/connectors/{connectorId}/history",
    summary="Connector status history",
    responses=_UNKNOWN,
)
async def connector_history(
    store: StoreDep,
    charge_box_id: ChargeBoxIdPath,
    connector_id: Annotated[int, Path(alias="connectorId", ge=0, le=MAX_INT32)],
    evse_id: Annotated[
        int | None,
        Query(alias="evseId", ge=1, le=MAX_INT32, description="The EVSE (OCPP 2.0.1 chargers)"),
    ] = None,
    limit: Limit = 20,
) -> ConnectorHistory:
    """A connector's status changes (StatusNotification), newest first; empty for a connector
    that never reported."""
    try:
        rows = await store.connectors.history(
            charge_box_id, connector_id, evse_id=evse_id or 0, limit=limit
        )
    except NotFoundError:
        raise UnknownStation(charge_box_id) from None
    return ConnectorHistory(
        chargeBoxId=charge_box_id,
        connectorId=connector_id,
        evseId=evse_id,
        history=[StatusChangeOut.of(row) for row in rows],
        count=len(rows),
    )


@router.get("/{chargeBoxId}/notifications", summary="Charger notifications", responses=_UNKNOWN)
async def charger_notifications(
    store: StoreDep,
    charge_box_id: ChargeBoxIdPath,
    kind: Annotated[NotificationKind | None, Query(description="Only this kind")] = None,
    evse_id: Annotated[
        int | None,
        Query(alias="evseId", ge=0, le=MAX_INT32, description="Only those about this EVSE"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_NOTIFICATIONS, description="Results per page")] = 20,
) -> NotificationHistory:
    """What the charger reported on its own besides status and transactions, newest first:
    firmware update progress (FirmwareStatusNotification, SignedFirmwareStatusNotification),
    diagnostics or log uploads (DiagnosticsStatusNotification, LogStatusNotification),
    security events (SecurityEventNotification), device-model report parts (NotifyReport),
    and the 2.0.1 reports this central system keeps as they came: reservations ended unused
    (ReservationStatusUpdate), charging profiles (ReportChargingProfiles), external charging
    limits (NotifyChargingLimit, ClearedChargingLimit), an EV's charging needs and schedule,
    events (NotifyEvent, one each), monitoring reports, customer information, display messages
    and firmware publishing."""
    try:
        rows = await store.notifications.history(
            charge_box_id, kind=kind, evse_id=evse_id, limit=limit
        )
    except NotFoundError:
        raise UnknownStation(charge_box_id) from None
    return NotificationHistory(
        chargeBoxId=charge_box_id,
        notifications=[NotificationOut.of(row) for row in rows],
        count=len(rows),
    )
