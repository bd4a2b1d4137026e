"""What the replay's station answers a CALL of the central system that the trace cannot
predict (the trace holds no answer to a CALL of that action): a generic answer per action,
one table per version.

Each answer is what a station that acts on nothing outside the trace may honestly say: it
accepts what changes nothing the replay sends (a reset, a configuration, an availability), and
refuses what would make it send messages the trace does not hold (a remote start, a triggered
message). An action not in the table is answered NotImplemented (OCPP-J 4.2.3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chargeyard.protocol import V16, V21, V201, VersionTable

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def _status(status: str) -> Answer:
    return lambda payload: {"status": status}


def _get_configuration(payload: dict[str, Any]) -> dict[str, Any]:
    # 1.6 5.8: asked keys the station does not know are its unknownKey.
    asked = payload.get("key") or []
    return {"configurationKey": [], "unknownKey": list(asked)} if asked else {}


def _get_variables(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "getVariableResult": [
            {
                "attributeStatus": "UnknownComponent",
                "component": item.get("component", {}),
                "variable": item.get("variable", {}),
            }
            for item in payload.get("getVariableData", [])
        ]
    }


def _set_variables(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "setVariableResult": [
            {
                "attributeStatus": "Rejected",
                "component": item.get("component", {}),
                "variable": item.get("variable", {}),
            }
            for item in payload.get("setVariableData", [])
        ]
    }


_V16: Mapping[str, Answer] = {
    "CancelReservation": _status("Rejected"),
    "ChangeAvailability": _status("Accepted"),
    "ChangeConfiguration": _status("Accepted"),
    "ClearCache": _status("Accepted"),
    "ClearChargingProfile": _status("Unknown"),
    "DataTransfer": _status("UnknownVendorId"),
    "GetCompositeSchedule": _status("Rejected"),
    "GetConfiguration": _get_configuration,
    "GetDiagnostics": lambda payload: {},
    "GetLocalListVersion": lambda payload: {"listVersion": 0},
    "RemoteStartTransaction": _status("Rejected"),
    "RemoteStopTransaction": _status("Rejected"),
    "ReserveNow": _status("Rejected"),
    "Reset": _status("Accepted"),
    "SendLocalList": _status("NotSupported"),
    "SetChargingProfile": _status("Rejected"),
    "TriggerMessage": _status("Rejected"),
    "UnlockConnector": _status("NotSupported"),
    "UpdateFirmware": lambda payload: {},
}

_V201: Mapping[str, Answer] = {
    "CancelReservation": _status("Rejected"),
    "ChangeAvailability": _status("Accepted"),
    "ClearCache": _status("Accepted"),
    "ClearChargingProfile": _status("Unknown"),
    "DataTransfer": _status("UnknownVendorId"),
    "GetBaseReport": _status("NotSupported"),
    "GetCompositeSchedule": _status("Rejected"),
    "GetLocalListVersion": lambda payload: {"versionNumber": 0},
    "GetLog": _status("Rejected"),
    "GetTransactionStatus": lambda payload: {"messagesInQueue": False},
    "GetVariables": _get_variables,
    "RequestStartTransaction": _status("Rejected"),
    "RequestStopTransaction": _status("Rejected"),
    "ReserveNow": _status("Rejected"),
    "Reset": _status("Accepted"),
    "SendLocalList": _status("Failed"),
    "SetChargingProfile": _status("Rejected"),
    "SetVariables": _set_variables,
    "TriggerMessage": _status("Rejected"),
    "UnlockConnector": _status("UnknownConnector"),
    "UpdateFirmware": _status("Rejected"),
}

GENERIC_ANSWERS: VersionTable[Mapping[str, Answer]] = VersionTable(
    "the replay's answers to CALLs a trace cannot predict",
    {V16: _V16, V201: _V201},
    lacking={V21: "no 2.1 trace is replayed yet"},
)
