"""Every command endpoint against stations written with the third-party ``ocpp`` library
(1.6 and 2.0.1): the library station receives the OCPP call the endpoint means in its version
(and accepts it against the official schema), and the API returns the station's answer in the
API reference's shape, whether the station accepts or refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from ocpp.exceptions import NotSupportedError

from chargeyard.csms.commands.device_model import OPERATIONS, Operation
from chargeyard.protocol.certificates import read_certificate
from tests.api.ocpp_library_stations import LibraryStation, booted
from tests.api.test_commands_v16 import DIAGNOSTICS, FIRMWARE
from tests.certificates import make_root
from tests.stack_lab import StackLab

ID = "LIB-1"


@pytest.fixture(params=["1.6", "2.0.1"])
async def station(
    csms_lab: StackLab, request: pytest.FixtureRequest
) -> AsyncIterator[LibraryStation]:
    async with booted(csms_lab, request.param, ID) as station:
        yield station


async def post(lab: StackLab, path: str, body: Any = None) -> tuple[int, Any]:
    response = await lab.client.post(f"/api/v1/chargers/{ID}/{path}", json=body)
    return response.status_code, response.json()


def by_version(station: LibraryStation, **calls: Any) -> Any:
    """The call the station should have received: ``v16=...`` or ``v201=...``."""
    return calls["v16" if station.version == "1.6" else "v201"]


# -- Accepted ---------------------------------------------------------------------------------


async def test_reset(csms_lab: StackLab, station: LibraryStation) -> None:
    assert await post(csms_lab, "reset", {"type": "Hard"}) == (
        200,
        {
            "message": "Hard reset accepted by charger",
            "chargeBoxId": ID,
            "type": "Hard",
            "status": "accepted",
        },
    )
    assert station.received == [
        by_version(station, v16=("Reset", {"type": "Hard"}), v201=("Reset", {"type": "Immediate"}))
    ]


async def test_unlock(csms_lab: StackLab, station: LibraryStation) -> None:
    assert await post(csms_lab, "unlock", {"connectorId": 1}) == (
        200,
        {
            "message": "Connector unlocked successfully",
            "chargeBoxId": ID,
            "connectorId": 1,
            "status": "unlocked",
        },
    )
    assert station.last_call() == by_version(
        station,
        v16=("UnlockConnector", {"connectorId": 1}),
        v201=("UnlockConnector", {"evseId": 1, "connectorId": 1}),
    )


async def test_clear_cache(csms_lab: StackLab, station: LibraryStation) -> None:
    assert await post(csms_lab, "cache/clear") == (
        200,
        {"message": "Cache cleared successfully", "chargeBoxId": ID, "status": "accepted"},
    )
    assert station.last_call() == ("ClearCache", {})


async def test_trigger(csms_lab: StackLab, station: LibraryStation) -> None:
    body = {"requestedMessage": "StatusNotification", "connectorId": 1}
    assert await post(csms_lab, "trigger", body) == (
        200,
        {
            "message": "StatusNotification trigger accepted by charger",
            "chargeBoxId": ID,
            "requestedMessage": "StatusNotification",
            "connectorId": 1,
            "status": "accepted",
        },
    )
    assert station.last_call() == by_version(
        station,
        v16=("TriggerMessage", body),
        v201=(
            "TriggerMessage",
            {"requestedMessage": "StatusNotification", "evse": {"id": 1, "connectorId": 1}},
        ),
    )


async def test_availability(csms_lab: StackLab, station: LibraryStation) -> None:
    body = {"connectorId": 1, "type": "Inoperative"}
    assert await post(csms_lab, "availability", body) == (
        200,
        {
            "message": "Availability change to Inoperative accepted by charger",
            "chargeBoxId": ID,
            "connectorId": 1,
            "type": "Inoperative",
            "status": "accepted",
        },
    )
    assert station.last_call() == by_version(
        station,
        v16=("ChangeAvailability", body),
        v201=("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 1}}),
    )


async def test_availability_of_the_whole_station(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    status, answer = await post(csms_lab, "availability", {"connectorId": 0, "type": "Operative"})
    assert (status, answer["status"]) == (200, "accepted")
    assert station.last_call() == by_version(
        station,
        v16=("ChangeAvailability", {"connectorId": 0, "type": "Operative"}),
        v201=("ChangeAvailability", {"operationalStatus": "Operative"}),
    )


async def test_update_firmware(csms_lab: StackLab, station: LibraryStation) -> None:
    assert await post(csms_lab, "firmware/update", FIRMWARE) == (
        200,
        {
            "message": "Firmware update accepted by charger",
            "chargeBoxId": ID,
            "location": FIRMWARE["location"],
            "retrieveDate": "2026-02-10T14:00:00Z",
            "status": "accepted",
        },
    )
    action, payload = station.last_call()
    assert (action, payload) == by_version(
        station,
        v16=("UpdateFirmware", FIRMWARE),
        v201=(
            "UpdateFirmware",
            {
                "requestId": payload.get("requestId"),
                "firmware": {
                    "location": FIRMWARE["location"],
                    "retrieveDateTime": "2026-02-10T14:00:00Z",
                },
                "retries": 3,
                "retryInterval": 60,
            },
        ),
    )


async def test_diagnostics(csms_lab: StackLab, station: LibraryStation) -> None:
    assert await post(csms_lab, "diagnostics", DIAGNOSTICS) == (
        200,
        {
            "message": "Diagnostics upload accepted by charger",
            "chargeBoxId": ID,
            "location": DIAGNOSTICS["location"],
            "fileName": by_version(station, v16="LIB-1-diag.log", v201="LIB-1-log.txt"),
            "status": "accepted",
        },
    )
    action, payload = station.last_call()
    assert (action, payload) == by_version(
        station,
        v16=("GetDiagnostics", DIAGNOSTICS),
        v201=(
            "GetLog",
            {
                "logType": "DiagnosticsLog",
                "requestId": payload.get("requestId"),
                "log": {
                    "remoteLocation": DIAGNOSTICS["location"],
                    "oldestTimestamp": "2026-02-09T00:00:00Z",
                    "latestTimestamp": "2026-02-10T00:00:00Z",
                },
                "retries": 3,
                "retryInterval": 60,
            },
        ),
    )


async def test_data_transfer_and_its_history(csms_lab: StackLab, station: LibraryStation) -> None:
    station.script("DataTransfer", status="Accepted", data='{"text": "Hello"}')
    body = {"vendorId": "MyVendor", "messageId": "GetDisplayMessage", "data": '{"screen": 1}'}
    assert await post(csms_lab, "data-transfer", body) == (
        200,
        {
            "message": "DataTransfer accepted by charger",
            "chargeBoxId": ID,
            "vendorId": "MyVendor",
            "messageId": "GetDisplayMessage",
            "status": "Accepted",
            "responseData": '{"text": "Hello"}',
        },
    )
    assert station.last_call() == ("DataTransfer", body)

    response = await csms_lab.client.get(f"/api/v1/chargers/{ID}/data-transfer")
    history = response.json()
    (item,) = history["dataTransfers"]
    assert (response.status_code, history) == (
        200,
        {
            "chargeBoxId": ID,
            "dataTransfers": [
                {
                    "id": item["id"],
                    "direction": "outgoing",
                    "vendorId": "MyVendor",
                    "messageId": "GetDisplayMessage",
                    "data": '{"screen": 1}',
                    "responseStatus": "Accepted",
                    "responseData": '{"text": "Hello"}',
                    "createdAt": item["createdAt"],
                    "truncated": False,
                }
            ],
            "count": 1,
        },
    )


async def test_data_transfer_to_a_vendor_the_station_does_not_know(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    assert await post(csms_lab, "data-transfer", {"vendorId": "Other"}) == (
        200,
        {
            "message": "DataTransfer vendorId unknown to charger",
            "chargeBoxId": ID,
            "vendorId": "Other",
            "messageId": None,
            "status": "UnknownVendorId",
            "responseData": None,
        },
    )
    assert station.last_call() == ("DataTransfer", {"vendorId": "Other"})


async def test_a_raw_call_in_the_stations_words(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    payload = by_version(station, v16={"type": "Soft"}, v201={"type": "OnIdle"})
    assert await post(csms_lab, "call", {"action": "Reset", "payload": payload}) == (
        200,
        {
            "chargeBoxId": ID,
            "ocppVersion": station.version,
            "action": "Reset",
            "response": {"status": "Accepted"},
        },
    )
    assert station.received == [("Reset", payload)]


async def test_reservations_local_list_and_smart_charging(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    # Each body said in the station's version and taken by the library's schema checks.
    expiry = "2099-01-01T00:00:00Z"
    profile = {
        "id": 9,
        "stackLevel": 1,
        "purpose": "ChargePointMaxProfile",
        "kind": "Absolute",
        "schedule": {
            "chargingRateUnit": "W",
            "startSchedule": "2026-01-01T00:00:00Z",
            "periods": [{"startPeriod": 0, "limit": 11000, "numberPhases": 3}],
        },
    }
    calls = [
        ("reservation", {"connectorId": 1, "idTag": "TAG-1", "expiryDate": expiry}, "accepted"),
        ("reservation/cancel", {"reservationId": 3}, "accepted"),
        (
            "local-list",
            {
                "listVersion": 5,
                "updateType": "Full",
                "entries": [{"idTag": "TAG-1", "status": "Accepted"}],
            },
            "accepted",
        ),
        ("charging-profile", {"connectorId": 0, "chargingProfile": profile}, "accepted"),
        ("charging-profile/clear", {"purpose": "TxDefaultProfile", "stackLevel": 1}, "unknown"),
        ("composite-schedule", {"connectorId": 1, "duration": 300}, "accepted"),
    ]
    for path, body, status in calls:
        code, answer = await post(csms_lab, path, body)
        assert (path, code, answer["status"]) == (path, 200, status)
    assert await post(csms_lab, "local-list/version") == (
        200,
        {"chargeBoxId": ID, "listVersion": 5},
    )
    assert [action for action, _ in station.received] == [
        "ReserveNow",
        "CancelReservation",
        "SendLocalList",
        "SetChargingProfile",
        "ClearChargingProfile",
        "GetCompositeSchedule",
        "GetLocalListVersion",
    ]
    _, composite = await post(csms_lab, "composite-schedule", {"connectorId": 1, "duration": 300})
    assert composite["schedule"] == {
        "duration": 300,
        "chargingRateUnit": "A",
        "minChargingRate": None,
        "periods": [{"startPeriod": 0, "limit": 32.0, "numberPhases": None}],
    }


async def test_ca_certificates_installed_listed_and_deleted(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    # 1.6 security extension and 2.0.1 M05, M03, M04, each in the station's words.
    root = make_root("library CSMS root")
    hash_data = read_certificate(root.pem).hash_data()
    body = {"certificateType": "CSMSRootCertificate", "certificate": root.pem}
    code, installed = await post(csms_lab, "certificates/install", body)
    assert (code, installed["status"], installed["certificateHashData"]) == (
        200,
        "accepted",
        hash_data,
    )
    use = by_version(station, v16="CentralSystemRootCertificate", v201="CSMSRootCertificate")
    assert station.last_call() == (
        "InstallCertificate",
        {"certificateType": use, "certificate": root.pem},
    )
    assert station.certificates == [(use, hash_data)]

    code, listed = await post(
        csms_lab, "certificates/installed", {"certificateTypes": ["CSMSRootCertificate"]}
    )
    assert (code, listed["status"], listed["certificates"]) == (
        200,
        "accepted",
        [
            {
                "certificateType": "CSMSRootCertificate",
                "certificateHashData": hash_data,
                "childCertificateHashData": None,
            }
        ],
    )
    for status in ("accepted", "not_found"):
        code, deleted = await post(
            csms_lab, "certificates/delete", {"certificateHashData": hash_data}
        )
        assert (code, deleted["status"]) == (200, status)
    assert station.last_call() == ("DeleteCertificate", {"certificateHashData": hash_data})
    assert station.certificates == []
    code, listed = await post(csms_lab, "certificates/installed", {})
    assert (code, listed["status"], listed["certificates"]) == (200, "not_found", [])


async def test_a_certificate_the_station_refuses(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    station.script("InstallCertificate", status="Rejected")
    body = {"certificateType": "ManufacturerRootCertificate", "certificate": make_root().pem}
    code, answer = await post(csms_lab, "certificates/install", body)
    assert (code, answer["status"], answer["message"]) == (
        200,
        "rejected",
        "Certificate install rejected by charger",
    )


# The 2.0.1 operations without a 1.6 counterpart: the table's examples, taken by the library's
# schema checks; a report's parts come through the central system's handlers to the command.
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.path)
async def test_each_2_0_1_operation(csms_lab: StackLab, operation: Operation) -> None:
    async with booted(csms_lab, "2.0.1", ID) as station:
        status, answer = await post(csms_lab, operation.path, operation.example)
        assert (status, answer["action"]) == (200, operation.action), answer
        [(action, sent)] = station.received
        assert action == operation.action
        assert {k: v for k, v in sent.items() if k != "requestId"} == operation.example
        if operation.parts is None:
            assert answer["report"] is None
            return
        assert sent["requestId"] == answer["requestId"]
        parts = answer["report"]
        assert parts, operation.action
        assert {part["requestId"] for part in parts} == {answer["requestId"]}
        assert [part.get("tbc", False) for part in parts][-1] is False


async def test_a_2_0_1_operation_on_a_1_6_library_station_is_refused_unsent(
    csms_lab: StackLab,
) -> None:
    async with booted(csms_lab, "1.6", ID) as station:
        status, answer = await post(csms_lab, "display-messages", {"message": {}})
        assert status == 422
        assert answer["detail"].startswith("SetDisplayMessage is an OCPP 2.0.1 operation")
        assert station.received == []


# -- Configuration (1.6 GetConfiguration/ChangeConfiguration; 2.0.1 B06/B05) -----------------


async def test_get_configuration_of_a_1_6_charge_point(csms_lab: StackLab) -> None:
    async with booted(csms_lab, "1.6", ID) as station:
        body = {"key": ["HeartbeatInterval", "NumberOfConnectors", "NoSuchKey"]}
        assert await post(csms_lab, "configuration/get", body) == (
            200,
            {
                "chargeBoxId": ID,
                "configurationKey": [
                    {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                    {"key": "NumberOfConnectors", "readonly": True, "value": "1"},
                ],
                "unknownKey": ["NoSuchKey"],
            },
        )
        assert station.last_call() == ("GetConfiguration", body)

        status, every = await post(csms_lab, "configuration/get", {})
        assert (status, len(every["configurationKey"]), every["unknownKey"]) == (200, 3, [])
        assert station.last_call() == ("GetConfiguration", {})


async def test_b08_configuration_of_a_2_0_1_station_from_its_report(csms_lab: StackLab) -> None:
    async with booted(csms_lab, "2.0.1", ID) as station:
        body = {"key": ["OCPPCommCtrlr.HeartbeatInterval", "EVSE.Power", "No.Such"]}
        assert await post(csms_lab, "configuration/get", body) == (
            200,
            {
                "chargeBoxId": ID,
                "configurationKey": [
                    {"key": "OCPPCommCtrlr.HeartbeatInterval", "readonly": False, "value": "300"},
                    {"key": "EVSE.Power", "readonly": True, "value": "22000"},  # its mutability
                ],
                "unknownKey": ["No.Such"],
            },
        )
        action, sent = station.last_call()
        assert (action, sent["componentVariable"]) == (
            "GetReport",
            [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                {"component": {"name": "EVSE"}, "variable": {"name": "Power"}},
                {"component": {"name": "No"}, "variable": {"name": "Such"}},
            ],
        )
        # Without keys: the whole device model, from GetBaseReport FullInventory (B07).
        status, every = await post(csms_lab, "configuration/get", {})
        assert (status, [item["key"] for item in every["configurationKey"]]) == (
            200,
            list(station.configuration),
        )
        assert station.last_call()[1]["reportBase"] == "FullInventory"


async def test_b06_get_variables_of_a_2_0_1_station_without_reports(csms_lab: StackLab) -> None:
    async with booted(csms_lab, "2.0.1", ID) as station:
        station.answers["GetReport"] = NotSupportedError()  # B08 not implemented: B06 instead
        body = {"key": ["OCPPCommCtrlr.HeartbeatInterval", "OCPPCommCtrlr.NoSuch", "No.Such"]}
        assert await post(csms_lab, "configuration/get", body) == (
            200,
            {
                "chargeBoxId": ID,
                "configurationKey": [
                    {"key": "OCPPCommCtrlr.HeartbeatInterval", "readonly": False, "value": "300"}
                ],
                "unknownKey": ["OCPPCommCtrlr.NoSuch", "No.Such"],
            },
        )
        assert station.last_call() == (
            "GetVariables",
            {
                "getVariableData": [
                    {
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    },
                    {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NoSuch"}},
                    {"component": {"name": "No"}, "variable": {"name": "Such"}},
                ]
            },
        )


# A writable key, a read-only key and an unknown key of each version's configuration.
KEYS = {
    "1.6": ("HeartbeatInterval", "NumberOfConnectors", "NoSuchKey"),
    "2.0.1": ("OCPPCommCtrlr.HeartbeatInterval", "EVSE.Power", "OCPPCommCtrlr.NoSuch"),
}


async def test_change_configuration_is_read_back(
    csms_lab: StackLab, station: LibraryStation
) -> None:
    key = KEYS[station.version][0]
    assert await post(csms_lab, "configuration/change", {"key": key, "value": "600"}) == (
        200,
        {
            "chargeBoxId": ID,
            "key": key,
            "value": "600",
            "status": "Accepted",
            "message": "Configuration changed successfully",
        },
    )
    component, _, variable = key.rpartition(".")
    assert station.last_call() == by_version(
        station,
        v16=("ChangeConfiguration", {"key": key, "value": "600"}),
        v201=(
            "SetVariables",
            {
                "setVariableData": [
                    {
                        "component": {"name": component},
                        "variable": {"name": variable},
                        "attributeValue": "600",
                    }
                ]
            },
        ),
    )
    _, answer = await post(csms_lab, "configuration/get", {"key": [key]})
    assert answer["configurationKey"] == [{"key": key, "readonly": False, "value": "600"}]


@pytest.mark.parametrize(
    ("which", "status", "message"),
    [
        (1, "Rejected", "Configuration change rejected by charger"),
        (2, "NotSupported", "Configuration key not supported by charger"),
    ],
)
async def test_change_configuration_refused(
    csms_lab: StackLab, station: LibraryStation, which: int, status: str, message: str
) -> None:
    key = KEYS[station.version][which]
    assert await post(csms_lab, "configuration/change", {"key": key, "value": "1"}) == (
        200,
        {"chargeBoxId": ID, "key": key, "value": "1", "status": status, "message": message},
    )


# -- Refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "action", "answer", "expected"),
    [
        (
            "reset",
            {"type": "Soft"},
            "Reset",
            "Rejected",
            {"message": "Soft reset rejected by charger", "type": "Soft", "status": "rejected"},
        ),
        (
            "unlock",
            {"connectorId": 1},
            "UnlockConnector",
            "UnlockFailed",
            {"message": "Connector unlock failed", "connectorId": 1, "status": "unlock_failed"},
        ),
        (
            "cache/clear",
            None,
            "ClearCache",
            "Rejected",
            {"message": "Cache clear rejected by charger", "status": "rejected"},
        ),
        (
            "trigger",
            {"requestedMessage": "MeterValues", "connectorId": 1},
            "TriggerMessage",
            "NotImplemented",
            {
                "message": "MeterValues trigger not implemented by charger",
                "requestedMessage": "MeterValues",
                "connectorId": 1,
                "status": "not_implemented",
            },
        ),
        (
            "availability",
            {"connectorId": 1, "type": "Inoperative"},
            "ChangeAvailability",
            "Scheduled",
            {
                "message": "Availability change to Inoperative scheduled by charger",
                "connectorId": 1,
                "type": "Inoperative",
                "status": "scheduled",
            },
        ),
        (
            "data-transfer",
            {"vendorId": "MyVendor", "messageId": "M"},
            "DataTransfer",
            "Rejected",
            {
                "message": "DataTransfer rejected by charger",
                "vendorId": "MyVendor",
                "messageId": "M",
                "status": "Rejected",
                "responseData": None,
            },
        ),
    ],
)
async def test_the_stations_refusal_in_the_apis_words(
    csms_lab: StackLab,
    station: LibraryStation,
    path: str,
    body: Any,
    action: str,
    answer: str,
    expected: dict[str, Any],
) -> None:
    station.script(action, status=answer)
    assert await post(csms_lab, path, body) == (200, {"chargeBoxId": ID, **expected})
    assert station.last_call()[0] == action


async def test_l01_firmware_update_rejected_by_a_2_0_1_station(csms_lab: StackLab) -> None:
    async with booted(csms_lab, "2.0.1", ID) as station:
        station.script("UpdateFirmware", status="Rejected")
        status, answer = await post(csms_lab, "firmware/update", FIRMWARE)
        assert (status, answer["message"], answer["status"]) == (
            200,
            "Firmware update rejected by charger",
            "rejected",
        )


async def test_n01_log_upload_rejected_by_a_2_0_1_station(csms_lab: StackLab) -> None:
    async with booted(csms_lab, "2.0.1", ID) as station:
        station.script("GetLog", status="Rejected")
        assert await post(csms_lab, "diagnostics", {"location": "ftp://uploads.example.com/"}) == (
            200,
            {
                "message": "Diagnostics upload rejected by charger",
                "chargeBoxId": ID,
                "location": "ftp://uploads.example.com/",
                "fileName": None,
                "status": "rejected",
            },
        )


async def test_diagnostics_of_a_1_6_charge_point_with_nothing_to_upload(
    csms_lab: StackLab,
) -> None:
    async with booted(csms_lab, "1.6", ID) as station:
        station.script("GetDiagnostics")  # no fileName: nothing to upload (1.6 section 6.27)
        status, answer = await post(csms_lab, "diagnostics", {"location": "ftp://up.example.com/"})
        assert (status, answer["fileName"], answer["status"]) == (200, None, "accepted")
