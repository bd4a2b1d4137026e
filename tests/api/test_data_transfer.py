"""DataTransfer: sent and recorded with the station's answer; the history of both directions,
newest first."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from chargeyard.store.models import Direction
from tests.api.conftest import ApiLab

SEND = {"vendorId": "MyVendor", "messageId": "GetDisplayMessage", "data": '{"screen": 1}'}


def display(call: list[Any]) -> list[Any]:
    """A vendor extension that answers GetDisplayMessage."""
    return [3, call[1], {"status": "Accepted", "data": '{"text": "Hello"}'}]


async def test_p01_the_stations_answer_and_data_come_back(lab: ApiLab) -> None:
    await lab.raw_peer("CHARGER-001", display)
    response = await lab.post("CHARGER-001", "data-transfer", SEND)
    assert (response.status_code, response.json()) == (
        200,
        {
            "message": "DataTransfer accepted by charger",
            "chargeBoxId": "CHARGER-001",
            "vendorId": "MyVendor",
            "messageId": "GetDisplayMessage",
            "status": "Accepted",
            "responseData": '{"text": "Hello"}',
        },
    )


async def test_p02_json_data_of_a_2_0_1_answer_comes_back_as_text(lab: ApiLab) -> None:
    await lab.raw_peer(
        "CS-1",
        lambda call: [3, call[1], {"status": "Accepted", "data": {"text": "Hi"}}],
        "ocpp2.0.1",
    )
    response = await lab.post("CS-1", "data-transfer", {"vendorId": "V"})
    assert response.json() == {
        "message": "DataTransfer accepted by charger",
        "chargeBoxId": "CS-1",
        "vendorId": "V",
        "messageId": None,
        "status": "Accepted",
        "responseData": '{"text":"Hi"}',
    }
    assert lab.last_call() == ("DataTransfer", {"vendorId": "V"})


async def test_history_holds_the_sent_transfer_with_its_answer(lab: ApiLab) -> None:
    await lab.raw_peer("CHARGER-001", display)
    await lab.post("CHARGER-001", "data-transfer", SEND)
    response = await lab.client.get("/api/v1/chargers/CHARGER-001/data-transfer")
    answer = response.json()
    (item,) = answer["dataTransfers"]
    assert (response.status_code, answer) == (
        200,
        {
            "chargeBoxId": "CHARGER-001",
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
    assert item["id"].startswith("dt_")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", item["createdAt"])


async def test_history_is_both_directions_newest_first_and_limited(lab: ApiLab) -> None:
    await lab.store.stations.register("CP-1")
    for minute in range(3):
        await lab.store.data_transfers.record(
            "CP-1",
            direction=Direction.INCOMING if minute % 2 else Direction.OUTGOING,
            vendor_id="V",
            message_id=f"m{minute}",
            response_status="Accepted",
            at=datetime(2026, 2, 10, 14, minute, tzinfo=UTC),
        )
    response = await lab.client.get("/api/v1/chargers/CP-1/data-transfer", params={"limit": 2})
    answer = response.json()
    assert answer == {
        "chargeBoxId": "CP-1",
        "dataTransfers": [
            {
                "id": answer["dataTransfers"][0]["id"],
                "direction": "outgoing",
                "vendorId": "V",
                "messageId": "m2",
                "data": None,
                "responseStatus": "Accepted",
                "responseData": None,
                "createdAt": "2026-02-10T14:02:00.000Z",
                "truncated": False,
            },
            {
                "id": answer["dataTransfers"][1]["id"],
                "direction": "incoming",
                "vendorId": "V",
                "messageId": "m1",
                "data": None,
                "responseStatus": "Accepted",
                "responseData": None,
                "createdAt": "2026-02-10T14:01:00.000Z",
                "truncated": False,
            },
        ],
        "count": 2,
    }


async def test_history_defaults_to_20(lab: ApiLab) -> None:
    await lab.store.stations.register("CP-1")
    for _ in range(21):
        await lab.store.data_transfers.record("CP-1", direction=Direction.INCOMING, vendor_id="V")
    response = await lab.client.get("/api/v1/chargers/CP-1/data-transfer")
    assert response.json()["count"] == 20


async def test_a_transfer_without_answer_stays_in_history_without_one(lab: ApiLab) -> None:
    await lab.raw_peer("CP-ERR", lambda call: [4, call[1], "NotSupported", "no vendor", {}])
    response = await lab.post("CP-ERR", "data-transfer", {"vendorId": "V"})
    assert response.status_code == 502
    history = (await lab.client.get("/api/v1/chargers/CP-ERR/data-transfer")).json()
    assert [(t["vendorId"], t["responseStatus"]) for t in history["dataTransfers"]] == [("V", None)]
