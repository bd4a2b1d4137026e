"""``/chargers/{chargeBoxId}/...``: reservations, the local authorization list and smart
charging, one body each, said in the station's version (``csms/commands/reservations.py``,
``local_list.py``, ``smart_charging.py``). Errors as the other commands (``app.py``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from chargeyard.api.deps import StoreDep, require_tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import ChargerDep
from chargeyard.api.v1.routes.chargers_commands import COMMAND_ERRORS
from chargeyard.api.v1.schemas.operations import (
    CancelReservationRequest,
    CancelReservationResponse,
    ClearChargingProfileRequest,
    ClearChargingProfileResponse,
    CompositeScheduleRequest,
    CompositeScheduleResponse,
    LocalListVersionResponse,
    ReservationRequest,
    ReservationResponse,
    SendLocalListRequest,
    SendLocalListResponse,
    SetChargingProfileRequest,
    SetChargingProfileResponse,
)
from chargeyard.csms.commands import local_list, reservations, smart_charging

router = APIRouter(
    prefix=API_PREFIX + "/chargers/{chargeBoxId}",
    tags=["Charger Commands"],
    dependencies=[Depends(require_tenant)],
    responses=COMMAND_ERRORS,
)


# -- reservations ------------------------------------------------------------------------------


@router.post("/reservation", summary="Reserve now")
async def reserve_now(
    charger: ChargerDep, store: StoreDep, body: ReservationRequest
) -> ReservationResponse:
    """Reserve a connector (0: any) for an id tag until `expiryDate` (1.6 ReserveNow, 2.0.1
    ReserveNow with an EVSE and a connector type). 422 for an expiry that has passed, or a
    `connectorType` on a 1.6 charger."""
    reservation = reservations.Reservation(
        connector_id=body.connectorId,
        id_tag=body.idTag,
        expiry=body.expiryDate,
        reservation_id=body.reservationId or reservations.new_reservation_id(),
        parent_id_tag=body.parentIdTag,
        connector_type=body.connectorType,
    )
    result = await reservations.reserve_now(charger, reservation, id_tags=store.id_tags)
    return ReservationResponse.model_validate(result)


@router.post("/reservation/cancel", summary="Cancel reservation")
async def cancel_reservation(
    charger: ChargerDep, body: CancelReservationRequest
) -> CancelReservationResponse:
    """Cancel a reservation by its id (CancelReservation)."""
    result = await reservations.cancel_reservation(charger, body.reservationId)
    return CancelReservationResponse.model_validate(result)


# -- local authorization list ------------------------------------------------------------------


@router.post("/local-list", summary="Send local list")
async def send_local_list(charger: ChargerDep, body: SendLocalListRequest) -> SendLocalListResponse:
    """Replace the charger's local authorization list (Full) or change entries of it
    (Differential: an entry without a status is removed). 422 for a Full entry without a
    status, or an id tag listed twice."""
    entries = [
        local_list.ListEntry(entry.idTag, entry.status, entry.expiryDate, entry.parentIdTag)
        for entry in body.entries
    ]
    result = await local_list.send_local_list(charger, body.listVersion, body.updateType, entries)
    return SendLocalListResponse.model_validate(result)


@router.post("/local-list/version", summary="Get local list version")
async def local_list_version(charger: ChargerDep) -> LocalListVersionResponse:
    """The version of the charger's local authorization list (GetLocalListVersion)."""
    return LocalListVersionResponse.model_validate(await local_list.local_list_version(charger))


# -- smart charging ----------------------------------------------------------------------------


@router.post("/charging-profile", summary="Set charging profile")
async def set_charging_profile(
    charger: ChargerDep, body: SetChargingProfileRequest
) -> SetChargingProfileResponse:
    """Install a charging profile on a connector (0: the station), in the charger's version's
    shape (1.6 `csChargingProfiles` with `connectorId`, 2.0.1 `chargingProfile` with
    `evseId`). 422 before anything is sent for a profile that breaks the specifications'
    rules: periods from 0 in increasing order, a Recurring profile's recurrency, an Absolute
    one's startSchedule, a TxProfile's transaction, a station-wide profile on connector 0."""
    profile = body.chargingProfile.profile()
    result = await smart_charging.set_charging_profile(charger, body.connectorId, profile)
    return SetChargingProfileResponse.model_validate(result)


@router.post("/charging-profile/clear", summary="Clear charging profile")
async def clear_charging_profile(
    charger: ChargerDep, body: ClearChargingProfileRequest
) -> ClearChargingProfileResponse:
    """Remove the charging profiles that match (by id, or by connector, purpose and stack
    level; `{}`: every profile)."""
    criteria = smart_charging.ProfileCriteria(
        body.id, body.connectorId, body.purpose, body.stackLevel
    )
    result = await smart_charging.clear_charging_profile(charger, criteria)
    return ClearChargingProfileResponse.model_validate(result)


@router.post("/composite-schedule", summary="Get composite schedule")
async def composite_schedule(
    charger: ChargerDep, body: CompositeScheduleRequest
) -> CompositeScheduleResponse:
    """The schedule a connector (0: the station) will follow for `duration` seconds, all its
    profiles combined (GetCompositeSchedule), in one shape for both versions."""
    result = await smart_charging.composite_schedule(
        charger, body.connectorId, body.duration, body.chargingRateUnit
    )
    return CompositeScheduleResponse.model_validate(result)
