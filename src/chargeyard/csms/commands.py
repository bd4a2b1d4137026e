"""Commands an operator sends to a connected station, whatever OCPP version it speaks.

Theory of operation
-------------------
Each public function (``reset``, ``unlock``, ...) takes a :class:`Charger` (the registry, the
station's identity, the call timeout) and the request's fields, sends the OCPP call that means
that command in the station's version, and returns the answer in the shape of the command API
(``docs: csms-charger-commands``). The version is looked up once per command, in
:data:`_DIALECTS`: one :class:`_Dialect` per version builds the request and reads the answer, so
no code here branches on a version string. 2.1 speaks like 2.0.1 for every command here.

OCPP 1.6 -> 2.0.1 (part 2 section numbers in brackets):

==================  ===============================  ==========================================
command             1.6                              2.0.1 / 2.1
==================  ===============================  ==========================================
reset               Reset Soft / Hard                Reset OnIdle / Immediate (B11, B12)
unlock              UnlockConnector connectorId N    UnlockConnector evseId N, connectorId 1 (F05)
cache/clear         ClearCache                       ClearCache (C11)
trigger             TriggerMessage, connectorId      TriggerMessage, evse {id} (F06);
                                                     DiagnosticsStatusNotification ->
                                                     LogStatusNotification
availability        ChangeAvailability type          ChangeAvailability operationalStatus;
                                                     connector 0 -> no evse, N -> evse {id: N}
                                                     (G03, G04)
configuration/get   GetConfiguration                 GetVariables, keys "Component.Variable"
                                                     (B06)
config.../change    ChangeConfiguration              SetVariables (B05); attributeStatus
                                                     Unknown*/NotSupportedAttributeType ->
                                                     NotSupported
firmware/update     UpdateFirmware                   UpdateFirmware {requestId, firmware} (L01)
diagnostics         GetDiagnostics                   GetLog DiagnosticsLog (N01)
data-transfer       DataTransfer                     DataTransfer (P01)
==================  ===============================  ==========================================

1.6 connector N is 2.0.1 EVSE N connector 1: true of the one-connector EVSEs our catalog
simulates and of most AC and DC chargers; a station with several connectors per EVSE needs the
2.0.1 API that is not part of this command set. GetVariables cannot list every variable, so
``configuration/get`` with no keys asks a 2.0.1 station for :data:`STANDARD_VARIABLES_201` (the
counterparts of the common 1.6 keys); GetVariables does not report mutability, so ``readonly``
is false for 2.0.1 answers.

Statuses: reset, unlock, cache, trigger, availability, firmware and diagnostics answer in
lower case with underscores (``accepted``, ``unlock_failed``), as the API shows for reset;
configuration/change and data-transfer keep the station's spelling (``Accepted``).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from chargeyard.csms.registry import Registry
from chargeyard.protocol import V16, V21, V201, MalformedCallResult, Payload
from chargeyard.store.models import Direction
from chargeyard.store.repositories import DataTransferRepository, StationRepository

ResetType = Literal["Soft", "Hard"]
AvailabilityType = Literal["Operative", "Inoperative"]
TriggerableMessage = Literal[
    "BootNotification",
    "Heartbeat",
    "MeterValues",
    "StatusNotification",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
]
ConfigurationStatus = Literal["Accepted", "RebootRequired", "Rejected", "NotSupported"]
Result = dict[str, Any]
Send = Callable[[str, Payload], Awaitable[Payload]]

# Answered to ``configuration/get {}`` by a 2.0.1 station (OCPP 2.0.1 part 2, appendix 3).
STANDARD_VARIABLES_201: tuple[str, ...] = (
    "OCPPCommCtrlr.HeartbeatInterval",
    "SampledDataCtrlr.TxUpdatedInterval",
    "AlignedDataCtrlr.Interval",
    "TxCtrlr.EVConnectionTimeOut",
    "AuthCtrlr.AuthorizeRemoteStart",
    "AuthCacheCtrlr.Enabled",
    "LocalAuthListCtrlr.Enabled",
)


class UnknownStation(Exception):
    """No station with this chargeBoxId is registered."""

    def __init__(self, charge_box_id: str) -> None:
        super().__init__(f"charger {charge_box_id} not found")
        self.charge_box_id = charge_box_id


class InvalidCommand(Exception):
    """The request cannot be expressed in the station's OCPP version."""


class StationAnsweredBadly(Exception):
    """The station's answer broke the frame format or the action's response schema (the
    registry lets :class:`MalformedCallResult` through; here it gets the station's name)."""

    def __init__(self, charge_box_id: str, action: str, description: str) -> None:
        super().__init__(
            f"charger {charge_box_id} answered {action} with an invalid payload: {description}"
        )
        self.charge_box_id = charge_box_id


@dataclass(frozen=True, slots=True)
class Charger:
    """The station a command goes to: its identity, the registry holding its connection and
    the seconds to wait for its answer (None: the registry's default)."""

    registry: Registry
    identity: str
    timeout: float | None = None


def _target(charger: Charger) -> tuple[_Dialect, Send]:
    """The station's dialect and a ``send`` to it.

    Raises:
        StationNotConnected. ``send`` raises what :meth:`Registry.call` does, and
        StationAnsweredBadly for an answer that breaks its schema.
    """
    dialect = _DIALECTS[charger.registry.version_of(charger.identity).name]

    async def send(action: str, payload: Payload) -> Payload:
        try:
            return await charger.registry.call(charger.identity, action, payload, charger.timeout)
        except MalformedCallResult as error:
            raise StationAnsweredBadly(charger.identity, action, error.description) from None

    return dialect, send


async def require_station(stations: StationRepository, charge_box_id: str) -> None:
    """Raises: UnknownStation: ``charge_box_id`` is not a registered station."""
    if await stations.get(charge_box_id) is None:
        raise UnknownStation(charge_box_id)


def iso(moment: datetime) -> str:
    """``moment`` in UTC as the wire writes it: ``2026-02-10T14:00:00Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _snake(status: str) -> str:
    """``UnlockFailed`` -> ``unlock_failed``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", status).lower()


# How a message ends for each status a command's answer can carry.
_OUTCOMES: Mapping[str, str] = {
    "Accepted": "accepted by charger",
    "Rejected": "rejected by charger",
    "Scheduled": "scheduled by charger",
    "NotImplemented": "not implemented by charger",
    "AcceptedCanceled": "accepted by charger, which canceled the one in progress",
    "InvalidCertificate": "rejected by charger: invalid certificate",
    "RevokedCertificate": "rejected by charger: revoked certificate",
}


def _outcome(status: str) -> str:
    """``"Rejected"`` -> ``"rejected by charger"``."""
    return _OUTCOMES.get(status, f"answered {status} by charger")


# -- the commands ----------------------------------------------------------------------------


async def reset(charger: Charger, kind: ResetType) -> Result:
    dialect, send = _target(charger)
    status = await dialect.reset(send, kind)
    return {
        "message": f"{kind} reset {_outcome(status)}",
        "chargeBoxId": charger.identity,
        "type": kind,
        "status": _snake(status),
    }


_UNLOCK_MESSAGES: Mapping[str, str] = {
    "Unlocked": "Connector unlocked successfully",
    "UnlockFailed": "Connector unlock failed",
    "NotSupported": "Connector unlock not supported by charger",
    "OngoingAuthorizedTransaction": "Connector not unlocked: an authorized transaction is ongoing",
    "UnknownConnector": "Connector unknown to charger",
}


async def unlock(charger: Charger, connector_id: int) -> Result:
    dialect, send = _target(charger)
    status = await dialect.unlock(send, connector_id)
    return {
        "message": _UNLOCK_MESSAGES.get(status, f"Connector unlock answered {status}"),
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "status": _snake(status),
    }


async def clear_cache(charger: Charger) -> Result:
    _, send = _target(charger)  # ClearCache is the same call in every version
    status = str((await send("ClearCache", {}))["status"])
    accepted = status == "Accepted"
    return {
        "message": "Cache cleared successfully" if accepted else f"Cache clear {_outcome(status)}",
        "chargeBoxId": charger.identity,
        "status": _snake(status),
    }


async def trigger(
    charger: Charger, requested: TriggerableMessage, connector_id: int | None
) -> Result:
    dialect, send = _target(charger)
    status = await dialect.trigger(send, requested, connector_id)
    return {
        "message": f"{requested} trigger {_outcome(status)}",
        "chargeBoxId": charger.identity,
        "requestedMessage": requested,
        "connectorId": connector_id,
        "status": _snake(status),
    }


async def change_availability(
    charger: Charger, connector_id: int, kind: AvailabilityType
) -> Result:
    dialect, send = _target(charger)
    status = await dialect.change_availability(send, connector_id, kind)
    return {
        "message": f"Availability change to {kind} {_outcome(status)}",
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "type": kind,
        "status": _snake(status),
    }


async def get_configuration(charger: Charger, keys: Sequence[str]) -> Result:
    dialect, send = _target(charger)
    known, unknown = await dialect.get_configuration(send, list(keys))
    return {"chargeBoxId": charger.identity, "configurationKey": known, "unknownKey": unknown}


_CHANGE_MESSAGES: Mapping[str, str] = {
    "Accepted": "Configuration changed successfully",
    "RebootRequired": "Configuration changed; the charger must reboot",
    "Rejected": "Configuration change rejected by charger",
    "NotSupported": "Configuration key not supported by charger",
}


async def change_configuration(charger: Charger, key: str, value: str) -> Result:
    dialect, send = _target(charger)
    status = await dialect.change_configuration(send, key, value)
    return {
        "chargeBoxId": charger.identity,
        "key": key,
        "value": value,
        "status": status,
        "message": _CHANGE_MESSAGES[status],
    }


async def update_firmware(
    charger: Charger,
    location: str,
    retrieve_date: datetime,
    retries: int | None,
    retry_interval: int | None,
) -> Result:
    dialect, send = _target(charger)
    options = _retry_options(retries, retry_interval)
    status = await dialect.update_firmware(send, location, iso(retrieve_date), options)
    return {
        "message": f"Firmware update {_outcome(status)}",
        "chargeBoxId": charger.identity,
        "location": location,
        "retrieveDate": iso(retrieve_date),
        "status": _snake(status),
    }


async def get_diagnostics(
    charger: Charger,
    location: str,
    start_time: datetime | None,
    stop_time: datetime | None,
    retries: int | None,
    retry_interval: int | None,
) -> Result:
    dialect, send = _target(charger)
    window = {
        name: iso(moment)
        for name, moment in (("startTime", start_time), ("stopTime", stop_time))
        if moment is not None
    }
    status, file_name = await dialect.get_diagnostics(
        send, location, window, _retry_options(retries, retry_interval)
    )
    return {
        "message": f"Diagnostics upload {_outcome(status)}",
        "chargeBoxId": charger.identity,
        "location": location,
        "fileName": file_name,
        "status": _snake(status),
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
    """Send DataTransfer and record it, with the answer once it comes (a transfer that gets
    no answer stays in the history without one)."""
    _, send = _target(charger)
    payload: Payload = {"vendorId": vendor_id}
    if message_id is not None:
        payload["messageId"] = message_id
    if data is not None:
        payload["data"] = data
    record = await transfers.record(
        charger.identity,
        direction=Direction.OUTGOING,
        vendor_id=vendor_id,
        message_id=message_id,
        data=data,
    )
    answer = await send("DataTransfer", payload)
    status: str = answer["status"]
    response_data = _as_text(answer.get("data"))
    await transfers.set_response(record.id, status, response_data)
    return {
        "message": _TRANSFER_MESSAGES.get(status, f"DataTransfer answered {status}"),
        "chargeBoxId": charger.identity,
        "vendorId": vendor_id,
        "messageId": message_id,
        "status": status,
        "responseData": response_data,
    }


async def data_transfer_history(
    transfers: DataTransferRepository, charge_box_id: str, limit: int
) -> Result:
    rows = await transfers.history(charge_box_id, limit)
    items = [
        {
            "id": row.id,
            "direction": row.direction,
            "vendorId": row.vendor_id,
            "messageId": row.message_id,
            "data": row.data,
            "responseStatus": row.response_status,
            "responseData": row.response_data,
            "createdAt": _millis(row.created_at),
        }
        for row in rows
    ]
    return {"chargeBoxId": charge_box_id, "dataTransfers": items, "count": len(items)}


def _millis(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _as_text(data: object) -> str | None:
    """1.6 data is a string; 2.0.1's may be any JSON value, given here as JSON text."""
    if data is None or isinstance(data, str):
        return data
    return json.dumps(data, separators=(",", ":"))


def _retry_options(retries: int | None, retry_interval: int | None) -> Payload:
    options: Payload = {}
    if retries is not None:
        options["retries"] = retries
    if retry_interval is not None:
        options["retryInterval"] = retry_interval
    return options


# -- one dialect per version -----------------------------------------------------------------


class _Dialect(Protocol):
    """How one OCPP version says each command and what its answer means. Methods return the
    station's status as it spelled it (``configuration`` answers in the API's four statuses)."""

    async def reset(self, send: Send, kind: ResetType) -> str: ...
    async def unlock(self, send: Send, connector_id: int) -> str: ...
    async def trigger(
        self, send: Send, requested: TriggerableMessage, connector_id: int | None
    ) -> str: ...
    async def change_availability(
        self, send: Send, connector_id: int, kind: AvailabilityType
    ) -> str: ...
    async def get_configuration(
        self, send: Send, keys: list[str]
    ) -> tuple[list[Result], list[str]]: ...
    async def change_configuration(self, send: Send, key: str, value: str) -> str: ...
    async def update_firmware(
        self, send: Send, location: str, retrieve: str, options: Payload
    ) -> str: ...
    async def get_diagnostics(
        self, send: Send, location: str, window: Payload, options: Payload
    ) -> tuple[str, str | None]: ...


class _Ocpp16:
    async def reset(self, send: Send, kind: ResetType) -> str:
        return str((await send("Reset", {"type": kind}))["status"])

    async def unlock(self, send: Send, connector_id: int) -> str:
        return str((await send("UnlockConnector", {"connectorId": connector_id}))["status"])

    async def trigger(
        self, send: Send, requested: TriggerableMessage, connector_id: int | None
    ) -> str:
        payload: Payload = {"requestedMessage": requested}
        if connector_id is not None:
            payload["connectorId"] = connector_id
        return str((await send("TriggerMessage", payload))["status"])

    async def change_availability(
        self, send: Send, connector_id: int, kind: AvailabilityType
    ) -> str:
        payload = {"connectorId": connector_id, "type": kind}
        return str((await send("ChangeAvailability", payload))["status"])

    async def get_configuration(
        self, send: Send, keys: list[str]
    ) -> tuple[list[Result], list[str]]:
        answer = await send("GetConfiguration", {"key": keys} if keys else {})
        known = [
            {"key": item["key"], "readonly": item["readonly"], "value": item.get("value")}
            for item in answer.get("configurationKey", [])
        ]
        return known, list(answer.get("unknownKey", []))

    async def change_configuration(self, send: Send, key: str, value: str) -> str:
        return str((await send("ChangeConfiguration", {"key": key, "value": value}))["status"])

    async def update_firmware(
        self, send: Send, location: str, retrieve: str, options: Payload
    ) -> str:
        # The 1.6 answer is empty: the station acknowledges, then reports progress in
        # FirmwareStatusNotification (1.6 section 6.53).
        await send("UpdateFirmware", {"location": location, "retrieveDate": retrieve, **options})
        return "Accepted"

    async def get_diagnostics(
        self, send: Send, location: str, window: Payload, options: Payload
    ) -> tuple[str, str | None]:
        answer = await send("GetDiagnostics", {"location": location, **window, **options})
        # No fileName: the station has no diagnostics to upload (1.6 section 6.27).
        return "Accepted", answer.get("fileName")


# 2.0.1 SetVariables attributeStatus -> the API's statuses (B05).
_SET_STATUS_201: Mapping[str, ConfigurationStatus] = {
    "Accepted": "Accepted",
    "RebootRequired": "RebootRequired",
    "Rejected": "Rejected",
    "UnknownComponent": "NotSupported",
    "UnknownVariable": "NotSupported",
    "NotSupportedAttributeType": "NotSupported",
}
_RESET_201: Mapping[ResetType, str] = {"Soft": "OnIdle", "Hard": "Immediate"}
_TRIGGER_201: Mapping[TriggerableMessage, str] = {
    "DiagnosticsStatusNotification": "LogStatusNotification"
}


def _component_variable(key: str) -> Payload | None:
    """``"OCPPCommCtrlr.HeartbeatInterval"`` -> the GetVariableData / SetVariableData target."""
    component, dot, variable = key.partition(".")
    if not dot or not component or not variable:
        return None
    return {"component": {"name": component}, "variable": {"name": variable}}


class _Ocpp201:
    async def reset(self, send: Send, kind: ResetType) -> str:
        return str((await send("Reset", {"type": _RESET_201[kind]}))["status"])

    async def unlock(self, send: Send, connector_id: int) -> str:
        payload = {"evseId": connector_id, "connectorId": 1}
        return str((await send("UnlockConnector", payload))["status"])

    async def trigger(
        self, send: Send, requested: TriggerableMessage, connector_id: int | None
    ) -> str:
        payload: Payload = {"requestedMessage": _TRIGGER_201.get(requested, requested)}
        if connector_id:
            # F06: a triggered StatusNotification names the connector too.
            evse: Payload = {"id": connector_id}
            if requested == "StatusNotification":
                evse["connectorId"] = 1
            payload["evse"] = evse
        return str((await send("TriggerMessage", payload))["status"])

    async def change_availability(
        self, send: Send, connector_id: int, kind: AvailabilityType
    ) -> str:
        payload: Payload = {"operationalStatus": kind}
        if connector_id:
            payload["evse"] = {"id": connector_id}
        return str((await send("ChangeAvailability", payload))["status"])

    async def get_configuration(
        self, send: Send, keys: list[str]
    ) -> tuple[list[Result], list[str]]:
        wanted = keys or list(STANDARD_VARIABLES_201)
        targets = {key: _component_variable(key) for key in wanted}
        unknown = [key for key, target in targets.items() if target is None]
        asked = [target for target in targets.values() if target is not None]
        known: list[Result] = []
        if asked:
            answer = await send("GetVariables", {"getVariableData": asked})
            for result in answer["getVariableResult"]:
                key = f"{result['component']['name']}.{result['variable']['name']}"
                if result["attributeStatus"] == "Accepted":
                    value = result.get("attributeValue")
                    known.append({"key": key, "readonly": False, "value": value})
                else:
                    unknown.append(key)
        return known, unknown

    async def change_configuration(self, send: Send, key: str, value: str) -> str:
        target = _component_variable(key)
        if target is None:
            raise InvalidCommand(f"a 2.0.1 configuration key reads Component.Variable, not {key!r}")
        answer = await send(
            "SetVariables", {"setVariableData": [{**target, "attributeValue": value}]}
        )
        return _SET_STATUS_201[answer["setVariableResult"][0]["attributeStatus"]]

    async def update_firmware(
        self, send: Send, location: str, retrieve: str, options: Payload
    ) -> str:
        payload = {
            "requestId": _request_id(),
            "firmware": {"location": location, "retrieveDateTime": retrieve},
            **options,
        }
        return str((await send("UpdateFirmware", payload))["status"])

    async def get_diagnostics(
        self, send: Send, location: str, window: Payload, options: Payload
    ) -> tuple[str, str | None]:
        log: Payload = {"remoteLocation": location}
        if "startTime" in window:
            log["oldestTimestamp"] = window["startTime"]
        if "stopTime" in window:
            log["latestTimestamp"] = window["stopTime"]
        payload = {"logType": "DiagnosticsLog", "requestId": _request_id(), "log": log, **options}
        answer = await send("GetLog", payload)
        return str(answer["status"]), answer.get("filename")


def _request_id() -> int:
    return secrets.randbelow(2**31)


_DIALECTS: Mapping[str, _Dialect] = {
    V16.name: _Ocpp16(),
    V201.name: _Ocpp201(),
    V21.name: _Ocpp201(),
}
