"""Where 2.1 changed what the station handles: its new words the station answers the way 2.1
asks, its relaxed fields, and CALLRESULTERROR both ways (part 4 section 4.2.4)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import orjson
import pytest

from chargeyard.protocol import V21, ErrorKind, OcppError, Payload
from chargeyard.station.v21 import StationV21
from tests.certificates import make_root
from tests.station.harness import Link
from tests.station.v21.recorder import FrameRecorder


@pytest.fixture
def online(link: Link) -> Link:
    link.connect()
    link.csms.clear()
    return link


def _tx_profile(**period: object) -> Payload:
    return {
        "id": 3,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, **period}],
            }
        ],
    }


def test_b11_a_reset_immediate_and_resume_is_rejected(online: Link) -> None:
    # 2.1 ResetEnumType ImmediateAndResume: the station does not resume transactions.
    assert online.call_station("Reset", {"type": "ImmediateAndResume"}) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnsupportedRequest"},
    }
    assert online.up


def test_b09_a_profiles_ocpp_version_is_ignored(online: Link) -> None:
    # 2.1 B09: ocppVersion is optional and ignored (OCPPVersionEnumType's description in the
    # 2.1 schema): the WebSocket handshake decides the version, whatever the profile says.
    data = {
        "ocppCsmsUrl": "ws://127.0.0.1:9000/ocpp",
        "ocppInterface": "Wired0",
        "ocppTransport": "JSON",
        "messageTimeout": 30,
        "securityProfile": 1,
    }

    def set_profile(**more: object) -> Payload:
        request = {"configurationSlot": 1, "connectionData": {**data, **more}}
        return online.call_station("SetNetworkProfile", request)

    assert set_profile() == {"status": "Accepted"}
    for named in ("OCPP21", "OCPP201", "OCPP20"):
        assert set_profile(ocppVersion=named) == {"status": "Accepted"}


def test_k01_local_generation_the_station_lacks_is_rejected(online: Link) -> None:
    # 2.1's PriorityCharging and Dynamic the station implements (test_k_priority_charging.py,
    # test_k28_dynamic_profiles.py); LocalGeneration it does not.
    profile = {**_tx_profile(limit=16.0), "chargingProfilePurpose": "LocalGeneration"}
    answer = online.call_station("SetChargingProfile", {"evseId": 1, "chargingProfile": profile})
    assert answer["status"] == "Rejected"
    assert answer["statusInfo"]["reasonCode"] == "UnsupportedRequest"


def test_k01_a_period_is_charging_only_and_keeps_its_limit(online: Link) -> None:
    # 2.1 ChargingSchedulePeriodType: limit may be left out only in an operationMode that
    # needs none; the station charges only (ChargingOnly, the default).
    def answer(**period: object) -> Payload:
        request = {"evseId": 1, "chargingProfile": _tx_profile(**period)}
        return online.call_station("SetChargingProfile", request)

    assert answer(setpoint=7000.0, operationMode="CentralSetpoint")["statusInfo"] == {
        "reasonCode": "UnsupportedRequest",
        "additionalInfo": "operationMode CentralSetpoint is not supported",
    }
    assert answer()["statusInfo"] == {
        "reasonCode": "MissingParam",
        "additionalInfo": "a ChargingOnly period needs its limit",
    }
    assert answer(limit=16.0, operationMode="ChargingOnly") == {"status": "Accepted"}


def test_k09_k10_2_1s_purposes_hold_no_profile(online: Link) -> None:
    criterion = {"chargingProfilePurpose": "LocalGeneration"}
    assert online.call_station(
        "GetChargingProfiles", {"requestId": 1, "chargingProfile": criterion}
    ) == {"status": "NoProfiles"}
    assert online.call_station("ClearChargingProfile", {"chargingProfileCriteria": criterion}) == {
        "status": "Unknown"
    }


def test_n04_2_1s_target_delta_monitors_are_unsupported(online: Link) -> None:
    target = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    item = {**target, "type": "TargetDelta", "value": 5, "severity": 5}
    answer = online.call_station("SetVariableMonitoring", {"setMonitoringData": [item]})
    assert answer == {
        "setMonitoringResult": [
            {"status": "UnsupportedMonitorType", "type": "TargetDelta", "severity": 5, **target}
        ]
    }


def test_n07_a_notify_event_names_its_monitors_severity(online: Link) -> None:
    # 2.1 EventDataType.severity.
    target = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    item = {**target, "type": "Delta", "value": 1, "severity": 6}
    online.call_station("SetVariableMonitoring", {"setMonitoringData": [item]})
    online.call_station(
        "SetVariables",
        {"setVariableData": [{**target, "attributeValue": "600"}]},
    )
    [event] = online.csms.payloads("NotifyEvent")
    [data] = event["eventData"]
    assert (data["trigger"], data["actualValue"], data["severity"]) == ("Delta", "600", 6)


@pytest.mark.parametrize("message", ["CustomTrigger", "SignV2G20Certificate"])
def test_f06_2_1s_new_triggers_are_not_implemented(online: Link, message: str) -> None:
    answer = online.call_station("TriggerMessage", {"requestedMessage": message})
    assert answer == {"status": "NotImplemented"}


def test_m05_m03_an_oem_root_is_installed_and_listed(online: Link) -> None:
    # 2.1 adds OEMRootCertificate to InstallCertificateUseEnumType and
    # GetCertificateIdUseEnumType: what the station installs, it lists.
    root = make_root("OEM root", not_before=datetime(2025, 1, 1, tzinfo=UTC))
    install = {"certificateType": "OEMRootCertificate", "certificate": root.pem}
    assert online.call_station("InstallCertificate", install) == {"status": "Accepted"}
    answer = online.call_station(
        "GetInstalledCertificateIds", {"certificateType": ["OEMRootCertificate"]}
    )
    assert answer["status"] == "Accepted"
    assert [item["certificateType"] for item in answer["certificateHashDataChain"]] == [
        "OEMRootCertificate"
    ]


# -- CALLRESULTERROR ---------------------------------------------------------------------------


def test_an_answer_2_1s_schema_refuses_is_answered_with_a_callresulterror(
    online: Link, station: StationV21
) -> None:
    # An evseId below 0 is a 2.0.1 AuthorizeResponse, not a 2.1 one (2.1 sets minimum 0):
    # the station checks with 2.1's schemas and says so.
    # (The central system's double checks its answers too: this one comes by hand.)
    recorder = FrameRecorder(station)
    station.present_id_token("TAG-1")
    station.data_to_send()
    [authorize] = recorder.sent
    assert authorize[:3] == [2, authorize[1], "Authorize"]
    answer = {"idTokenInfo": {"status": "Accepted", "evseId": [-1]}}
    station.receive(orjson.dumps([3, authorize[1], answer]))
    station.data_to_send()
    assert recorder.sent[1:] == [
        [
            5,
            authorize[1],
            "PropertyConstraintViolation",
            "AuthorizeResponse: -1 is less than the minimum of 0.0 at /idTokenInfo/evseId/0",
            {},
        ]
    ]


def test_an_answer_the_station_cannot_process_is_answered_with_a_callresulterror(
    online: Link, station: StationV21
) -> None:
    recorder = FrameRecorder(station)

    def refuse(payload: Payload) -> None:
        raise OcppError(ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, "currentTime is in 1970")

    def fail(payload: Payload) -> None:
        raise KeyError("interval")

    station.call("Heartbeat", {}, on_result=refuse)
    online.pump()
    station.call("Heartbeat", {}, on_result=fail)
    online.pump()
    heartbeats = [frame[1] for frame in recorder.sent if frame[0] == 2]
    assert [frame for frame in recorder.sent if frame[0] == 5] == [
        [5, heartbeats[0], "PropertyConstraintViolation", "currentTime is in 1970", {}],
        [5, heartbeats[1], "InternalError", "Heartbeat: KeyError", {}],
    ]
    assert station.connected  # and it goes on


def test_a_callresulterror_received_is_logged(
    online: Link, station: StationV21, caplog: pytest.LogCaptureFixture
) -> None:
    # The central system could not process the station's answer to its CALL.
    frame = orjson.dumps([5, "csms-1", "FormatViolation", "not what we expected", {}])
    with caplog.at_level(logging.WARNING, logger="chargeyard.station.conversation"):
        station.receive(frame)
    assert (
        "CS-1: the central system refused our answer [csms-1]: FormatViolation not what we expected"
    ) in caplog.text
    assert station.connected


def test_c01_a_token_of_a_type_only_2_1_has_is_authorized_in_its_words(
    online: Link, station: StationV21
) -> None:
    # 2.1's IdTokenType.type is an open string (IdTokenEnumStringType): a VIN presented at
    # the station is asked about as a VIN, not refused as a type 2.0.1 lacks.
    recorder = FrameRecorder(station)
    online.csms.answers["Authorize"] = lambda p: {"idTokenInfo": {"status": "Accepted"}}
    station.present_id_token("WVWZZZ1KZ6W000001", 1, "VIN")
    online.pump()
    assert online.csms.payloads("Authorize") == [
        {"idToken": {"idToken": "WVWZZZ1KZ6W000001", "type": "VIN"}}
    ]
    assert recorder.violations(V21) == []
