"""The commands in OCPP 2.0.1's words (2.1 says them the same way)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from chargeyard.csms.commands.base import (
    STANDARD_VARIABLES_201,
    AvailabilityType,
    ConfigurationStatus,
    InvalidCommand,
    ResetType,
    Result,
    Send,
    TriggerableMessage,
)
from chargeyard.protocol import Payload

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


class Ocpp201:
    """OCPP 2.0.1 and 2.1."""

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
