"""A 2.0.1 station's limit on one request's items, as it told the central system (here in the
answer to a GetVariables the API sent): the commands send a longer request in as many as fit
and answer with every result in order (B06.FR.05, B05.FR.11, N06.FR.04); the raw call, one
CALL as written, refuses it with a 422 naming the limit and the command that cuts it."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiLab

ID = "CS-LIMITED"
AT_ONCE = 2
LIMITS = {
    ("DeviceDataCtrlr", "GetVariables"): AT_ONCE,
    ("MonitoringCtrlr", "ClearVariableMonitoring"): AT_ONCE,
}


def _item(component: str, name: str, instance: str | None = None) -> dict[str, Any]:
    variable: dict[str, Any] = {"name": name}
    if instance is not None:
        variable["instance"] = instance
    return {"component": {"name": component}, "variable": variable}


def _answer(call: list[Any]) -> list[Any]:
    """A station that takes AT_ONCE items: its limits told, every other variable "1"."""
    _, unique_id, action, payload = call
    if action == "GetReport":  # no reports: configuration/get asks with GetVariables
        return [4, unique_id, "NotSupported", "", {}]
    if action == "ClearVariableMonitoring":
        results = [{"status": "NotFound", "id": n} for n in payload["id"]]
        return [3, unique_id, {"clearMonitoringResult": results}]
    answered = []
    for item in payload["getVariableData"]:
        limit = (item["component"]["name"], item["variable"].get("instance"))
        value = LIMITS.get(limit, 1) if item["variable"]["name"] == "ItemsPerMessage" else 1
        answered.append({**item, "attributeStatus": "Accepted", "attributeValue": str(value)})
    return [3, unique_id, {"getVariableResult": answered}]


async def _told(lab: ApiLab) -> None:
    """The station, and the API's GetVariables of its limits."""
    await lab.raw_peer(ID, _answer, "ocpp2.0.1")
    limits = [
        _item("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables"),
        _item("MonitoringCtrlr", "ItemsPerMessage", "ClearVariableMonitoring"),
    ]
    response = await lab.post(ID, "variables/get", {"getVariableData": limits})
    assert response.status_code == 200
    lab.registry.sent.clear()


async def test_b06_fr_05_variables_get_goes_in_as_many_requests_as_the_station_takes(
    lab: ApiLab,
) -> None:
    await _told(lab)
    wanted = [_item("OCPPCommCtrlr", name) for name in ("A", "B", "C", "D", "E")]
    response = await lab.post(ID, "variables/get", {"getVariableData": wanted})
    assert response.status_code == 200
    sent = [payload["getVariableData"] for _, _, payload in lab.registry.sent]
    assert sent == [wanted[:2], wanted[2:4], wanted[4:]]
    results = response.json()["response"]["getVariableResult"]
    assert [result["variable"]["name"] for result in results] == ["A", "B", "C", "D", "E"]


async def test_b06_fr_05_configuration_get_asks_in_as_many_requests_too(lab: ApiLab) -> None:
    await _told(lab)
    keys = ["OCPPCommCtrlr.A", "OCPPCommCtrlr.B", "OCPPCommCtrlr.C"]
    response = await lab.post(ID, "configuration/get", {"key": keys})
    assert response.status_code == 200
    assert [item["key"] for item in response.json()["configurationKey"]] == keys
    asked = [
        [item["variable"]["name"] for item in payload["getVariableData"]]
        for _, action, payload in lab.registry.sent
        if action == "GetVariables"
    ]
    assert asked == [["A", "B"], ["C"]]


async def test_n06_fr_04_monitoring_clear_goes_in_as_many_requests_as_the_station_takes(
    lab: ApiLab,
) -> None:
    await _told(lab)
    response = await lab.post(ID, "monitoring/clear", {"id": [7, 8, 9]})
    assert response.status_code == 200
    assert [payload for _, _, payload in lab.registry.sent] == [{"id": [7, 8]}, {"id": [9]}]
    assert response.json()["response"] == {
        "clearMonitoringResult": [{"status": "NotFound", "id": n} for n in (7, 8, 9)]
    }


async def test_the_raw_call_refuses_more_than_the_station_takes_and_sends_nothing(
    lab: ApiLab,
) -> None:
    await _told(lab)
    body = {"action": "ClearVariableMonitoring", "payload": {"id": [7, 8, 9]}}
    response = await lab.post(ID, "call", body)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"ClearVariableMonitoring to charger {ID} carries 3 id items, and the station takes at"
        " most 2 in one ClearVariableMonitoring"
        " (MonitoringCtrlr.ItemsPerMessage[ClearVariableMonitoring], as it reported); a raw"
        f" call is one CALL as written: POST /api/v1/chargers/{ID}/monitoring/clear sends it"
        " in as many as the station takes"
    )
    assert lab.registry.sent == []
    body = {"action": "ClearVariableMonitoring", "payload": {"id": [7, 8]}}
    assert (await lab.post(ID, "call", body)).status_code == 200
    assert [payload for _, _, payload in lab.registry.sent] == [{"id": [7, 8]}]


async def test_without_a_limit_told_a_request_goes_as_written(lab: ApiLab) -> None:
    await lab.raw_peer(ID, _answer, "ocpp2.0.1")
    wanted = [_item("OCPPCommCtrlr", name) for name in ("A", "B", "C")]
    response = await lab.post(ID, "variables/get", {"getVariableData": wanted})
    assert response.status_code == 200
    assert [payload for _, _, payload in lab.registry.sent] == [{"getVariableData": wanted}]
