"""Commands an operator sends to a connected station, whatever OCPP version it speaks.

Theory of operation
-------------------
Each public function (``reset``, ``unlock``, ...) takes a :class:`Charger` (the link, the
station's identity, the call timeout) and the request's fields, sends the OCPP call that means
that command in the station's version, and returns the answer in the shape of the command API
(the CSMS API reference's "Charger Commands"). The version is looked up once per command, in
:data:`DIALECTS`: one ``Dialect`` per version (``v16.py``, ``v201.py``) builds the request
and reads the answer, so no code here branches on a version string. 2.1 speaks like 2.0.1
for every command here.

OCPP 1.6 -> 2.0.1 (part 2 section numbers in brackets):

==================  ===============================  ==========================================
command             1.6                              2.0.1 / 2.1
==================  ===============================  ==========================================
reset               Reset Soft / Hard; no evseId     Reset OnIdle / Immediate, evseId (B11, B12)
unlock              UnlockConnector connectorId N    UnlockConnector evseId N, connectorId 1 (F05)
cache/clear         ClearCache                       ClearCache (C11)
trigger             TriggerMessage, connectorId      TriggerMessage, evse {id} (F06);
                                                     DiagnosticsStatusNotification ->
                                                     LogStatusNotification; TransactionEvent,
                                                     LogStatusNotification and PublishFirmware-
                                                     StatusNotification 2.0.1 only
availability        ChangeAvailability type          ChangeAvailability operationalStatus;
                                                     connector 0 -> no evse, N -> evse {id: N}
                                                     (G03, G04)
configuration/get   GetConfiguration; a 2.0.1 name   keys "Component.Variable" or a 1.6 key
                    with a 1.6 key asks by that key  with a 2.0.1 counterpart: GetReport
                                                     (B08), {}: GetBaseReport FullInventory
                                                     (B07); without reports GetVariables (B06)
config.../change    ChangeConfiguration; the same    SetVariables (B05), keys as above;
                                                     attributeStatus Unknown* and
                                                     NotSupportedAttributeType ->
                                                     NotSupported; a key of neither form ->
                                                     NotSupported, nothing sent
firmware/update     UpdateFirmware                   UpdateFirmware {requestId, firmware} (L01)
diagnostics         GetDiagnostics; with logType,    GetLog of logType, DiagnosticsLog when
                    the security extension's GetLog  absent (N01)
data-transfer       DataTransfer                     DataTransfer (P01)
==================  ===============================  ==========================================

1.6 connector N is 2.0.1 EVSE N connector 1: true of the one-connector EVSEs our catalog
simulates and of most AC and DC chargers; a station with several connectors per EVSE needs the
2.0.1 API that is not part of this command set. GetVariables cannot list every variable, so
``configuration/get`` asks a 2.0.1 station for a device-model report (:func:`_reporter`): with
no keys its full one (GetBaseReport FullInventory, B07), with keys the report of those
variables (GetReport, B08), so that ``readonly`` comes from each variable's mutability. A
station that gives no report is asked with GetVariables instead: for the keys, or with none for
:data:`STANDARD_VARIABLES_201` (the counterparts of the common 1.6 keys), and ``readonly`` is
then false, since GetVariables does not report mutability (``commands/v201.py``).

Statuses: reset, unlock, cache, trigger, availability, firmware and diagnostics answer in
lower case with underscores (``accepted``, ``unlock_failed``), as the API shows for reset;
configuration/change and data-transfer keep the station's spelling (``Accepted``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from chargeyard.csms.commands.awaited import ask_for_parts
from chargeyard.csms.commands.base import (
    AvailabilityType,
    Charger,
    Dialect,
    LogType,
    Reporter,
    ResetType,
    Result,
    Send,
    SignedFirmware,
    TriggerableMessage,
    UnknownConfigurationKey,
    as_text,
    iso,
    millis,
    outcome,
    retry_options,
    sender,
    snake,
)
from chargeyard.csms.commands.v16 import Ocpp16
from chargeyard.csms.commands.v201 import Ocpp201
from chargeyard.csms.station_calls import StationRefused, StationRejected
from chargeyard.protocol import (
    V16,
    V21,
    V201,
    OcppError,
    Payload,
    VersionTable,
)
from chargeyard.store import NotFoundError
from chargeyard.store.models import Direction
from chargeyard.store.payload_cap import stored_extent
from chargeyard.store.repositories import DataTransferRepository
from chargeyard.store.types import utc_now

# The one place where the station's version picks how a command is said.
DIALECTS: VersionTable[Dialect] = VersionTable(
    "how the CSMS API's commands are said",
    {V16: Ocpp16(), V201: Ocpp201(), V21: Ocpp201()},
)


async def _target(charger: Charger) -> tuple[Dialect, Send]:
    """The station's dialect and a ``send`` to it (:func:`sender`).

    Raises:
        StationNotConnected.
    """
    return DIALECTS[await charger.link.version_of(charger.identity)], sender(charger)


def _reporter(charger: Charger, send: Send) -> Reporter:
    """Asks for a device-model report (2.0.1 GetBaseReport B07, GetReport B08) and collects
    its NotifyReport parts, which the station's handlers hand to ``link.reports``
    (``command_state.py``).

    The report is None (so the caller asks by name) when the station does not support it or
    answers the request with a CALLERROR; [] for EmptyResultSet.

    Raises:
        StationDidNotAnswer: the report did not complete within the command timeout.
    """

    async def report(action: str, payload: Payload) -> list[Payload] | None:
        try:
            answer, parts = await ask_for_parts(charger, send, action, payload, "NotifyReport")
        except StationRefused:
            return None
        if parts is None:
            return [] if answer["status"] == "EmptyResultSet" else None
        return [item for part in parts for item in part.get("reportData", [])]

    return report


# -- the commands ----------------------------------------------------------------------------


async def reset(charger: Charger, kind: ResetType, evse_id: int | None = None) -> Result:
    """Reset the station, or (2.0.1) one EVSE of it.

    Raises:
        InvalidCommand: an EVSE of a 1.6 station.
    """
    dialect, send = await _target(charger)
    status = await dialect.reset(send, kind, evse_id)
    result: Result = {
        "message": f"{kind} reset {outcome(status)}",
        "chargeBoxId": charger.identity,
        "type": kind,
        "status": snake(status),
    }
    if evse_id is not None:
        result["evseId"] = evse_id
    return result


_UNLOCK_MESSAGES: Mapping[str, str] = {
    "Unlocked": "Connector unlocked successfully",
    "UnlockFailed": "Connector unlock failed",
    "NotSupported": "Connector unlock not supported by charger",
    "OngoingAuthorizedTransaction": "Connector not unlocked: an authorized transaction is ongoing",
    "UnknownConnector": "Connector unknown to charger",
}


async def unlock(charger: Charger, connector_id: int) -> Result:
    dialect, send = await _target(charger)
    status = await dialect.unlock(send, connector_id)
    return {
        "message": _UNLOCK_MESSAGES.get(status, f"Connector unlock answered {status}"),
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "status": snake(status),
    }


async def clear_cache(charger: Charger) -> Result:
    _, send = await _target(charger)  # ClearCache is the same call in every version
    status = str((await send("ClearCache", {}))["status"])
    accepted = status == "Accepted"
    return {
        "message": "Cache cleared successfully" if accepted else f"Cache clear {outcome(status)}",
        "chargeBoxId": charger.identity,
        "status": snake(status),
    }


async def trigger(
    charger: Charger, requested: TriggerableMessage, connector_id: int | None
) -> Result:
    dialect, send = await _target(charger)
    status = await dialect.trigger(send, requested, connector_id)
    return {
        "message": f"{requested} trigger {outcome(status)}",
        "chargeBoxId": charger.identity,
        "requestedMessage": requested,
        "connectorId": connector_id,
        "status": snake(status),
    }


async def change_availability(
    charger: Charger, connector_id: int, kind: AvailabilityType
) -> Result:
    dialect, send = await _target(charger)
    status = await dialect.change_availability(send, connector_id, kind)
    return {
        "message": f"Availability change to {kind} {outcome(status)}",
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "type": kind,
        "status": snake(status),
    }


async def get_configuration(charger: Charger, keys: Sequence[str]) -> Result:
    dialect, send = await _target(charger)
    known, unknown = await dialect.get_configuration(send, list(keys), _reporter(charger, send))
    return {"chargeBoxId": charger.identity, "configurationKey": known, "unknownKey": unknown}


_CHANGE_MESSAGES: Mapping[str, str] = {
    "Accepted": "Configuration changed successfully",
    "RebootRequired": "Configuration changed; the charger must reboot",
    "Rejected": "Configuration change rejected by charger",
    "NotSupported": "Configuration key not supported by charger",
}


async def change_configuration(charger: Charger, key: str, value: str) -> Result:
    dialect, send = await _target(charger)
    try:
        status = await dialect.change_configuration(send, key, value)
        message = _CHANGE_MESSAGES[status]
    except UnknownConfigurationKey:
        # The answer configuration/get gives the same key (unknownKey), in this endpoint's
        # words: a 1.6 station answers an unknown key NotSupported (1.6 section 6.2).
        status, message = "NotSupported", "Configuration key unknown to the charger's OCPP version"
    return {
        "chargeBoxId": charger.identity,
        "key": key,
        "value": value,
        "status": status,
        "message": message,
    }


async def update_firmware(
    charger: Charger,
    location: str,
    retrieve_date: datetime,
    retries: int | None,
    retry_interval: int | None,
    signed: SignedFirmware | None = None,
    install_date: datetime | None = None,
) -> Result:
    """Have the station download and install the firmware at ``location``; ``signed``: a
    secure update; ``install_date``: when to install it (2.0.1 only).

    Raises:
        InvalidCommand: an install date for a 1.6 station.
    """
    dialect, send = await _target(charger)
    options = retry_options(retries, retry_interval)
    install = None if install_date is None else iso(install_date)
    status = await dialect.update_firmware(
        send, location, iso(retrieve_date), options, signed, install
    )
    return {
        "message": f"Firmware update {outcome(status)}",
        "chargeBoxId": charger.identity,
        "location": location,
        "retrieveDate": iso(retrieve_date),
        "status": snake(status),
    }


async def get_diagnostics(
    charger: Charger,
    location: str,
    start_time: datetime | None,
    stop_time: datetime | None,
    retries: int | None,
    retry_interval: int | None,
    *,
    log_type: LogType | None = None,
) -> Result:
    """Have the station upload its diagnostics (1.6 GetDiagnostics), or the log of
    ``log_type`` (GetLog: 2.0.1 N01, the 1.6 security extension)."""
    dialect, send = await _target(charger)
    window = {
        name: iso(moment)
        for name, moment in (("startTime", start_time), ("stopTime", stop_time))
        if moment is not None
    }
    status, file_name = await dialect.get_diagnostics(
        send, location, window, retry_options(retries, retry_interval), log_type
    )
    return {
        "message": f"Diagnostics upload {outcome(status)}",
        "chargeBoxId": charger.identity,
        "location": location,
        "fileName": file_name,
        "status": snake(status),
    }


_TRANSFER_MESSAGES: Mapping[str, str] = {
    "Accepted": "DataTransfer accepted by charger",
    "Rejected": "DataTransfer rejected by charger",
    "UnknownMessageId": "DataTransfer messageId unknown to charger",
    "UnknownVendorId": "DataTransfer vendorId unknown to charger",
}


async def data_transfer(
    charger: Charger,
    transfers: DataTransferRepository,
    vendor_id: str,
    message_id: str | None,
    data: str | None,
) -> Result:
    """Send DataTransfer and record it in the history with the answer (a transfer that went
    out and got no answer is kept without one). A transfer refused before it went out
    (invalid for the station's version, a frame over the limit, a station whose boot was
    rejected) is not recorded: the frame log and the history keep what was sent, once each."""
    _, send = await _target(charger)
    payload: Payload = {"vendorId": vendor_id}
    if message_id is not None:
        payload["messageId"] = message_id
    if data is not None:
        payload["data"] = data
    sent_at = utc_now()
    try:
        answer = await send("DataTransfer", payload)
    except (OcppError, StationRejected):
        raise  # nothing was sent
    except Exception:
        await transfers.record(
            charger.identity,
            direction=Direction.OUTGOING,
            vendor_id=vendor_id,
            message_id=message_id,
            data=data,
            at=sent_at,
        )
        raise
    status: str = answer["status"]
    response_data = as_text(answer.get("data"))
    await transfers.record(
        charger.identity,
        direction=Direction.OUTGOING,
        vendor_id=vendor_id,
        message_id=message_id,
        data=data,
        response_status=status,
        response_data=response_data,
        at=sent_at,
    )
    return {
        "message": _TRANSFER_MESSAGES.get(status, f"DataTransfer answered {status}"),
        "chargeBoxId": charger.identity,
        "vendorId": vendor_id,
        "messageId": message_id,
        "status": status,
        "responseData": response_data,
    }


async def data_transfer_history(
    transfers: DataTransferRepository, charge_box_id: str, limit: int, cut_at: int | None = None
) -> Result:
    """The station's transfers, newest first; ``data`` and ``responseData`` longer than
    ``cut_at`` characters are cut and the item marked ``truncated`` (read it whole with
    :func:`data_transfer_item`)."""
    rows = await transfers.listing(charge_box_id, limit, cut_at=cut_at)
    items = [
        {
            "id": row.id,
            "direction": row.direction,
            "vendorId": row.vendor_id,
            "messageId": row.message_id,
            "data": row.data,
            "responseStatus": row.response_status,
            "responseData": row.response_data,
            "createdAt": millis(row.created_at),
            "truncated": row.truncated,
        }
        for row in rows
    ]
    return {"chargeBoxId": charge_box_id, "dataTransfers": items, "count": len(items)}


async def data_transfer_item(
    transfers: DataTransferRepository, charge_box_id: str, transfer_id: str
) -> Result:
    """One of the station's transfers, whole.

    Raises:
        NotFoundError: no such station, or no such transfer of it.
    """
    row = await transfers.get(charge_box_id, transfer_id)
    if row is None:
        raise NotFoundError("data transfer", transfer_id, f"of charger {charge_box_id}")
    return {
        "id": row.id,
        "direction": row.direction,
        "vendorId": row.vendor_id,
        "messageId": row.message_id,
        "data": row.data,
        "responseStatus": row.response_status,
        "responseData": row.response_data,
        "createdAt": millis(row.created_at),
        # Whole, unless the store kept only the beginning (``store/payload_cap.py``).
        "truncated": any(
            text is not None and stored_extent(text)[0] for text in (row.data, row.response_data)
        ),
    }
