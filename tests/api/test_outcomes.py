"""What the API says when a station does not simply accept: each status the station may
answer, in the API's words. The station is a scripted peer that answers every CALL the same."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ApiLab
from tests.api.test_commands_v16 import FIRMWARE


def always(payload: dict[str, Any]) -> Any:
    def answer(call: list[Any]) -> list[Any]:
        return [3, call[1], payload]

    return answer


@pytest.mark.parametrize(
    ("status", "message", "api_status"),
    [
        ("Rejected", "Soft reset rejected by charger", "rejected"),
        ("Scheduled", "Soft reset scheduled by charger", "scheduled"),
    ],
)
async def test_reset_not_accepted(lab: ApiLab, status: str, message: str, api_status: str) -> None:
    await lab.raw_peer("CS-1", always({"status": status}), "ocpp2.0.1")
    response = await lab.post("CS-1", "reset", {"type": "Soft"})
    assert response.json() == {
        "message": message,
        "chargeBoxId": "CS-1",
        "type": "Soft",
        "status": api_status,
    }


@pytest.mark.parametrize(
    ("status", "message", "api_status"),
    [
        ("UnlockFailed", "Connector unlock failed", "unlock_failed"),
        ("NotSupported", "Connector unlock not supported by charger", "not_supported"),
    ],
)
async def test_unlock_not_unlocked(lab: ApiLab, status: str, message: str, api_status: str) -> None:
    await lab.raw_peer("CP-1", always({"status": status}))
    response = await lab.post("CP-1", "unlock", {"connectorId": 2})
    assert response.json() == {
        "message": message,
        "chargeBoxId": "CP-1",
        "connectorId": 2,
        "status": api_status,
    }


async def test_unlock_during_an_authorized_transaction(lab: ApiLab) -> None:
    await lab.raw_peer("CS-1", always({"status": "OngoingAuthorizedTransaction"}), "ocpp2.0.1")
    response = await lab.post("CS-1", "unlock", {"connectorId": 1})
    assert response.json() == {
        "message": "Connector not unlocked: an authorized transaction is ongoing",
        "chargeBoxId": "CS-1",
        "connectorId": 1,
        "status": "ongoing_authorized_transaction",
    }


async def test_clear_cache_rejected(lab: ApiLab) -> None:
    await lab.raw_peer("CP-1", always({"status": "Rejected"}))
    response = await lab.post("CP-1", "cache/clear")
    assert response.json() == {
        "message": "Cache clear rejected by charger",
        "chargeBoxId": "CP-1",
        "status": "rejected",
    }


async def test_trigger_not_implemented(lab: ApiLab) -> None:
    await lab.raw_peer("CP-1", always({"status": "NotImplemented"}))
    body = {"requestedMessage": "FirmwareStatusNotification"}
    response = await lab.post("CP-1", "trigger", body)
    assert response.json() == {
        "message": "FirmwareStatusNotification trigger not implemented by charger",
        "chargeBoxId": "CP-1",
        "requestedMessage": "FirmwareStatusNotification",
        "connectorId": None,
        "status": "not_implemented",
    }


async def test_availability_scheduled_until_the_transaction_ends(lab: ApiLab) -> None:
    await lab.raw_peer("CP-1", always({"status": "Scheduled"}))
    response = await lab.post("CP-1", "availability", {"connectorId": 1, "type": "Inoperative"})
    assert response.json() == {
        "message": "Availability change to Inoperative scheduled by charger",
        "chargeBoxId": "CP-1",
        "connectorId": 1,
        "type": "Inoperative",
        "status": "scheduled",
    }


@pytest.mark.parametrize(
    ("attribute_status", "status", "message"),
    [
        ("RebootRequired", "RebootRequired", "Configuration changed; the charger must reboot"),
        ("Rejected", "Rejected", "Configuration change rejected by charger"),
        ("UnknownComponent", "NotSupported", "Configuration key not supported by charger"),
        ("UnknownVariable", "NotSupported", "Configuration key not supported by charger"),
        ("NotSupportedAttributeType", "NotSupported", "Configuration key not supported by charger"),
    ],
)
async def test_b05_set_variables_statuses_map_onto_the_four_of_1_6(
    lab: ApiLab, attribute_status: str, status: str, message: str
) -> None:
    result = {
        "attributeStatus": attribute_status,
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
    }
    await lab.raw_peer("CS-1", always({"setVariableResult": [result]}), "ocpp2.0.1")
    body = {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "600"}
    response = await lab.post("CS-1", "configuration/change", body)
    assert response.json() == {
        "chargeBoxId": "CS-1",
        "key": "OCPPCommCtrlr.HeartbeatInterval",
        "value": "600",
        "status": status,
        "message": message,
    }


async def test_l01_firmware_update_that_cancels_the_one_in_progress(lab: ApiLab) -> None:
    await lab.raw_peer("CS-1", always({"status": "AcceptedCanceled"}), "ocpp2.0.1")
    response = await lab.post("CS-1", "firmware/update", FIRMWARE)
    assert response.json() == {
        "message": "Firmware update accepted by charger, which canceled the one in progress",
        "chargeBoxId": "CS-1",
        "location": FIRMWARE["location"],
        "retrieveDate": "2026-02-10T14:00:00Z",
        "status": "accepted_canceled",
    }


async def test_diagnostics_without_a_file_to_upload(lab: ApiLab) -> None:
    await lab.raw_peer("CP-1", always({}))
    body = {"location": "ftp://uploads.example.com/"}
    response = await lab.post("CP-1", "diagnostics", body)
    assert response.json() == {
        "message": "Diagnostics upload accepted by charger",
        "chargeBoxId": "CP-1",
        "location": "ftp://uploads.example.com/",
        "fileName": None,
        "status": "accepted",
    }
    assert lab.last_call() == ("GetDiagnostics", body)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("Rejected", "DataTransfer rejected by charger"),
        ("UnknownMessageId", "DataTransfer messageId unknown to charger"),
    ],
)
async def test_data_transfer_statuses(lab: ApiLab, status: str, message: str) -> None:
    await lab.raw_peer("CP-1", always({"status": status}))
    response = await lab.post("CP-1", "data-transfer", {"vendorId": "V", "messageId": "M"})
    assert response.json() == {
        "message": message,
        "chargeBoxId": "CP-1",
        "vendorId": "V",
        "messageId": "M",
        "status": status,
        "responseData": None,
    }
