"""OCPP 2.0.1 B09: SetNetworkProfile keeps a connection profile in a configuration slot, or
refuses what the station cannot use; NetworkConfigurationPriority names only slots that hold
one (B10.FR.02)."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import set_variable

PROFILE: dict[str, Any] = {
    "ocppVersion": "OCPP20",
    "ocppTransport": "JSON",
    "ocppCsmsUrl": "ws://csms.example.com:9000/ocpp",
    "messageTimeout": 30,
    "securityProfile": 1,
    "ocppInterface": "Wired0",
}


def _set(link: Link, slot: int = 1, **changes: Any) -> Payload:
    profile = {**PROFILE, **changes}
    return link.call_station(
        "SetNetworkProfile", {"configurationSlot": slot, "connectionData": profile}
    )


def _get(link: Link, component: str, variable: str) -> Payload:
    answer = link.call_station(
        "GetVariables",
        {"getVariableData": [{"component": {"name": component}, "variable": {"name": variable}}]},
    )
    result: Payload = answer["getVariableResult"][0]
    return result


def test_b09_a_profile_the_station_can_use_is_kept_in_its_slot(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    assert _set(online) == {"status": "Accepted"}  # B09.FR.01
    assert station.network.profiles == {1: PROFILE}
    assert online.csms.actions() == []  # nothing else happens: it is dialled after a reboot (B10)
    # A new profile for the slot replaces the old one.
    assert _set(online, messageTimeout=60) == {"status": "Accepted"}
    assert station.network.profiles[1]["messageTimeout"] == 60


def test_b09_the_slots_and_the_security_profile_are_in_the_device_model(online: Link) -> None:
    report = online.call_station(
        "GetReport",
        {
            "requestId": 1,
            "componentVariable": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "NetworkConfigurationPriority"},
                },
                {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "SecurityProfile"}},
            ],
        },
    )
    assert report == {"status": "Accepted"}
    [notify] = online.csms.payloads("NotifyReport")
    priority, security = notify["reportData"]
    assert priority["variableAttribute"] == [
        {
            "type": "Actual",
            "value": "0",
            "mutability": "ReadWrite",
            "persistent": True,
            "constant": False,
        }
    ]
    assert priority["variableCharacteristics"] == {
        "dataType": "SequenceList",
        "supportsMonitoring": True,
        "valuesList": "0,1",  # B09.FR.06: two slots
    }
    # Started without a password: no security profile of 2.0.1's, 0.
    assert security["variableAttribute"][0]["value"] == "0"


@pytest.mark.parametrize(
    ("slot", "changes", "reason"),
    [
        (2, {}, "InvalidSlot"),  # B09.FR.05: not in NetworkConfigurationPriority's valuesList
        (1, {"ocppVersion": "OCPP16"}, "UnsupportedVersion"),
        (1, {"ocppTransport": "SOAP"}, "UnsupportedTransport"),
        (1, {"securityProfile": 4}, "UnsupportedProfile"),  # A00 names 0 to 3
        (1, {"securityProfile": 2}, "InvalidURL"),  # TLS on a ws:// URL
        (1, {"securityProfile": 3}, "InvalidURL"),
        (1, {"ocppCsmsUrl": "wss://csms.example.com/ocpp"}, "InvalidURL"),  # profile 1 over TLS
        (1, {"securityProfile": 2, "ocppCsmsUrl": "ws://csms.example.com/ocpp"}, "InvalidURL"),
        (1, {"ocppCsmsUrl": "csms.example.com"}, "InvalidURL"),
        (1, {"ocppCsmsUrl": "ws://csms.example.com:ocpp/ocpp"}, "InvalidURL"),
        (1, {"ocppCsmsUrl": "ws://csms.example.com:0/ocpp"}, "InvalidURL"),
        (1, {"messageTimeout": 0}, "InvalidTimeout"),
        (
            1,
            {"vpn": {"server": "vpn", "user": "u", "password": "p", "key": "k", "type": "IPSec"}},
            "NoVPN",
        ),
    ],
)
def test_b09_what_the_station_cannot_use_is_rejected(
    online: Link, slot: int, changes: dict[str, Any], reason: str
) -> None:
    assert _set(online, slot, **changes) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": reason},
    }
    station = online.station
    assert isinstance(station, StationV201)
    assert station.network.profiles == {}  # B09.FR.02: nothing stored


def test_b09_a_lower_security_profile_than_the_stations_is_rejected(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.security_profile = 1  # its runner connects with HTTP Basic credentials
    assert _get(online, "SecurityCtrlr", "SecurityProfile")["attributeValue"] == "1"
    assert _set(online, securityProfile=0) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "LowerSecurityProfile"},  # B09.FR.04
    }
    assert _set(online, securityProfile=1) == {"status": "Accepted"}


def test_b10_the_priority_names_only_slots_that_hold_a_profile(online: Link) -> None:
    priority = ("OCPPCommCtrlr", "NetworkConfigurationPriority")
    assert set_variable(online, *priority, "1,0") == "Rejected"  # B10.FR.02: slot 1 is empty
    assert _get(online, *priority)["attributeValue"] == "0"
    assert _set(online) == {"status": "Accepted"}
    assert set_variable(online, *priority, "1,0") == "Accepted"
    assert _get(online, *priority)["attributeValue"] == "1,0"
