"""``configuration/get`` on a 2.0.1 station that gives no report (B07 for ``{}``, B08 for keys):
it is asked with GetVariables instead (the standard variables for ``{}``); one that promises a
report and never sends it is a 504, and nothing is left waiting."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.api import ApiSettings
from chargeyard.csms.commands import STANDARD_VARIABLES_201
from tests.api.conftest import ApiLab


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=0.3)


def station(base_report: list[Any] | None) -> Any:
    """A bare 2.0.1 station answering GetBaseReport and GetReport with ``base_report`` (a
    CALLRESULT's payload, or a CALLERROR's [code, description]) and every GetVariables with
    each variable's name as its value."""

    def answer(call: list[Any]) -> list[Any] | None:
        _, unique_id, action, payload = call
        if action in ("GetBaseReport", "GetReport"):
            if base_report is None:
                return None
            if isinstance(base_report, list):
                return [4, unique_id, *base_report, {}]
            return [3, unique_id, base_report]
        results = [
            {
                "attributeStatus": "Accepted",
                "attributeValue": item["variable"]["name"],
                "component": item["component"],
                "variable": item["variable"],
            }
            for item in payload["getVariableData"]
        ]
        return [3, unique_id, {"getVariableResult": results}]

    return answer


def asked_by_name(lab: ApiLab) -> list[str]:
    _, action, payload = lab.registry.sent[-1]
    assert action == "GetVariables"
    return [
        f"{item['component']['name']}.{item['variable']['name']}"
        for item in payload["getVariableData"]
    ]


@pytest.mark.parametrize(
    "base_report",
    [{"status": "NotSupported"}, ["NotImplemented", "no device model reports"]],
    ids=["NotSupported", "CALLERROR"],
)
async def test_a_station_without_a_full_report_is_asked_by_name(
    lab: ApiLab, base_report: Any
) -> None:
    await lab.raw_peer("CS-OLD", station(base_report), "ocpp2.0.1")
    response = await lab.post("CS-OLD", "configuration/get", {})
    assert response.status_code == 200
    assert [item["key"] for item in response.json()["configurationKey"]] == list(
        STANDARD_VARIABLES_201
    )
    assert asked_by_name(lab) == list(STANDARD_VARIABLES_201)
    assert len(lab.registry.reports) == 0


@pytest.mark.parametrize(
    "base_report",
    [{"status": "NotSupported"}, ["NotImplemented", "no device model reports"]],
    ids=["NotSupported", "CALLERROR"],
)
async def test_keys_of_a_station_without_reports_are_read_by_name(
    lab: ApiLab, base_report: Any
) -> None:
    await lab.raw_peer("CS-OLD", station(base_report), "ocpp2.0.1")
    body = {"key": ["SecurityCtrlr.Identity", "NoComponent"]}
    response = await lab.post("CS-OLD", "configuration/get", body)
    assert response.json() == {
        "chargeBoxId": "CS-OLD",
        # GetVariables says nothing of mutability: readonly false, even for this one.
        "configurationKey": [
            {"key": "SecurityCtrlr.Identity", "readonly": False, "value": "Identity"}
        ],
        "unknownKey": ["NoComponent"],
    }
    assert [action for _, action, _ in lab.registry.sent] == ["GetReport", "GetVariables"]
    assert asked_by_name(lab) == ["SecurityCtrlr.Identity"]


async def test_1_6_keys_of_a_station_without_reports_are_answered_by_their_own_name(
    lab: ApiLab,
) -> None:
    await lab.raw_peer("CS-OLD", station({"status": "NotSupported"}), "ocpp2.0.1")
    body = {"key": ["HeartbeatInterval", "OCPPCommCtrlr.HeartbeatInterval"]}
    response = await lab.post("CS-OLD", "configuration/get", body)
    assert response.json()["configurationKey"] == [
        {"key": "HeartbeatInterval", "readonly": False, "value": "HeartbeatInterval"},
        {"key": "OCPPCommCtrlr.HeartbeatInterval", "readonly": False, "value": "HeartbeatInterval"},
    ]
    assert asked_by_name(lab) == ["OCPPCommCtrlr.HeartbeatInterval"]  # asked once


async def test_an_empty_device_model_is_an_empty_answer(lab: ApiLab) -> None:
    await lab.raw_peer("CS-EMPTY", station({"status": "EmptyResultSet"}), "ocpp2.0.1")
    response = await lab.post("CS-EMPTY", "configuration/get", {})
    assert response.json() == {
        "chargeBoxId": "CS-EMPTY",
        "configurationKey": [],
        "unknownKey": [],
    }
    # B08: EmptyResultSet for named variables: none of them is there.
    response = await lab.post("CS-EMPTY", "configuration/get", {"key": ["A.B", "C.D"]})
    assert response.json()["unknownKey"] == ["A.B", "C.D"]


async def test_504_when_the_promised_report_never_comes(lab: ApiLab) -> None:
    await lab.raw_peer("CS-MUTE", station({"status": "Accepted"}), "ocpp2.0.1")
    response = await lab.post("CS-MUTE", "configuration/get", {})
    assert (response.status_code, response.json()) == (
        504,
        {"detail": "charger CS-MUTE did not answer NotifyReport within 0.3 s"},
    )
    assert len(lab.registry.reports) == 0
