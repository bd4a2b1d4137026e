"""``POST /chargers/{id}/call``: any action a central system sends, in the words of the
station's version, checked against the official schema before it goes, answered as the station
answered. The error statuses every command shares are in ``test_error_matrix.py``."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V16, V201
from chargeyard.protocol.initiators import CSMS_INITIATED
from tests.api.conftest import ApiLab


async def test_a_1_6_action_the_api_has_no_endpoint_for(lab: ApiLab) -> None:
    await lab.station("CP-16", V16)
    body = {"action": "GetLocalListVersion", "payload": {}}
    response = await lab.post("CP-16", "call", body)
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": "CP-16",
            "ocppVersion": "1.6",
            "action": "GetLocalListVersion",
            "response": {"listVersion": 0},
        },
    )
    assert lab.last_call() == ("GetLocalListVersion", {})


async def test_a_2_0_1_action_is_sent_as_written(lab: ApiLab) -> None:
    await lab.station("CS-201", V201)
    payload = {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        ]
    }
    response = await lab.post("CS-201", "call", {"action": "GetVariables", "payload": payload})
    assert response.status_code == 200
    assert response.json()["response"] == {
        "getVariableResult": [
            {
                "attributeStatus": "Accepted",
                "attributeType": "Actual",
                "attributeValue": "300",
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
            }
        ]
    }
    assert lab.last_call() == ("GetVariables", payload)


async def test_the_answer_is_the_stations_own(lab: ApiLab) -> None:
    # Optional fields and their order as the station wrote them, nothing added or dropped.
    def answer(call: list[Any]) -> list[Any]:
        return [3, call[1], {"status": "Accepted", "data": '{"b": 1, "a": [2]}'}]

    await lab.raw_peer("CP-RAW", answer)
    body = {"action": "DataTransfer", "payload": {"vendorId": "com.example", "messageId": "X"}}
    response = await lab.post("CP-RAW", "call", body)
    assert response.json()["response"] == {"status": "Accepted", "data": '{"b": 1, "a": [2]}'}


@pytest.mark.parametrize(
    ("action", "why"),
    [
        ("BootNotification", "BootNotification is sent by the charging station in OCPP 1.6"),
        ("RequestStartTransaction", "RequestStartTransaction is no action in OCPP 1.6"),
        ("Reboot", "Reboot is no action in OCPP 1.6"),
    ],
)
async def test_an_action_the_central_system_does_not_send_is_refused_unsent(
    lab: ApiLab, action: str, why: str
) -> None:
    await lab.station("CP-16", V16)
    lab.registry.sent.clear()
    response = await lab.post("CP-16", "call", {"action": action, "payload": {}})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == f"{why}; a central system sends " + ", ".join(sorted(CSMS_INITIATED[V16]))
    assert lab.registry.sent == []


@pytest.mark.parametrize(
    ("payload", "complaint"),
    [
        ({"type": "Medium"}, 'Reset: "Medium" is not one of "Hard" or "Soft" at /type'),
        ({}, 'Reset: "type" is a required property'),
        ({"type": "Soft", "evseId": 1}, "Reset: Additional properties are not allowed"),
    ],
    ids=["enum", "required", "additional"],
)
async def test_a_payload_that_breaks_the_schema_is_refused_unsent_with_the_complaint(
    lab: ApiLab, payload: dict[str, Any], complaint: str
) -> None:
    await lab.station("CP-16", V16)
    lab.registry.sent.clear()
    response = await lab.post("CP-16", "call", {"action": "Reset", "payload": payload})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(f"not valid for the charger's OCPP version: {complaint}")
    assert lab.registry.sent == []
    assert lab.runtimes[0].station.registration.value == "Accepted"  # not reset


async def test_an_answer_that_breaks_the_response_schema_is_a_502(lab: ApiLab) -> None:
    await lab.raw_peer("CP-BAD", lambda call: [3, call[1], {"status": "Maybe"}])
    response = await lab.post("CP-BAD", "call", {"action": "ClearCache"})
    assert response.status_code == 502
    assert response.json()["detail"].startswith(
        "charger CP-BAD answered ClearCache with an invalid payload: "
    )


async def test_the_payload_defaults_to_an_empty_one(lab: ApiLab) -> None:
    await lab.station("CP-16", V16)
    response = await lab.post("CP-16", "call", {"action": "ClearCache"})
    assert response.json()["response"] == {"status": "Accepted"}
    assert lab.last_call() == ("ClearCache", {})
