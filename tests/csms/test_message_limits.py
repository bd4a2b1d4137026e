"""The items and bytes a 2.0.1 station takes in one request, as it reported them to the central
system, and a request cut to fit (B06.FR.05, B05.FR.11, N06.FR.04: ``csms/message_limits.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from chargeyard.csms.message_limits import (
    MessageLimits,
    StoredLimits,
    TooLarge,
    batches,
    joined,
    refusal,
)
from chargeyard.protocol import V201
from chargeyard.protocol.frames import encode_call
from chargeyard.store import Store
from chargeyard.store.models import CallOutcome, NotificationKind
from chargeyard.store.repositories import NewSentCommand

ID = "CS-LIMITS"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _get(*names: str) -> dict[str, object]:
    return {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": name}} for name in names
        ]
    }


def _limit(component: str, name: str, instance: str) -> dict[str, object]:
    return {"component": {"name": component}, "variable": {"name": name, "instance": instance}}


def test_b06_fr_05_a_get_variables_is_cut_to_the_items_the_station_takes() -> None:
    payload = _get("A", "B", "C", "D", "E")
    assert batches("GetVariables", payload, MessageLimits(items=2)) == [
        _get("A", "B"),
        _get("C", "D"),
        _get("E"),
    ]
    assert batches("GetVariables", payload, MessageLimits(items=5)) == [payload]
    assert batches("GetVariables", payload, MessageLimits()) == [payload]


def test_n06_fr_04_monitor_ids_are_cut_to_the_items_and_bytes_the_station_takes() -> None:
    payload = {"id": [101, 102, 103, 104]}
    assert batches("ClearVariableMonitoring", payload, MessageLimits(items=3)) == [
        {"id": [101, 102, 103]},
        {"id": [104]},
    ]
    # Each request as written, with a message id of 36 characters, is within the bytes.
    two = len(encode_call("x" * 36, "ClearVariableMonitoring", {"id": [101, 102]}))
    parts = batches("ClearVariableMonitoring", payload, MessageLimits(bytes=two))
    assert parts == [{"id": [101, 102]}, {"id": [103, 104]}]
    parts = batches("ClearVariableMonitoring", payload, MessageLimits(bytes=two - 1))
    assert parts == [{"id": [101]}, {"id": [102]}, {"id": [103]}, {"id": [104]}]


def test_b05_fr_11_set_variables_cut_keeps_the_other_fields_and_the_order() -> None:
    data = [
        {"component": {"name": "C"}, "variable": {"name": n}, "attributeValue": n} for n in "ab"
    ]
    payload = {"setVariableData": data, "customData": {"vendorId": "x"}}
    assert batches("SetVariables", payload, MessageLimits(items=1)) == [
        {"setVariableData": [data[0]], "customData": {"vendorId": "x"}},
        {"setVariableData": [data[1]], "customData": {"vendorId": "x"}},
    ]


def test_an_item_alone_over_the_bytes_is_too_large() -> None:
    most = len(encode_call("x" * 36, "GetVariables", _get("B")))
    with pytest.raises(TooLarge, match=rf"over the {most} the station takes"):
        batches("GetVariables", _get("B", "HeartbeatInterval"), MessageLimits(bytes=most))


def test_other_actions_are_never_cut() -> None:
    payload = {"setMonitoringData": [{"id": n} for n in range(5)]}
    assert batches("SetVariableMonitoring", payload, MessageLimits(items=1)) == [payload]
    assert refusal("SetVariableMonitoring", payload, MessageLimits(items=1)) is None


def test_the_answers_are_joined_in_order() -> None:
    answers = [
        {"clearMonitoringResult": [{"status": "Accepted", "id": 1}]},
        {"clearMonitoringResult": [{"status": "NotFound", "id": 2}]},
    ]
    assert joined("ClearVariableMonitoring", answers) == {
        "clearMonitoringResult": [{"status": "Accepted", "id": 1}, {"status": "NotFound", "id": 2}]
    }
    assert joined("ClearVariableMonitoring", answers[:1]) is answers[0]


def test_a_refusal_names_the_limit_and_where_the_station_said_it() -> None:
    assert refusal("GetVariables", _get("A", "B", "C"), MessageLimits(items=2)) == (
        "3 getVariableData items, and the station takes at most 2 in one GetVariables"
        " (DeviceDataCtrlr.ItemsPerMessage[GetVariables], as it reported)"
    )
    assert refusal("GetVariables", _get("A", "B"), MessageLimits(items=2)) is None
    size = len(encode_call("x" * 36, "GetVariables", _get("A", "B")))
    assert refusal("GetVariables", _get("A", "B"), MessageLimits(bytes=size - 1)) == (
        f"{size} bytes, and the station takes at most {size - 1} in one GetVariables"
        " (DeviceDataCtrlr.BytesPerMessage[GetVariables], as it reported)"
    )


async def _settled() -> None:
    return None


async def _answered(store: Store, at: datetime, results: list[dict[str, object]]) -> None:
    await store.sent_commands.record(
        NewSentCommand(
            ID,
            endpoint="POST /api/v1/chargers/{chargeBoxId}/variables/get",
            action="GetVariables",
            request="{}",
            outcome=CallOutcome.ANSWERED,
            sent_at=at,
            duration_ms=1.0,
            response=orjson.dumps({"getVariableResult": results}).decode(),
        )
    )


async def test_the_limits_are_the_newest_the_station_reported_or_answered(store: Store) -> None:
    await store.stations.register(ID, ocpp_version=V201)
    limits = StoredLimits(store, _settled)
    assert await limits.limits(ID, "GetVariables") == MessageLimits()
    report = [
        {
            **_limit("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables"),
            "variableAttribute": [{"type": "Actual", "value": "8", "mutability": "ReadOnly"}],
        },
        {
            **_limit("DeviceDataCtrlr", "BytesPerMessage", "GetVariables"),
            "variableAttribute": [{"value": "4000"}, {"type": "MaxSet", "value": "1"}],
        },
        {
            **_limit("MonitoringCtrlr", "ItemsPerMessage", "ClearVariableMonitoring"),
            "variableAttribute": [{"value": "3"}],
        },
    ]
    await store.notifications.record(
        ID,
        NotificationKind.REPORT,
        "NotifyReport",
        detail=orjson.dumps(report).decode(),
        at=T0,
    )
    assert await limits.limits(ID, "GetVariables") == MessageLimits(items=8, bytes=4000)
    assert await limits.limits(ID, "ClearVariableMonitoring") == MessageLimits(items=3)
    assert await limits.limits(ID, "SetVariables") == MessageLimits()
    # A GetVariables answered later tells a newer value; one refused or of another attribute
    # tells nothing.
    newer = _limit("DeviceDataCtrlr", "ItemsPerMessage", "GetVariables")
    await _answered(
        store,
        T0 + timedelta(minutes=1),
        [
            {**newer, "attributeStatus": "Accepted", "attributeValue": "4"},
            {
                **_limit("DeviceDataCtrlr", "BytesPerMessage", "GetVariables"),
                "attributeStatus": "Rejected",
            },
        ],
    )
    await _answered(
        store,
        T0 + timedelta(minutes=2),
        [
            {
                **newer,
                "attributeStatus": "Accepted",
                "attributeType": "MaxSet",
                "attributeValue": "1",
            }
        ],
    )
    assert await limits.limits(ID, "GetVariables") == MessageLimits(items=4, bytes=4000)
