"""The commands in OCPP 2.0.1's words (2.1 says them the same way).

Configuration keys name a device-model variable (2.0.1 part 1, section 4). A common OCPP 1.6
key names its 2.0.1 counterpart (``protocol/configuration_keys.py``: ``HeartbeatInterval`` is
OCPPCommCtrlr.HeartbeatInterval, ``MeterValueSampleInterval`` SampledDataCtrlr.TxUpdatedInterval,
...), and the answer keeps the key as it was sent; any other variable is named
``Component.Variable``, qualified where the variable needs it::

    OCPPCommCtrlr.HeartbeatInterval              a plain component and variable
    DeviceDataCtrlr.ItemsPerMessage[GetReport]   a variable instance
    EVSE@1.AvailabilityState                     a component on EVSE 1
    Connector@1:1.AvailabilityState              ... on EVSE 1, connector 1
    FiscalMetering[2].Enabled                    a component instance

``configuration/get`` answers from a device-model report, which carries each variable's Actual
value and its mutability (``readonly``): ``{}`` asks for the station's whole device model
(GetBaseReport FullInventory, B07), keys for the report of those variables (GetReport with
componentVariable, B08; a key it does not list is unknown). A station that gives no report
(NotSupported, or a CALLERROR such as NotImplemented) is asked with GetVariables instead, for
the keys or for :data:`STANDARD_VARIABLES_201`; GetVariables does not report mutability, so
those answers say ``readonly`` false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from chargeyard.csms.commands.awaited import new_request_id
from chargeyard.csms.commands.base import (
    STANDARD_VARIABLES_201,
    AvailabilityType,
    ConfigurationStatus,
    LogType,
    Reporter,
    ResetType,
    Result,
    Send,
    SignedFirmware,
    TriggerableMessage,
    UnknownConfigurationKey,
)
from chargeyard.protocol import Payload
from chargeyard.protocol.configuration_keys import VARIABLES_OF_16_KEYS

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
    "DiagnosticsStatusNotification": "LogStatusNotification",
    "SignChargePointCertificate": "SignChargingStationCertificate",  # A02
}


_NAME = r"[^.\[\]@:]+"
_KEY = re.compile(
    rf"(?P<component>{_NAME})(?:\[(?P<component_instance>[^\]]+)\])?"
    r"(?:@(?P<evse>\d+)(?::(?P<connector>\d+))?)?"
    rf"\.(?P<variable>{_NAME})(?:\[(?P<variable_instance>[^\]]+)\])?"
)


def _component_variable(key: str) -> Payload | None:
    """``"OCPPCommCtrlr.HeartbeatInterval"`` (or a qualified key, see the module's docstring)
    -> the GetVariableData / SetVariableData target; None for a key that is neither."""
    found = _KEY.fullmatch(key)
    if found is None:
        return None
    component: Payload = {"name": found["component"]}
    if found["component_instance"] is not None:
        component["instance"] = found["component_instance"]
    if found["evse"] is not None:
        component["evse"] = {"id": int(found["evse"])}
        if found["connector"] is not None:
            component["evse"]["connectorId"] = int(found["connector"])
    variable: Payload = {"name": found["variable"]}
    if found["variable_instance"] is not None:
        variable["instance"] = found["variable_instance"]
    return {"component": component, "variable": variable}


def _target(key: str) -> Payload | None:
    """The variable a configuration key names: a 1.6 key with a 2.0.1 counterpart
    (``protocol/configuration_keys.py``: ``HeartbeatInterval`` is
    OCPPCommCtrlr.HeartbeatInterval), else ``Component.Variable``; None for neither."""
    counterpart = VARIABLES_OF_16_KEYS.get(key)
    return _component_variable(key if counterpart is None else counterpart.key)


def _key(component: Payload, variable: Payload) -> str:
    """The configuration key of a ComponentType and VariableType: the inverse of
    :func:`_component_variable`."""
    key = component["name"]
    if "instance" in component:
        key += f"[{component['instance']}]"
    if "evse" in component:
        key += f"@{component['evse']['id']}"
        if "connectorId" in component["evse"]:
            key += f":{component['evse']['connectorId']}"
    key += f".{variable['name']}"
    if "instance" in variable:
        key += f"[{variable['instance']}]"
    return str(key)


def _reported_configuration(report: list[Payload]) -> list[Result]:
    """Every variable of a device-model report with an Actual value (ReportDataType, B07):
    its key, its value and whether it is read-only (mutability, ReadWrite when absent)."""
    known = []
    for item in report:
        for attribute in item["variableAttribute"]:
            if attribute.get("type", "Actual") != "Actual":
                continue
            known.append(
                {
                    "key": _key(item["component"], item["variable"]),
                    "readonly": attribute.get("mutability", "ReadWrite") == "ReadOnly",
                    "value": attribute.get("value"),
                }
            )
    return known


class Ocpp201:
    """OCPP 2.0.1 and 2.1."""

    async def reset(self, send: Send, kind: ResetType, evse_id: int | None = None) -> str:
        payload: Payload = {"type": _RESET_201[kind]}
        if evse_id is not None:  # B11/B12: one EVSE, not the station
            payload["evseId"] = evse_id
        return str((await send("Reset", payload))["status"])

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
        self, send: Send, keys: list[str], report: Reporter
    ) -> tuple[list[Result], list[str]]:
        if not keys:
            everything = await report("GetBaseReport", {"reportBase": "FullInventory"})
            if everything is not None:
                return _reported_configuration(everything), []
        wanted = keys or list(STANDARD_VARIABLES_201)
        targets = {key: _target(key) for key in wanted}
        unknown = [key for key, target in targets.items() if target is None]
        # The keys the user sent, by the name of the variable each asks for: the answer
        # speaks in the user's words (a 1.6 key stays a 1.6 key).
        asked_as: dict[str, list[str]] = {}
        asked: list[Payload] = []
        for key, target in targets.items():
            if target is not None:
                name = _key(target["component"], target["variable"])
                if name not in asked_as:
                    asked.append(target)
                asked_as.setdefault(name, []).append(key)
        known: list[Result] = []
        if asked and keys:
            reported = await report("GetReport", {"componentVariable": asked})
            if reported is not None:
                found = {item["key"]: item for item in _reported_configuration(reported)}
                for key, target in targets.items():
                    if target is None:
                        continue
                    item = found.get(_key(target["component"], target["variable"]))
                    if item is None:
                        unknown.append(key)
                    else:
                        known.append({**item, "key": key})
                return known, unknown
        if asked:
            answer = await send("GetVariables", {"getVariableData": asked})
            for result in answer["getVariableResult"]:
                name = _key(result["component"], result["variable"])
                for key in asked_as.get(name, [name]):
                    if result["attributeStatus"] == "Accepted":
                        value = result.get("attributeValue")
                        known.append({"key": key, "readonly": False, "value": value})
                    else:
                        unknown.append(key)
        return known, unknown

    async def change_configuration(self, send: Send, key: str, value: str) -> str:
        target = _target(key)
        if target is None:
            raise UnknownConfigurationKey(key)
        answer = await send(
            "SetVariables", {"setVariableData": [{**target, "attributeValue": value}]}
        )
        return _SET_STATUS_201[answer["setVariableResult"][0]["attributeStatus"]]

    async def update_firmware(
        self,
        send: Send,
        location: str,
        retrieve: str,
        options: Payload,
        signed: SignedFirmware | None = None,
        install: str | None = None,
    ) -> str:
        firmware = {"location": location, "retrieveDateTime": retrieve}
        if install is not None:  # L01: install at this time, not once downloaded
            firmware["installDateTime"] = install
        if signed is not None:  # L01, L01.FR.11; without: L02
            firmware["signingCertificate"] = signed.signing_certificate
            firmware["signature"] = signed.signature
        payload = {"requestId": new_request_id(), "firmware": firmware, **options}
        return str((await send("UpdateFirmware", payload))["status"])

    async def get_diagnostics(
        self,
        send: Send,
        location: str,
        window: Payload,
        options: Payload,
        log_type: LogType | None = None,
    ) -> tuple[str, str | None]:
        return await get_log(send, log_type or "DiagnosticsLog", location, window, options)


async def get_log(
    send: Send, log_type: LogType, location: str, window: Payload, options: Payload
) -> tuple[str, str | None]:
    """GetLog of ``log_type`` to ``location`` (2.0.1 N01; the 1.6 security extension's is the
    same message) for the ``window`` of a diagnostics command (startTime, stopTime): the
    station's status and the file it names."""
    log: Payload = {"remoteLocation": location}
    if "startTime" in window:
        log["oldestTimestamp"] = window["startTime"]
    if "stopTime" in window:
        log["latestTimestamp"] = window["stopTime"]
    payload = {"logType": log_type, "requestId": new_request_id(), "log": log, **options}
    answer = await send("GetLog", payload)
    return str(answer["status"]), answer.get("filename")
