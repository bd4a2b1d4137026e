"""The OCPP 2.1 operations of ``/api/v1`` (``csms/commands/operations_21.py``): each example a
request the 2.1 schema takes, each body sent as written and the station's answer returned as it
came; RequestBatterySwap gets a requestId the central system picks when the caller names none.
Their error statuses are in ``test_error_matrix.py``; against a station that implements them,
``test_central_system_21_stack.py``."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.csms.commands.device_model import OPERATIONS, Operation
from chargeyard.csms.commands.operations_21 import OPERATIONS_21
from chargeyard.protocol import V21
from chargeyard.protocol.initiators import CSMS_INITIATED
from tests.api.conftest import ApiLab

ID = "CS-21"


def _accepting(call: list[Any]) -> list[Any]:
    return [3, call[1], {"status": "Accepted"} if call[2] != "GetPeriodicEventStream" else {}]


@pytest.fixture
async def lab21(lab: ApiLab) -> ApiLab:
    await lab.raw_peer(ID, _accepting, "ocpp2.1")
    return lab


@pytest.mark.parametrize("operation", OPERATIONS_21, ids=[o.path for o in OPERATIONS_21])
def test_each_example_is_a_2_1_request_the_schema_takes(operation: Operation) -> None:
    assert operation.since is V21
    assert operation.action in CSMS_INITIATED[V21]
    example = dict(operation.example)
    if operation.numbered:
        example["requestId"] = 1
    V21.schemas.check_request(operation.action, example)


def test_each_operation_has_a_path_of_its_own() -> None:
    paths = [operation.path for operation in (*OPERATIONS, *OPERATIONS_21)]
    assert len(set(paths)) == len(paths)


@pytest.mark.parametrize("operation", OPERATIONS_21, ids=[o.path for o in OPERATIONS_21])
async def test_each_body_is_sent_as_written_and_the_answer_returned(
    lab21: ApiLab, operation: Operation
) -> None:
    body = {**operation.example, "requestId": 9} if operation.numbered else operation.example
    response = await lab21.post(ID, operation.path, body)
    expected = {} if operation.action == "GetPeriodicEventStream" else {"status": "Accepted"}
    assert (response.status_code, response.json()) == (
        200,
        {
            "chargeBoxId": ID,
            "action": operation.action,
            "requestId": 9 if operation.numbered else None,
            "status": expected.get("status"),
            "response": expected,
            "report": None,
        },
    )
    assert lab21.last_call() == (operation.action, body)


async def test_a_battery_swap_without_a_request_id_gets_one(lab21: ApiLab) -> None:
    token = {"idToken": "04A1B2C3D4", "type": "ISO14443"}
    response = await lab21.post(ID, "battery-swap", {"idToken": token})
    assert response.status_code == 200
    request_id = response.json()["requestId"]
    assert isinstance(request_id, int)
    assert lab21.last_call() == ("RequestBatterySwap", {"idToken": token, "requestId": request_id})
