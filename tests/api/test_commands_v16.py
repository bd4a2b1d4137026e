"""Every command endpoint against a simulated OCPP 1.6 station: the call it sends and the
station's real answer in the API's shape."""

from __future__ import annotations

import re

import pytest

from chargeyard.protocol import V16
from tests.api.conftest import ApiLab
from tests.certificates import make_root, make_signed, sign_image

FIRMWARE = {
    "location": "https://firmware.example.com/v2.0.0/firmware.bin",
    "retrieveDate": "2026-02-10T14:00:00Z",
    "retries": 3,
    "retryInterval": 60,
}
DIAGNOSTICS = {
    "location": "https://uploads.example.com/diagnostics/",
    "startTime": "2026-02-09T00:00:00Z",
    "stopTime": "2026-02-10T00:00:00Z",
    "retries": 3,
    "retryInterval": 60,
}


@pytest.fixture
async def lab16(lab: ApiLab) -> ApiLab:
    await lab.station("CHARGER-001", V16)
    return lab


@pytest.mark.parametrize("kind", ["Soft", "Hard"])
async def test_reset_is_accepted_by_the_charger(lab16: ApiLab, kind: str) -> None:
    response = await lab16.post("CHARGER-001", "reset", {"type": kind})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": f"{kind} reset accepted by charger",
            "chargeBoxId": "CHARGER-001",
            "type": kind,
            "status": "accepted",
        },
    )
    assert lab16.last_call() == ("Reset", {"type": kind})


async def test_unlock_connector(lab16: ApiLab) -> None:
    response = await lab16.post("CHARGER-001", "unlock", {"connectorId": 1})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Connector unlocked successfully",
            "chargeBoxId": "CHARGER-001",
            "connectorId": 1,
            "status": "unlocked",
        },
    )
    assert lab16.last_call() == ("UnlockConnector", {"connectorId": 1})


async def test_clear_cache(lab16: ApiLab) -> None:
    response = await lab16.post("CHARGER-001", "cache/clear")
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Cache cleared successfully",
            "chargeBoxId": "CHARGER-001",
            "status": "accepted",
        },
    )
    assert lab16.last_call() == ("ClearCache", {})


async def test_trigger_status_notification(lab16: ApiLab) -> None:
    body = {"requestedMessage": "StatusNotification", "connectorId": 1}
    response = await lab16.post("CHARGER-001", "trigger", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "StatusNotification trigger accepted by charger",
            "chargeBoxId": "CHARGER-001",
            "requestedMessage": "StatusNotification",
            "connectorId": 1,
            "status": "accepted",
        },
    )
    assert lab16.last_call() == ("TriggerMessage", body)


@pytest.mark.parametrize("word", ["SignChargePointCertificate", "SignChargingStationCertificate"])
async def test_trigger_sign_certificate_is_the_extended_trigger(lab16: ApiLab, word: str) -> None:
    # TriggerMessage.req has no such message: the security extension's ExtendedTriggerMessage.
    response = await lab16.post("CHARGER-001", "trigger", {"requestedMessage": word})
    assert response.json()["status"] == "accepted"
    assert lab16.last_call() == (
        "ExtendedTriggerMessage",
        {"requestedMessage": "SignChargePointCertificate"},
    )


async def test_trigger_without_connector(lab16: ApiLab) -> None:
    response = await lab16.post("CHARGER-001", "trigger", {"requestedMessage": "Heartbeat"})
    assert response.json()["connectorId"] is None
    assert lab16.last_call() == ("TriggerMessage", {"requestedMessage": "Heartbeat"})


@pytest.mark.parametrize(("connector", "kind"), [(1, "Inoperative"), (0, "Operative")])
async def test_change_availability(lab16: ApiLab, connector: int, kind: str) -> None:
    body = {"connectorId": connector, "type": kind}
    response = await lab16.post("CHARGER-001", "availability", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": f"Availability change to {kind} accepted by charger",
            "chargeBoxId": "CHARGER-001",
            "connectorId": connector,
            "type": kind,
            "status": "accepted",
        },
    )
    assert lab16.last_call() == ("ChangeAvailability", body)


async def test_get_configuration_of_named_keys(lab16: ApiLab) -> None:
    body = {"key": ["HeartbeatInterval", "MeterValueSampleInterval", "NoSuchKey"]}
    response = await lab16.post("CHARGER-001", "configuration/get", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CHARGER-001",
            "configurationKey": [
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "MeterValueSampleInterval", "readonly": False, "value": "60"},
            ],
            "unknownKey": ["NoSuchKey"],
        },
    )
    assert lab16.last_call() == ("GetConfiguration", body)


async def test_get_configuration_of_every_key(lab16: ApiLab) -> None:
    response = await lab16.post("CHARGER-001", "configuration/get", {})
    answer = response.json()
    assert lab16.last_call() == ("GetConfiguration", {})
    assert answer["unknownKey"] == []
    assert {"key": "NumberOfConnectors", "readonly": True, "value": "1"} in answer[
        "configurationKey"
    ]
    assert len(answer["configurationKey"]) > 20


async def test_change_configuration_accepted(lab16: ApiLab) -> None:
    body = {"key": "HeartbeatInterval", "value": "600"}
    response = await lab16.post("CHARGER-001", "configuration/change", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CHARGER-001",
            "key": "HeartbeatInterval",
            "value": "600",
            "status": "Accepted",
            "message": "Configuration changed successfully",
        },
    )
    assert lab16.last_call() == ("ChangeConfiguration", body)
    assert lab16.runtimes[0].station.heartbeat_interval == 600


async def test_change_configuration_of_a_read_only_key_is_rejected(lab16: ApiLab) -> None:
    body = {"key": "NumberOfConnectors", "value": "4"}
    response = await lab16.post("CHARGER-001", "configuration/change", body)
    assert response.json() == {
        "chargeBoxId": "CHARGER-001",
        "key": "NumberOfConnectors",
        "value": "4",
        "status": "Rejected",
        "message": "Configuration change rejected by charger",
    }


async def test_change_configuration_of_an_unknown_key_is_not_supported(lab16: ApiLab) -> None:
    body = {"key": "NoSuchKey", "value": "1"}
    response = await lab16.post("CHARGER-001", "configuration/change", body)
    assert response.json() == {
        "chargeBoxId": "CHARGER-001",
        "key": "NoSuchKey",
        "value": "1",
        "status": "NotSupported",
        "message": "Configuration key not supported by charger",
    }


async def test_a_2_0_1_variable_name_reads_and_changes_its_1_6_key(lab16: ApiLab) -> None:
    # The same keys work on a station of either version (protocol/configuration_keys.py).
    body = {"key": "SampledDataCtrlr.TxUpdatedInterval", "value": "30"}
    response = await lab16.post("CHARGER-001", "configuration/change", body)
    assert (response.json()["key"], response.json()["status"]) == (body["key"], "Accepted")
    assert lab16.last_call() == (
        "ChangeConfiguration",
        {"key": "MeterValueSampleInterval", "value": "30"},
    )
    keys = ["SampledDataCtrlr.TxUpdatedInterval", "MeterValueSampleInterval", "NoSuch.Variable"]
    response = await lab16.post("CHARGER-001", "configuration/get", {"key": keys})
    assert response.json() == {
        "chargeBoxId": "CHARGER-001",
        "configurationKey": [
            {"key": "SampledDataCtrlr.TxUpdatedInterval", "readonly": False, "value": "30"},
            {"key": "MeterValueSampleInterval", "readonly": False, "value": "30"},
        ],
        "unknownKey": ["NoSuch.Variable"],
    }
    assert lab16.last_call() == (
        "GetConfiguration",
        {"key": ["MeterValueSampleInterval", "NoSuch.Variable"]},
    )


async def test_update_firmware(lab16: ApiLab) -> None:
    response = await lab16.post("CHARGER-001", "firmware/update", FIRMWARE)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Firmware update accepted by charger",
            "chargeBoxId": "CHARGER-001",
            "location": FIRMWARE["location"],
            "retrieveDate": "2026-02-10T14:00:00Z",
            "status": "accepted",
        },
    )
    assert lab16.last_call() == ("UpdateFirmware", FIRMWARE)


async def test_a_signed_update_is_the_security_extension_s_signed_update_firmware(
    lab16: ApiLab,
) -> None:
    # A signing certificate of a manufacturer root the station has not installed.
    signer = make_signed(make_root("manufacturer"), "firmware signer")
    signed = {"signingCertificate": signer.pem, "signature": sign_image(signer, b"image")}
    response = await lab16.post("CHARGER-001", "firmware/update", {**FIRMWARE, **signed})
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "Firmware update rejected by charger: invalid certificate",
            "chargeBoxId": "CHARGER-001",
            "location": FIRMWARE["location"],
            "retrieveDate": "2026-02-10T14:00:00Z",
            "status": "invalid_certificate",
        },
    )
    action, payload = lab16.last_call()
    assert (action, payload) == (
        "SignedUpdateFirmware",
        {
            "requestId": payload["requestId"],
            "firmware": {
                "location": FIRMWARE["location"],
                "retrieveDateTime": "2026-02-10T14:00:00Z",
                **signed,
            },
            "retries": 3,
            "retryInterval": 60,
        },
    )


async def test_a_signature_without_its_certificate_is_refused(lab16: ApiLab) -> None:
    body = {**FIRMWARE, "signature": "c2lnbmF0dXJl"}
    response = await lab16.post("CHARGER-001", "firmware/update", body)
    assert response.status_code == 422
    assert "signingCertificate and signature come together" in response.text
    assert lab16.registry.sent == []


async def test_update_firmware_sends_the_retrieve_date_in_utc(lab16: ApiLab) -> None:
    body = {"location": "ftp://fw.example.com/a.bin", "retrieveDate": "2026-02-10T15:00:00+01:00"}
    response = await lab16.post("CHARGER-001", "firmware/update", body)
    assert response.json()["retrieveDate"] == "2026-02-10T14:00:00Z"
    assert lab16.last_call() == (
        "UpdateFirmware",
        {"location": "ftp://fw.example.com/a.bin", "retrieveDate": "2026-02-10T14:00:00Z"},
    )


async def test_get_diagnostics(lab16: ApiLab) -> None:
    response = await lab16.post("CHARGER-001", "diagnostics", DIAGNOSTICS)
    answer = response.json()
    assert (response.status_code, answer) == (
        200,
        {
            "message": "Diagnostics upload accepted by charger",
            "chargeBoxId": "CHARGER-001",
            "location": DIAGNOSTICS["location"],
            "fileName": answer["fileName"],
            "status": "accepted",
        },
    )
    assert re.fullmatch(r"CHARGER-001-diagnostics-\d{8}T\d{6}Z\.log", answer["fileName"])
    assert lab16.last_call() == ("GetDiagnostics", DIAGNOSTICS)


async def test_data_transfer_to_an_unknown_vendor(lab16: ApiLab) -> None:
    body = {"vendorId": "MyVendor", "messageId": "GetDisplayMessage", "data": '{"screen": 1}'}
    response = await lab16.post("CHARGER-001", "data-transfer", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "DataTransfer vendorId unknown to charger",
            "chargeBoxId": "CHARGER-001",
            "vendorId": "MyVendor",
            "messageId": "GetDisplayMessage",
            "status": "UnknownVendorId",
            "responseData": None,
        },
    )
    assert lab16.last_call() == ("DataTransfer", body)


async def test_a_reset_of_one_evse_is_2_0_1_s_and_nothing_is_sent(lab16: ApiLab) -> None:
    sent = len(lab16.registry.sent)
    response = await lab16.post("CHARGER-001", "reset", {"type": "Soft", "evseId": 1})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": "OCPP 1.6 resets the whole charger: evseId is 2.0.1's (B11, B12)"},
    )
    assert len(lab16.registry.sent) == sent


@pytest.mark.parametrize(
    "requested", ["TransactionEvent", "LogStatusNotification", "PublishFirmwareStatusNotification"]
)
async def test_a_trigger_of_a_2_0_1_message_is_refused_and_nothing_is_sent(
    lab16: ApiLab, requested: str
) -> None:
    sent = len(lab16.registry.sent)
    response = await lab16.post("CHARGER-001", "trigger", {"requestedMessage": requested})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": f"{requested} is an OCPP 2.0.1 message: a 1.6 charger sends none"},
    )
    assert len(lab16.registry.sent) == sent


async def test_a_security_log_is_the_security_extension_s_get_log(lab16: ApiLab) -> None:
    body = {"location": DIAGNOSTICS["location"], "logType": "SecurityLog"}
    response = await lab16.post("CHARGER-001", "diagnostics", body)
    assert (response.status_code, response.json()["status"]) == (200, "accepted")
    action, payload = lab16.last_call()
    assert (action, payload) == (
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": payload["requestId"],
            "log": {"remoteLocation": DIAGNOSTICS["location"]},
        },
    )


TX_PROFILE = {
    "id": 12,
    "stackLevel": 0,
    "purpose": "TxProfile",
    "kind": "Relative",
    "schedule": {"chargingRateUnit": "A", "periods": [{"startPeriod": 0, "limit": 16}]},
}


async def test_a_remote_start_carries_its_tx_profile(lab16: ApiLab) -> None:
    body = {"connectorId": 1, "idTag": "TAG-1", "chargingProfile": TX_PROFILE}
    response = await lab16.post("CHARGER-001", "remote-start", body)
    assert response.status_code == 200, response.json()
    assert lab16.last_call() == (
        "RemoteStartTransaction",
        {
            "connectorId": 1,
            "idTag": "TAG-1",
            "chargingProfile": {
                "chargingProfileId": 12,
                "chargingProfilePurpose": "TxProfile",
                "stackLevel": 0,
                "chargingProfileKind": "Relative",
                "chargingSchedule": {
                    "chargingRateUnit": "A",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}],
                },
            },
        },
    )


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (
            {"purpose": "TxDefaultProfile"},
            "a remote start's profile is a TxProfile, not a TxDefaultProfile",
        ),
        (
            {"transactionId": "7"},
            "a remote start's profile names no transaction: the one it starts has no id yet",
        ),
    ],
)
async def test_a_remote_start_s_profile_is_a_tx_profile_of_no_transaction(
    lab16: ApiLab, change: dict[str, str], detail: str
) -> None:
    sent = len(lab16.registry.sent)
    body = {"connectorId": 1, "idTag": "TAG-1", "chargingProfile": {**TX_PROFILE, **change}}
    response = await lab16.post("CHARGER-001", "remote-start", body)
    assert (response.status_code, response.json()) == (422, {"detail": detail})
    assert len(lab16.registry.sent) == sent


async def test_an_unsigned_update_has_no_install_date_and_nothing_is_sent(lab16: ApiLab) -> None:
    sent = len(lab16.registry.sent)
    body = {**FIRMWARE, "installDate": "2026-02-10T15:00:00Z"}
    response = await lab16.post("CHARGER-001", "firmware/update", body)
    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": "a 1.6 UpdateFirmware has no install date: the charger installs once"
            " downloaded (a secure update, SignedUpdateFirmware, takes one)"
        },
    )
    assert len(lab16.registry.sent) == sent
