"""``/chargers/{chargeBoxId}/...``: OCPP commands to a connected charger.

Thin: each route hands its body to ``chargeyard.csms.commands``; errors are mapped in
``app.py`` (404 unknown, 409 rejected at boot, 503 not connected, 504 no answer, 502
CALLERROR).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from chargeyard.api.deps import SettingsDep, StoreDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import ChargerDep
from chargeyard.api.v1.schemas import (
    AvailabilityRequest,
    AvailabilityResponse,
    ChangeConfigurationRequest,
    ChangeConfigurationResponse,
    ClearCacheResponse,
    DataTransferHistory,
    DataTransferItem,
    DataTransferRequest,
    DataTransferResponse,
    DiagnosticsRequest,
    DiagnosticsResponse,
    ErrorResponse,
    GetConfigurationRequest,
    GetConfigurationResponse,
    RawCallRequest,
    RawCallResponse,
    ResetRequest,
    ResetResponse,
    StationErrorResponse,
    TriggerRequest,
    TriggerResponse,
    UnlockRequest,
    UnlockResponse,
    UpdateFirmwareRequest,
    UpdateFirmwareResponse,
)
from chargeyard.csms import commands
from chargeyard.csms.commands.raw_call import raw_call
from chargeyard.store.repositories import MAX_HISTORY

# The errors every command may answer, as the OpenAPI document lists them.
COMMAND_ERRORS: dict[int | str, dict[str, Any]] = {
    status: error_answer(StationErrorResponse if status == 502 else ErrorResponse, description)
    for status, description in (
        (401, "Missing or invalid API key"),
        (404, "Unknown chargeBoxId"),
        (409, "The charger's boot was answered Rejected: no command is sent to it"),
        (502, "The charger answered with a CALLERROR"),
        (503, "The charger is registered but not connected"),
        (504, "The charger did not answer in time"),
    )
}

router = APIRouter(
    prefix=API_PREFIX + "/chargers/{chargeBoxId}",
    tags=["Charger Commands"],
    dependencies=[Depends(require_tenant)],
    responses=COMMAND_ERRORS,
)


# The answer names evseId only when one EVSE was reset (a station's reset answers as ever).
@router.post("/reset", summary="Reset charger", response_model_exclude_none=True)
async def reset(charger: ChargerDep, body: ResetRequest) -> ResetResponse:
    """Send a soft or hard reset to a charger, or (OCPP 2.0.1, with `evseId`) to one EVSE."""
    return ResetResponse.model_validate(await commands.reset(charger, body.type, body.evseId))


@router.post("/unlock", summary="Unlock connector")
async def unlock(charger: ChargerDep, body: UnlockRequest) -> UnlockResponse:
    """Unlock a connector — useful when a cable is stuck."""
    return UnlockResponse.model_validate(await commands.unlock(charger, body.connectorId))


@router.post("/cache/clear", summary="Clear cache")
async def clear_cache(charger: ChargerDep) -> ClearCacheResponse:
    """Clear the charger's local authorization cache."""
    return ClearCacheResponse.model_validate(await commands.clear_cache(charger))


@router.post("/trigger", summary="Trigger message")
async def trigger(charger: ChargerDep, body: TriggerRequest) -> TriggerResponse:
    """Request the charger to send a specific OCPP message on demand."""
    result = await commands.trigger(charger, body.requestedMessage, body.connectorId)
    return TriggerResponse.model_validate(result)


@router.post("/availability", summary="Change availability")
async def change_availability(
    charger: ChargerDep, body: AvailabilityRequest
) -> AvailabilityResponse:
    """Set a connector (or, with connectorId 0, the entire charger) operative or inoperative."""
    result = await commands.change_availability(charger, body.connectorId, body.type)
    return AvailabilityResponse.model_validate(result)


@router.post("/configuration/get", summary="Get configuration")
async def get_configuration(
    charger: ChargerDep, body: GetConfigurationRequest
) -> GetConfigurationResponse:
    """Retrieve configuration keys from a charger; ``{}`` for all."""
    result = await commands.get_configuration(charger, body.key)
    return GetConfigurationResponse.model_validate(result)


@router.post("/configuration/change", summary="Change configuration")
async def change_configuration(
    charger: ChargerDep, body: ChangeConfigurationRequest
) -> ChangeConfigurationResponse:
    """Change a configuration key: Accepted, RebootRequired, Rejected or NotSupported. A
    Basic password the station accepts (1.6 AuthorizationKey, 2.0.1
    SecurityCtrlr.BasicAuthPassword) is the one it must connect with from then on."""
    result = await commands.change_configuration(charger, body.key, body.value)
    return ChangeConfigurationResponse.model_validate(result)


@router.post("/firmware/update", summary="Update firmware")
async def update_firmware(
    charger: ChargerDep, body: UpdateFirmwareRequest
) -> UpdateFirmwareResponse:
    """Tell the charger to download and install new firmware; with signingCertificate and
    signature, a secure update (2.0.1 UpdateFirmware with both, 1.6 SignedUpdateFirmware)."""
    signed = None
    if body.signingCertificate is not None and body.signature is not None:
        signed = commands.SignedFirmware(body.signingCertificate, body.signature)
    result = await commands.update_firmware(
        charger,
        body.location,
        body.retrieveDate,
        body.retries,
        body.retryInterval,
        signed,
        install_date=body.installDate,
    )
    return UpdateFirmwareResponse.model_validate(result)


@router.post("/diagnostics", summary="Get diagnostics")
async def get_diagnostics(charger: ChargerDep, body: DiagnosticsRequest) -> DiagnosticsResponse:
    """Tell the charger to upload diagnostic logs to a URL; with `logType`, that log
    (GetLog, 2.0.1 N01 and the 1.6 security extension: the SecurityLog too)."""
    result = await commands.get_diagnostics(
        charger,
        body.location,
        body.startTime,
        body.stopTime,
        body.retries,
        body.retryInterval,
        log_type=body.logType,
    )
    return DiagnosticsResponse.model_validate(result)


@router.post(
    "/data-transfer",
    summary="Data transfer",
    responses={
        413: error_answer(
            ErrorResponse,
            "The DataTransfer frame would be over the charger's frame limit"
            " (`CHARGEYARD_MAX_FRAME_BYTES`): nothing is sent",
        )
    },
)
async def data_transfer(
    charger: ChargerDep, store: StoreDep, body: DataTransferRequest
) -> DataTransferResponse:
    """Send a vendor-specific DataTransfer message to a charger."""
    result = await commands.data_transfer(
        charger, store.data_transfers, body.vendorId, body.messageId, body.data
    )
    return DataTransferResponse.model_validate(result)


@router.get("/data-transfer", summary="Data transfer history")
async def data_transfer_history(
    charger: ChargerDep,
    store: StoreDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY, description="Results per page")] = 20,
) -> DataTransferHistory:
    """DataTransfer history (incoming and outgoing) of a charger, newest first. `data` and
    `responseData` longer than the API's listing limit (`CHARGEYARD_API_MAX_LISTED_CHARS`,
    8,192 characters by default) are cut and the item marked `truncated`: read it whole at
    `/data-transfer/{transferId}`."""
    result = await commands.data_transfer_history(
        store.data_transfers, charger.identity, limit, cut_at=settings.max_listed_chars
    )
    return DataTransferHistory.model_validate(result)


@router.get("/data-transfer/{transferId}", summary="One data transfer, whole")
async def data_transfer_item(
    charger: ChargerDep,
    store: StoreDep,
    transfer_id: Annotated[str, Path(alias="transferId", max_length=32, pattern=LOOKUP_TEXT)],
) -> DataTransferItem:
    """One DataTransfer of the charger with its data and answer whole (the history shows long
    ones cut); 404 when the charger has no transfer with this id."""
    result = await commands.data_transfer_item(store.data_transfers, charger.identity, transfer_id)
    return DataTransferItem.model_validate(result)


@router.post("/call", summary="Raw OCPP call")
async def call(charger: ChargerDep, body: RawCallRequest) -> RawCallResponse:
    """Send any action a central system sends in the station's OCPP version, with its payload
    as OCPP writes it, and get the station's answer as it came. An action the central system
    does not send in that version, or a payload that breaks the action's official request
    schema, is a 422 that says why, and nothing is sent; a CALLERROR is a 502 with its code.
    A password the station takes (2.0.1 SetVariables of SecurityCtrlr.BasicAuthPassword, 1.6
    ChangeConfiguration of AuthorizationKey) is the one it must connect with from then on."""
    result = await raw_call(charger, body.action, body.payload)
    return RawCallResponse.model_validate(result)
