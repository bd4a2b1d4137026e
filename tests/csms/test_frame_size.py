"""The listener's frame-size limit over real sockets (``protocol/limits.py``): a station's
CALL over the limit is answered FormationViolation and the connection stays; a message too
large to be worth reading closes the socket with 1009; a command whose frame would be over the
limit is refused before anything reaches the station."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.protocol import FrameTooLarge
from chargeyard.store import Store
from tests.csms.wire import exchange, url

LIMIT = 1024
BOOT = {"chargePointVendor": "Keba", "chargePointModel": "P30"}


@pytest.fixture
async def small_csms(store: Store) -> AsyncIterator[CsmsServer]:
    await store.stations.register("CP-1")
    settings = CsmsSettings(port=0, heartbeat_interval=60, max_frame_bytes=LIMIT)
    async with CsmsServer(store, settings) as server:
        yield server


def _transfer(unique_id: str, size: int) -> list[object]:
    return [2, unique_id, "DataTransfer", {"vendorId": "com.example", "data": "x" * size}]


async def test_a_call_over_the_limit_is_answered_formation_violation_and_the_socket_stays(
    small_csms: CsmsServer,
) -> None:
    frame = _transfer("d1", 2 * LIMIT)
    size = len(orjson.dumps(frame))
    async with connect(url(small_csms), subprotocols=["ocpp1.6"]) as websocket:
        answer = await exchange(websocket, frame)
        assert answer == [
            4,
            "d1",
            "FormationViolation",
            f"the message is a frame of {size:,} bytes; frames are limited to {LIMIT:,} bytes",
            {"size": size, "limit": LIMIT},
        ]
        heartbeat = await exchange(websocket, [2, "h1", "Heartbeat", {}])
        assert heartbeat[:2] == [3, "h1"]


async def test_a_message_over_four_times_the_limit_closes_the_socket_with_1009(
    small_csms: CsmsServer,
) -> None:
    async with connect(url(small_csms), subprotocols=["ocpp1.6"]) as websocket:
        await websocket.send(orjson.dumps(_transfer("d1", 4 * LIMIT)).decode())
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(websocket.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_a_command_over_the_limit_is_refused_before_it_is_sent(
    small_csms: CsmsServer,
) -> None:
    async with connect(url(small_csms), subprotocols=["ocpp1.6"]) as websocket:
        await exchange(websocket, [2, "b1", "BootNotification", BOOT])
        with pytest.raises(FrameTooLarge) as refused:
            await small_csms.registry.call(
                "CP-1", "DataTransfer", {"vendorId": "com.example", "data": "x" * LIMIT}
            )
        assert refused.value.limit == LIMIT
        # Nothing reached the station: the next CALL it gets is the next command.
        task = asyncio.create_task(
            small_csms.registry.call("CP-1", "DataTransfer", {"vendorId": "com.example"})
        )
        received = orjson.loads(await asyncio.wait_for(websocket.recv(), 5))
        assert received[2:] == ["DataTransfer", {"vendorId": "com.example"}]
        await websocket.send(orjson.dumps([3, received[1], {"status": "Accepted"}]).decode())
        assert await task == {"status": "Accepted"}
