"""The OCPP 2.0.1 operations without a 1.6 counterpart, against chargeyard's 2.0.1 station:
each body sent as written, the answer as it came, a report's parts returned with it; a 1.6
charger and a body that breaks the schema are 422 with nothing sent."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.csms.commands.device_model import OPERATIONS
from chargeyard.protocol import V201
from chargeyard.protocol.initiators import CSMS_INITIATED
from tests.api.conftest import ApiLab

ID = "CS-201"


@pytest.fixture
async def lab201(lab: ApiLab) -> ApiLab:
    await lab.station(ID, "2.0.1")
    lab.registry.sent.clear()
    return lab


async def _post(lab: ApiLab, path: str, body: Any, identity: str = ID) -> tuple[int, Any]:
    response = await lab.post(identity, path, body)
    return response.status_code, response.json()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.path for o in OPERATIONS])
def test_each_example_is_a_request_the_schema_takes(operation: Any) -> None:
    assert operation.action in CSMS_INITIATED[V201]
    example = dict(operation.example)
    if operation.parts is not None:
        example["requestId"] = 1
    V201.schemas.check_request(operation.action, example)


def test_each_operation_has_a_path_of_its_own() -> None:
    assert len({operation.path for operation in OPERATIONS}) == len(OPERATIONS)


async def test_b06_many_variables_in_one_call(lab201: ApiLab) -> None:
    body = {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "Identity"}},
            {"component": {"name": "NoSuch"}, "variable": {"name": "Thing"}},
        ]
    }
    status, answer = await _post(lab201, "variables/get", body)
    assert status == 200
    assert (answer["action"], answer["status"], answer["report"]) == ("GetVariables", None, None)
    results = answer["response"]["getVariableResult"]
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in results] == [
        ("Accepted", "300"),
        ("Accepted", ID),
        ("UnknownComponent", None),
    ]
    assert lab201.last_call() == ("GetVariables", body)


async def test_b05_many_variables_set_in_one_call(lab201: ApiLab) -> None:
    body = {
        "setVariableData": [
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "attributeValue": "120",
            },
            {
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "Identity"},
                "attributeValue": "other",
            },
        ]
    }
    status, answer = await _post(lab201, "variables/set", body)
    assert status == 200
    results = answer["response"]["setVariableResult"]
    assert [r["attributeStatus"] for r in results] == ["Accepted", "Rejected"]
    assert lab201.runtimes[0].station.heartbeat_interval == 120


async def test_b07_a_base_report_comes_back_with_its_parts(lab201: ApiLab) -> None:
    status, answer = await _post(lab201, "report/base", {"reportBase": "ConfigurationInventory"})
    assert (status, answer["status"]) == (200, "Accepted")
    parts = answer["report"]
    assert [part["seqNo"] for part in parts] == list(range(len(parts)))
    assert all(part["requestId"] == answer["requestId"] for part in parts)
    variables = {
        (item["component"]["name"], item["variable"]["name"])
        for part in parts
        for item in part.get("reportData", [])
    }
    assert ("OCPPCommCtrlr", "HeartbeatInterval") in variables
    action, sent = lab201.last_call()
    assert (action, sent["requestId"]) == ("GetBaseReport", answer["requestId"])
    assert len(lab201.registry.reports) == 0  # nothing left waiting


async def test_b08_a_custom_report_with_the_callers_request_id(lab201: ApiLab) -> None:
    body = {"requestId": 42, "componentVariable": [{"component": {"name": "SecurityCtrlr"}}]}
    status, answer = await _post(lab201, "report", body)
    assert (status, answer["requestId"], answer["status"]) == (200, 42, "Accepted")
    names = [item["variable"]["name"] for part in answer["report"] for item in part["reportData"]]
    assert "Identity" in names


async def test_an_empty_report_has_no_parts(lab201: ApiLab) -> None:
    body = {"componentVariable": [{"component": {"name": "NoSuchComponent"}}]}
    status, answer = await _post(lab201, "report", body)
    assert (status, answer["status"], answer["report"]) == (200, "EmptyResultSet", None)


async def test_k09_the_charging_profiles_a_station_holds(lab201: ApiLab) -> None:
    profile = {
        "id": 5,
        "stackLevel": 0,
        "purpose": "TxDefaultProfile",
        "kind": "Relative",
        "schedule": {"chargingRateUnit": "A", "periods": [{"startPeriod": 0, "limit": 12}]},
    }
    status, answer = await _post(
        lab201, "charging-profile", {"connectorId": 1, "chargingProfile": profile}
    )
    assert (status, answer["status"]) == (200, "accepted"), answer
    body = {"chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"}}
    status, answer = await _post(lab201, "charging-profiles/get", body)
    assert (status, answer["status"]) == (200, "Accepted")
    profiles = [p["id"] for part in answer["report"] for p in part["chargingProfile"]]
    assert profiles == [5]


async def test_an_operation_1_6_does_not_have_is_refused_unsent(lab: ApiLab) -> None:
    await lab.station("CP-16", "1.6")
    lab.registry.sent.clear()
    status, answer = await _post(lab, "report/base", {"reportBase": "FullInventory"}, "CP-16")
    assert (status, answer) == (
        422,
        {"detail": "GetBaseReport is an OCPP 2.0.1 operation (B07); charger CP-16 speaks OCPP 1.6"},
    )
    assert lab.registry.sent == []


@pytest.mark.parametrize(
    ("path", "body", "complaint"),
    [
        (
            "monitoring/level",
            {"severity": "high"},
            'SetMonitoringLevelRequest: "high" is not of type "integer" at /severity',
        ),
        (
            "report/base",
            {"reportBase": "Everything"},
            'GetBaseReportRequest: "Everything" is not one of',
        ),
        ("variables/get", {}, 'GetVariablesRequest: "getVariableData" is a required property'),
    ],
)
async def test_a_body_that_breaks_the_schema_is_refused_unsent(
    lab201: ApiLab, path: str, body: Any, complaint: str
) -> None:
    status, answer = await _post(lab201, path, body)
    assert status == 422
    assert answer["detail"].startswith(f"not valid for the charger's OCPP version: {complaint}")
    assert lab201.registry.sent == []
    assert len(lab201.registry.reports) == 0


async def test_an_operation_the_station_does_not_implement_is_its_callerror(
    lab201: ApiLab,
) -> None:
    status, answer = await _post(lab201, "monitoring/level", {"severity": 5})
    assert status == 502
    assert answer["detail"].startswith(
        f"charger {ID} answered SetMonitoringLevel with NotSupported"
    )
