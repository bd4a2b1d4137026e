"""The same endpoints against a simulated OCPP 2.0.1 station: each sends the 2.0.1
equivalent (see ``chargeyard.csms.commands``) and answers in the same shape."""

from __future__ import annotations

import re

import pytest

from chargeyard.csms.commands import STANDARD_VARIABLES_201
from chargeyard.protocol import V201
from chargeyard.protocol.configuration_keys import VARIABLES_OF_16_KEYS
from tests.api.conftest import ApiLab
from tests.api.test_commands_v16 import DIAGNOSTICS, FIRMWARE
from tests.certificates import make_root, make_signed, sign_image


@pytest.fixture
async def lab201(lab: ApiLab) -> ApiLab:
    await lab.station("CS-201", V201)
    return lab


@pytest.mark.parametrize(("kind", "ocpp"), [("Soft", "OnIdle"), ("Hard", "Immediate")])
async def test_b11_reset_maps_soft_to_on_idle_and_hard_to_immediate(
    lab201: ApiLab, kind: str, ocpp: str
) -> None:
    response = await lab201.post("CS-201", "reset", {"type": kind})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": f"{kind} reset accepted by charger",
            "chargeBoxId": "CS-201",
            "type": kind,
            "status": "accepted",
        },
    )
    assert lab201.last_call() == ("Reset", {"type": ocpp})


async def test_f05_unlock_names_evse_and_connector(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "unlock", {"connectorId": 1})
    assert response.json() == {
        "message": "Connector unlocked successfully",
        "chargeBoxId": "CS-201",
        "connectorId": 1,
        "status": "unlocked",
    }
    assert lab201.last_call() == ("UnlockConnector", {"evseId": 1, "connectorId": 1})


async def test_unlock_of_an_unknown_evse(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "unlock", {"connectorId": 9})
    assert response.json() == {
        "message": "Connector unknown to charger",
        "chargeBoxId": "CS-201",
        "connectorId": 9,
        "status": "unknown_connector",
    }


async def test_c11_clear_cache(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "cache/clear")
    assert response.json() == {
        "message": "Cache cleared successfully",
        "chargeBoxId": "CS-201",
        "status": "accepted",
    }
    assert lab201.last_call() == ("ClearCache", {})


async def test_f06_trigger_status_notification_names_the_evse(lab201: ApiLab) -> None:
    body = {"requestedMessage": "StatusNotification", "connectorId": 1}
    response = await lab201.post("CS-201", "trigger", body)
    assert response.json() == {
        "message": "StatusNotification trigger accepted by charger",
        "chargeBoxId": "CS-201",
        "requestedMessage": "StatusNotification",
        "connectorId": 1,
        "status": "accepted",
    }
    assert lab201.last_call() == (
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 1}},
    )


async def test_f06_diagnostics_status_is_log_status_in_2_0_1(lab201: ApiLab) -> None:
    body = {"requestedMessage": "DiagnosticsStatusNotification"}
    response = await lab201.post("CS-201", "trigger", body)
    assert response.json()["status"] == "accepted"
    assert lab201.last_call() == ("TriggerMessage", {"requestedMessage": "LogStatusNotification"})


@pytest.mark.parametrize("word", ["SignChargePointCertificate", "SignChargingStationCertificate"])
async def test_a02_trigger_sign_certificate_in_2_0_1_words(lab201: ApiLab, word: str) -> None:
    response = await lab201.post("CS-201", "trigger", {"requestedMessage": word})
    assert response.json()["status"] == "accepted"
    assert lab201.last_call() == (
        "TriggerMessage",
        {"requestedMessage": "SignChargingStationCertificate"},
    )


async def test_f06_trigger_meter_values_of_an_evse(lab201: ApiLab) -> None:
    body = {"requestedMessage": "MeterValues", "connectorId": 1}
    await lab201.post("CS-201", "trigger", body)
    assert lab201.last_call() == (
        "TriggerMessage",
        {"requestedMessage": "MeterValues", "evse": {"id": 1}},
    )


async def test_g03_availability_of_an_evse(lab201: ApiLab) -> None:
    body = {"connectorId": 1, "type": "Inoperative"}
    response = await lab201.post("CS-201", "availability", body)
    assert response.json() == {
        "message": "Availability change to Inoperative accepted by charger",
        "chargeBoxId": "CS-201",
        "connectorId": 1,
        "type": "Inoperative",
        "status": "accepted",
    }
    assert lab201.last_call() == (
        "ChangeAvailability",
        {"operationalStatus": "Inoperative", "evse": {"id": 1}},
    )


async def test_g04_availability_of_the_whole_station_has_no_evse(lab201: ApiLab) -> None:
    body = {"connectorId": 0, "type": "Operative"}
    response = await lab201.post("CS-201", "availability", body)
    assert response.json()["status"] == "accepted"
    assert lab201.last_call() == ("ChangeAvailability", {"operationalStatus": "Operative"})


async def test_b08_get_configuration_reads_component_variable_keys(lab201: ApiLab) -> None:
    body = {"key": ["OCPPCommCtrlr.HeartbeatInterval", "NoSuch.Variable", "HeartbeatInterval"]}
    response = await lab201.post("CS-201", "configuration/get", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CS-201",
            # The 1.6 key names the same variable, and is answered by the name it was sent.
            "configurationKey": [
                {"key": "OCPPCommCtrlr.HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
            ],
            "unknownKey": ["NoSuch.Variable"],
        },
    )
    # B08: the report of the named variables, which carries their mutability; each asked once.
    action, payload = lab201.last_call()
    assert (action, payload["componentVariable"]) == (
        "GetReport",
        [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "NoSuch"}, "variable": {"name": "Variable"}},
        ],
    )
    assert len(lab201.registry.reports) == 0


async def test_b08_keys_of_read_only_variables_read_readonly(lab201: ApiLab) -> None:
    body = {"key": ["SecurityCtrlr.Identity", "OCPPCommCtrlr.HeartbeatInterval"]}
    response = await lab201.post("CS-201", "configuration/get", body)
    assert response.json()["configurationKey"] == [
        {"key": "SecurityCtrlr.Identity", "readonly": True, "value": "CS-201"},
        {"key": "OCPPCommCtrlr.HeartbeatInterval", "readonly": False, "value": "300"},
    ]


async def test_b07_get_all_configuration_reads_the_full_device_model_report(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "configuration/get", {})
    assert response.status_code == 200
    body = response.json()
    assert (body["chargeBoxId"], body["unknownKey"]) == ("CS-201", [])
    found = {item["key"]: (item["readonly"], item["value"]) for item in body["configurationKey"]}
    assert len(found) == len(body["configurationKey"])  # one entry per variable
    # The counterparts of the common 1.6 keys, writable, with the station's values...
    assert {key: found[key] for key in STANDARD_VARIABLES_201} == {
        "OCPPCommCtrlr.HeartbeatInterval": (False, "300"),
        "SampledDataCtrlr.TxUpdatedInterval": (False, "60"),
        "AlignedDataCtrlr.Interval": (False, "0"),  # off in tests (wall_clock.py)
        "TxCtrlr.EVConnectionTimeOut": (False, "120"),
        "AuthCtrlr.AuthorizeRemoteStart": (False, "false"),
        "AuthCacheCtrlr.Enabled": (False, "true"),
        "LocalAuthListCtrlr.Enabled": (False, "true"),
    }
    # ... and everything else, read-only ones marked so, qualified where the model needs it.
    assert found["SecurityCtrlr.Identity"] == (True, "CS-201")
    assert found["EVSE@1.AvailabilityState"] == (True, "Available")
    assert found["Connector@1:1.ConnectorType"] == (True, "sType2")
    assert found["OCPPCommCtrlr.MessageAttempts[TransactionEvent]"] == (False, "3")
    [(action, payload)] = [call[1:] for call in lab201.registry.sent]
    assert (action, payload["reportBase"]) == ("GetBaseReport", "FullInventory")
    assert len(lab201.registry.reports) == 0  # nothing left waiting


async def test_b06_qualified_keys_read_and_change_the_variable_they_name(lab201: ApiLab) -> None:
    keys = ["EVSE@1.AvailabilityState", "OCPPCommCtrlr.MessageAttempts[TransactionEvent]"]
    response = await lab201.post("CS-201", "configuration/get", {"key": keys})
    assert response.json()["configurationKey"] == [
        {"key": "EVSE@1.AvailabilityState", "readonly": True, "value": "Available"},
        {"key": "OCPPCommCtrlr.MessageAttempts[TransactionEvent]", "readonly": False, "value": "3"},
    ]
    action, payload = lab201.last_call()
    assert (action, payload["componentVariable"]) == (
        "GetReport",
        [
            {
                "component": {"name": "EVSE", "evse": {"id": 1}},
                "variable": {"name": "AvailabilityState"},
            },
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "MessageAttempts", "instance": "TransactionEvent"},
            },
        ],
    )
    body = {"key": "OCPPCommCtrlr.MessageAttempts[TransactionEvent]", "value": "5"}
    response = await lab201.post("CS-201", "configuration/change", body)
    assert response.json()["status"] == "Accepted"
    response = await lab201.post("CS-201", "configuration/get", {"key": [body["key"]]})
    assert response.json()["configurationKey"][0]["value"] == "5"


async def test_b05_change_configuration_sets_the_variable(lab201: ApiLab) -> None:
    body = {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "600"}
    response = await lab201.post("CS-201", "configuration/change", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CS-201",
            "key": "OCPPCommCtrlr.HeartbeatInterval",
            "value": "600",
            "status": "Accepted",
            "message": "Configuration changed successfully",
        },
    )
    assert lab201.last_call() == (
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "attributeValue": "600",
                }
            ]
        },
    )
    assert lab201.runtimes[0].station.heartbeat_interval == 600


async def test_b05_unknown_variable_is_not_supported(lab201: ApiLab) -> None:
    body = {"key": "OCPPCommCtrlr.NoSuchVariable", "value": "1"}
    response = await lab201.post("CS-201", "configuration/change", body)
    assert response.json() == {
        "chargeBoxId": "CS-201",
        "key": "OCPPCommCtrlr.NoSuchVariable",
        "value": "1",
        "status": "NotSupported",
        "message": "Configuration key not supported by charger",
    }


async def test_a_1_6_key_reads_and_changes_its_2_0_1_variable(lab201: ApiLab) -> None:
    body = {"key": "MeterValueSampleInterval", "value": "30"}
    response = await lab201.post("CS-201", "configuration/change", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CS-201",
            "key": "MeterValueSampleInterval",
            "value": "30",
            "status": "Accepted",
            "message": "Configuration changed successfully",
        },
    )
    assert lab201.last_call() == (
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "SampledDataCtrlr"},
                    "variable": {"name": "TxUpdatedInterval"},
                    "attributeValue": "30",
                }
            ]
        },
    )
    keys = ["MeterValueSampleInterval", "TransactionMessageAttempts", "ConnectionTimeOut"]
    response = await lab201.post("CS-201", "configuration/get", {"key": keys})
    assert response.json()["configurationKey"] == [
        {"key": "MeterValueSampleInterval", "readonly": False, "value": "30"},
        {"key": "TransactionMessageAttempts", "readonly": False, "value": "3"},
        {"key": "ConnectionTimeOut", "readonly": False, "value": "120"},
    ]


async def test_every_1_6_key_of_the_table_is_known_to_a_2_0_1_station(lab201: ApiLab) -> None:
    keys = list(VARIABLES_OF_16_KEYS)
    response = await lab201.post("CS-201", "configuration/get", {"key": keys})
    answer = response.json()
    assert answer["unknownKey"] == []
    assert [item["key"] for item in answer["configurationKey"]] == keys


@pytest.mark.parametrize("key", ["NumberOfConnectors", "Not a key"])
async def test_a_key_2_0_1_has_no_name_for_gets_one_answer_from_both_endpoints(
    lab201: ApiLab, key: str
) -> None:
    response = await lab201.post("CS-201", "configuration/get", {"key": [key]})
    assert (response.status_code, response.json()) == (
        200,
        {"chargeBoxId": "CS-201", "configurationKey": [], "unknownKey": [key]},
    )
    response = await lab201.post("CS-201", "configuration/change", {"key": key, "value": "1"})
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CS-201",
            "key": key,
            "value": "1",
            "status": "NotSupported",
            "message": "Configuration key unknown to the charger's OCPP version",
        },
    )
    assert lab201.registry.sent == []  # nothing was sent for either


async def test_l01_update_firmware(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "firmware/update", FIRMWARE)
    assert response.json() == {
        "message": "Firmware update accepted by charger",
        "chargeBoxId": "CS-201",
        "location": FIRMWARE["location"],
        "retrieveDate": "2026-02-10T14:00:00Z",
        "status": "accepted",
    }
    action, payload = lab201.last_call()
    assert (action, payload) == (
        "UpdateFirmware",
        {
            "requestId": payload["requestId"],
            "firmware": {
                "location": FIRMWARE["location"],
                "retrieveDateTime": "2026-02-10T14:00:00Z",
            },
            "retries": 3,
            "retryInterval": 60,
        },
    )
    assert isinstance(payload["requestId"], int)


async def test_l01_a_signed_update_carries_its_certificate_and_signature(lab201: ApiLab) -> None:
    # L01.FR.11; the station checks the certificate against its ManufacturerRootCertificates
    # (it has none: InvalidCertificate, L01.FR.22).
    signer = make_signed(make_root("manufacturer"), "firmware signer")
    signed = {"signingCertificate": signer.pem, "signature": sign_image(signer, b"image")}
    response = await lab201.post("CS-201", "firmware/update", {**FIRMWARE, **signed})
    assert response.json()["status"] == "invalid_certificate"
    action, payload = lab201.last_call()
    assert (action, payload["firmware"]) == (
        "UpdateFirmware",
        {"location": FIRMWARE["location"], "retrieveDateTime": "2026-02-10T14:00:00Z", **signed},
    )


async def test_n01_diagnostics_is_get_log(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "diagnostics", DIAGNOSTICS)
    answer = response.json()
    assert answer == {
        "message": "Diagnostics upload accepted by charger",
        "chargeBoxId": "CS-201",
        "location": DIAGNOSTICS["location"],
        "fileName": answer["fileName"],
        "status": "accepted",
    }
    assert re.fullmatch(r"CS-201-DiagnosticsLog-\d{8}T\d{6}Z\.log", answer["fileName"])
    action, payload = lab201.last_call()
    assert (action, payload) == (
        "GetLog",
        {
            "logType": "DiagnosticsLog",
            "requestId": payload["requestId"],
            "log": {
                "remoteLocation": DIAGNOSTICS["location"],
                "oldestTimestamp": "2026-02-09T00:00:00Z",
                "latestTimestamp": "2026-02-10T00:00:00Z",
            },
            "retries": 3,
            "retryInterval": 60,
        },
    )


async def test_p01_data_transfer(lab201: ApiLab) -> None:
    body = {"vendorId": "MyVendor", "messageId": "GetDisplayMessage", "data": '{"screen": 1}'}
    response = await lab201.post("CS-201", "data-transfer", body)
    assert response.json() == {
        "message": "DataTransfer vendorId unknown to charger",
        "chargeBoxId": "CS-201",
        "vendorId": "MyVendor",
        "messageId": "GetDisplayMessage",
        "status": "UnknownVendorId",
        "responseData": None,
    }
    assert lab201.last_call() == ("DataTransfer", body)


async def test_b11_reset_of_one_evse(lab201: ApiLab) -> None:
    response = await lab201.post("CS-201", "reset", {"type": "Soft", "evseId": 1})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Soft reset accepted by charger",
            "chargeBoxId": "CS-201",
            "type": "Soft",
            "evseId": 1,
            "status": "accepted",
        },
    )
    assert lab201.last_call() == ("Reset", {"type": "OnIdle", "evseId": 1})


@pytest.mark.parametrize(
    ("requested", "evse"),
    [
        ("TransactionEvent", {"id": 1}),
        ("LogStatusNotification", None),
        ("PublishFirmwareStatusNotification", None),
    ],
)
async def test_f06_trigger_the_messages_of_2_0_1(
    lab201: ApiLab, requested: str, evse: dict[str, int] | None
) -> None:
    body: dict[str, object] = {"requestedMessage": requested}
    if evse is not None:
        body["connectorId"] = evse["id"]
    response = await lab201.post("CS-201", "trigger", body)
    # Sent as 2.0.1 words it (the simulated station's answer is its own business).
    assert response.status_code == 200
    sent = {"requestedMessage": requested, **({"evse": evse} if evse else {})}
    assert lab201.last_call() == ("TriggerMessage", sent)


async def test_n01_a_security_log_is_asked_by_its_type(lab201: ApiLab) -> None:
    body = {"location": DIAGNOSTICS["location"], "logType": "SecurityLog"}
    response = await lab201.post("CS-201", "diagnostics", body)
    answer = response.json()
    assert (response.status_code, answer["status"]) == (200, "accepted")
    assert re.fullmatch(r"CS-201-SecurityLog-\d{8}T\d{6}Z\.log", answer["fileName"])
    action, payload = lab201.last_call()
    assert (action, payload["logType"]) == ("GetLog", "SecurityLog")


async def test_f01_k05_a_remote_start_carries_its_tx_profile(lab201: ApiLab) -> None:
    profile = {
        "id": 12,
        "stackLevel": 0,
        "purpose": "TxProfile",
        "kind": "Relative",
        "schedule": {"chargingRateUnit": "W", "periods": [{"startPeriod": 0, "limit": 7400}]},
    }
    body = {"connectorId": 1, "idTag": "TAG-1", "chargingProfile": profile}
    response = await lab201.post("CS-201", "remote-start", body)
    assert response.status_code == 200, response.json()
    action, payload = lab201.last_call()
    assert (action, payload["chargingProfile"]) == (
        "RequestStartTransaction",
        {
            "id": 12,
            "chargingProfilePurpose": "TxProfile",
            "stackLevel": 0,
            "chargingProfileKind": "Relative",
            "chargingSchedule": [
                {
                    "id": 12,
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
                }
            ],
        },
    )


async def test_l01_an_update_installs_at_its_install_date(lab201: ApiLab) -> None:
    body = {**FIRMWARE, "installDate": "2026-02-10T15:00:00Z"}
    response = await lab201.post("CS-201", "firmware/update", body)
    assert response.status_code == 200, response.json()
    action, payload = lab201.last_call()
    assert (action, payload["firmware"]["installDateTime"]) == (
        "UpdateFirmware",
        "2026-02-10T15:00:00Z",
    )
