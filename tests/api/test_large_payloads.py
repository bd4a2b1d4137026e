"""Large payloads against the real CSMS: a body over the API's limit is 413 before it is read,
a DataTransfer whose frame would be over the charger's frame limit is 413 and neither sent nor
recorded, and lists carry long frames and transfers cut, each readable whole by its id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from chargeyard.api import ApiSettings
from chargeyard.api.tokens import Role
from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES
from chargeyard.store import Store
from tests.api.gateway_lab import as_role, gateway_client
from tests.polling import polled
from tests.stack_lab import StackLab

LISTED = 64  # the listing limit of these tests, in characters


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(command_timeout=5.0, max_listed_chars=LISTED)


async def _data_transfer_frames(lab: StackLab, expected: int) -> list[Any]:
    """The charger's DataTransfer frames in the CSMS's log once ``expected`` are written
    (the log is written in short batches), oldest first."""

    async def logged() -> list[Any]:
        return [
            frame
            for frame in await lab.store.frames.list("CP-1", limit=1000)
            if frame.action == "DataTransfer"
        ]

    return await polled(logged, lambda frames: len(frames) >= expected)


async def _transfer(lab: StackLab, body: dict[str, Any]) -> Any:
    return await lab.client.post("/api/v1/chargers/CP-1/data-transfer", json=body)


async def _history(lab: StackLab) -> list[dict[str, Any]]:
    response = await lab.client.get("/api/v1/chargers/CP-1/data-transfer")
    assert response.status_code == 200
    transfers: list[dict[str, Any]] = response.json()["dataTransfers"]
    return transfers


async def test_a_body_over_the_limit_is_413_before_it_is_read(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1")
    body = orjson.dumps({"vendorId": "com.example", "data": "x" * (2 << 20)})
    response = await csms_lab.client.post(
        "/api/v1/chargers/CP-1/data-transfer",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()) == (
        413,
        {
            "detail": f"the request body of {len(body):,} bytes is over the limit of"
            " 1,048,576 bytes (CHARGEYARD_API_MAX_BODY_BYTES)"
        },
    )
    assert csms_lab.registry.is_connected("CP-1")
    assert await _history(csms_lab) == []


async def test_a_streamed_body_over_the_limit_is_413(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1")

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"vendorId": "com.example", "data": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'"}'

    response = await csms_lab.client.post(
        "/api/v1/chargers/CP-1/data-transfer",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert (response.status_code, response.json()) == (
        413,
        {
            "detail": "the request body is over the limit of 1,048,576 bytes"
            " (CHARGEYARD_API_MAX_BODY_BYTES)"
        },
    )
    assert await _history(csms_lab) == []


async def test_the_gateway_api_has_the_same_limit(store: Store) -> None:
    async with gateway_client(store) as client:
        response = await client.post(
            "/ocpp/locations",
            content=orjson.dumps({"name": "x" * (2 << 20)}),
            headers={"Content-Type": "application/json", **as_role(Role.OPERATOR)},
        )
    assert response.status_code == 413
    assert "over the limit of 1,048,576 bytes" in response.json()["detail"]


async def test_a_data_transfer_over_the_frame_limit_is_413_and_neither_sent_nor_kept(
    csms_lab: StackLab,
) -> None:
    await csms_lab.station("CP-1")
    data = "x" * DEFAULT_MAX_FRAME_BYTES
    response = await _transfer(csms_lab, {"vendorId": "V", "data": data})
    size = len(orjson.dumps([2, "x", "DataTransfer", {"vendorId": "V", "data": data}]))
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert detail.startswith("not sent to the charger: the DataTransfer CALL is a frame of")
    assert detail.endswith(
        f"frames are limited to {DEFAULT_MAX_FRAME_BYTES:,} bytes (CHARGEYARD_MAX_FRAME_BYTES)"
    )
    assert int(detail.split("frame of ")[1].split(" bytes")[0].replace(",", "")) >= size
    # The station stayed connected; the next transfer goes, and each store keeps it once.
    small = await _transfer(csms_lab, {"vendorId": "V", "data": "small"})
    assert small.status_code == 200, small.text
    call, answer = await _data_transfer_frames(csms_lab, 2)
    assert orjson.loads(call.text)[3] == {"vendorId": "V", "data": "small"}
    assert orjson.loads(answer.text)[0] == 3
    assert [transfer["data"] for transfer in await _history(csms_lab)] == ["small"]


async def test_long_frames_and_transfers_are_listed_cut_and_read_whole_by_id(
    csms_lab: StackLab,
) -> None:
    await csms_lab.station("CP-1")
    data = "0123456789" * 20
    sent = await _transfer(csms_lab, {"vendorId": "V", "data": data})
    assert sent.status_code == 200
    call, _ = await _data_transfer_frames(csms_lab, 2)

    listed = await csms_lab.client.get(
        "/api/v1/chargers/CP-1/frames", params={"action": "DataTransfer"}
    )
    [_, listed_call] = listed.json()["frames"]
    assert listed_call == {
        "id": call.id,
        "direction": "outgoing",
        "action": "DataTransfer",
        "uniqueId": call.unique_id,
        "message": call.text[:LISTED],
        "truncated": True,
        "messageLength": len(call.text),
        "timestamp": listed_call["timestamp"],
    }
    whole = await csms_lab.client.get(f"/api/v1/chargers/CP-1/frames/{call.id}")
    assert whole.json() == {**listed_call, "message": call.text, "truncated": False}

    [item] = await _history(csms_lab)
    assert (item["data"], item["truncated"]) == (data[:LISTED], True)
    read = await csms_lab.client.get(f"/api/v1/chargers/CP-1/data-transfer/{item['id']}")
    assert read.json() == {**item, "data": data, "truncated": False}


async def test_a_frame_or_transfer_of_another_charger_is_404(csms_lab: StackLab) -> None:
    await csms_lab.station("CP-1")
    await csms_lab.store.stations.register("CP-2")
    await _transfer(csms_lab, {"vendorId": "V"})
    call, _ = await _data_transfer_frames(csms_lab, 2)
    [item] = await _history(csms_lab)
    for path in (f"frames/{call.id}", f"data-transfer/{item['id']}"):
        response = await csms_lab.client.get(f"/api/v1/chargers/CP-2/{path}")
        assert response.status_code == 404, path
        assert "CP-2" in response.json()["detail"]
