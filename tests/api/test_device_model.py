"""The OCPP 2.0.1 operations without a 1.6 counterpart, against chargeyard's 2.0.1 station:
each body sent as written, the station's answer as it came (every one of them: the station
implements them all), a report's parts returned with it; a 1.6 charger and a body that breaks
the schema are 422 with nothing sent."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.csms.commands.device_model import OPERATIONS
from chargeyard.protocol import V16, V201
from chargeyard.protocol.initiators import CSMS_INITIATED
from tests.api.conftest import ApiLab

ID = "CS-201"


@pytest.fixture
async def lab201(lab: ApiLab) -> ApiLab:
    await lab.station(ID, V201)
    lab.registry.sent.clear()
    return lab


async def _post(lab: ApiLab, path: str, body: Any, identity: str = ID) -> tuple[int, Any]:
    response = await lab.post(identity, path, body)
    return response.status_code, response.json()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.path for o in OPERATIONS])
def test_each_example_is_a_request_the_schema_takes(operation: Any) -> None:
    assert operation.action in CSMS_INITIATED[V201]
    example = dict(operation.example)
    if operation.parts is not None or operation.numbered:  # the requestId is added
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
    await lab.station("CP-16", V16)
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


# What chargeyard's 2.0.1 station answers each example of the table, fresh from its boot.
_POWER = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}
_HEARTBEAT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
_PASSWORD = {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}
ANSWERS: dict[str, Any] = {
    "variables/get": {
        "getVariableResult": [
            {"attributeStatus": "Accepted", "attributeType": "Actual", **_HEARTBEAT}
            | {"attributeValue": "300"},
            {"attributeStatus": "Accepted", "attributeType": "MaxSet", **_POWER}
            | {"attributeValue": "7360"},
        ]
    },
    "variables/set": {
        "setVariableResult": [
            {"attributeStatus": "Accepted", "attributeType": "Actual", **_HEARTBEAT}
        ]
    },
    "report/base": {"status": "Accepted"},
    "report": {"status": "Accepted"},
    # B09: security profile 1 is Basic authentication over ws://, which the station speaks.
    "network-profile": {"status": "Accepted"},
    "monitoring/set": {
        "setMonitoringResult": [
            {"status": "Accepted", "id": 2, "type": "Delta", "severity": 8, **_POWER}
        ]
    },
    "monitoring/base": {"status": "Accepted"},
    "monitoring/level": {"status": "Accepted"},
    "monitoring/clear": {  # 1 is the station's hard-wired monitor; 2 was never set
        "clearMonitoringResult": [
            {"status": "Rejected", "id": 1},
            {"status": "NotFound", "id": 2},
        ]
    },
    "monitoring/report": {"status": "Accepted"},
    "customer-information": {"status": "Accepted"},
    "charging-profiles/get": {"status": "NoProfiles"},
    "display-messages": {"status": "Accepted"},
    "display-messages/get": {"status": "Unknown"},  # none set yet
    "display-messages/clear": {"status": "Unknown"},
    "cost-updated": {},
    # A Local Controller's (L03, L04): chargeyard's station is none, and says so.
    "firmware/publish": None,
    "firmware/unpublish": None,
    "transaction-status": {"ongoingIndicator": False, "messagesInQueue": False},
}
# The report parts that follow (without generatedAt, the station's wall clock).
PARTS: dict[str, list[Any]] = {
    "monitoring/report": [
        {
            "seqNo": 0,
            "monitor": [
                {
                    **_PASSWORD,
                    "variableMonitoring": [
                        {"id": 1, "transaction": False, "value": 1, "type": "Delta", "severity": 7}
                    ],
                }
            ],
        }
    ],
    "customer-information": [{"seqNo": 0, "data": "No data found"}],
}


def test_every_operation_has_the_answer_of_chargeyards_station() -> None:
    assert sorted(ANSWERS) == sorted(operation.path for operation in OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.path for o in OPERATIONS])
async def test_each_operation_answers_with_the_stations_answer(
    lab201: ApiLab, operation: Any
) -> None:
    status, answer = await _post(lab201, operation.path, operation.example)
    expected = ANSWERS[operation.path]
    if expected is None:  # sent, and answered CALLERROR NotSupported
        assert (status, answer["errorCode"]) == (502, "NotSupported"), answer
        action, sent = lab201.last_call()
        assert (action, {k: v for k, v in sent.items() if k != "requestId"}) == (
            operation.action,
            operation.example,
        )
        return
    assert status == 200, answer
    assert (answer["action"], answer["response"]) == (operation.action, expected)
    assert answer["status"] == expected.get("status")
    assert lab201.last_call()[0] == operation.action
    if operation.path in PARTS:
        parts = [
            {k: v for k, v in part.items() if k not in ("generatedAt", "requestId")}
            for part in answer["report"]
        ]
        assert parts == PARTS[operation.path]
        assert {part["requestId"] for part in answer["report"]} == {answer["requestId"]}
    elif operation.parts is not None and expected.get("status") != "Accepted":
        assert answer["report"] is None
    assert len(lab201.registry.reports) == 0


async def test_o01_o04_a_display_message_set_and_read_back(lab201: ApiLab) -> None:
    message = {
        "id": 7,
        "priority": "InFront",
        "state": "Idle",
        "message": {"format": "ASCII", "content": "Out of order from 6 pm"},
    }
    status, answer = await _post(lab201, "display-messages", {"message": message})
    assert (status, answer["response"]) == (200, {"status": "Accepted"})
    status, answer = await _post(lab201, "display-messages/get", {"id": [7]})
    assert (status, answer["response"]) == (200, {"status": "Accepted"})
    assert answer["report"] == [{"requestId": answer["requestId"], "messageInfo": [message]}]
    status, answer = await _post(lab201, "display-messages/clear", {"id": 7})
    assert (status, answer["response"]) == (200, {"status": "Accepted"})


async def test_n04_n02_a_monitor_set_is_in_the_monitoring_report(lab201: ApiLab) -> None:
    body = {
        "setMonitoringData": [{**_POWER, "type": "UpperThreshold", "value": 7000, "severity": 2}]
    }
    status, answer = await _post(lab201, "monitoring/set", body)
    assert (status, answer["response"]["setMonitoringResult"][0]["id"]) == (200, 2)
    body = {"monitoringCriteria": ["ThresholdMonitoring"], "componentVariable": [_POWER]}
    status, answer = await _post(lab201, "monitoring/report", body)
    assert (status, answer["status"]) == (200, "Accepted")
    [part] = answer["report"]
    assert part["monitor"] == [
        {
            **_POWER,
            "variableMonitoring": [
                {
                    "id": 2,
                    "transaction": False,
                    "value": 7000,
                    "type": "UpperThreshold",
                    "severity": 2,
                }
            ],
        }
    ]
