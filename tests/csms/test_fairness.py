"""One station cannot starve the others: a peer's CALLs reach the CSMS's work queue one at a
time (OCPP-J 1.6 section 4.1.1, 2.0.1 part 4 section 4.1.1), so a bystander's CALL waits behind
one of the flooder's, not behind all of them."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from chargeyard.csms.server import CsmsServer
from chargeyard.transport import connection
from tests.csms.wire import url

FLOOD = 900


async def test_a_bystander_is_answered_between_a_flooders_calls(csms: CsmsServer) -> None:
    await csms.store.stations.register("CP-2")
    flood_answers = 0
    async with (
        connect(url(csms, "CP-1"), subprotocols=["ocpp1.6"]) as flooder,  # type: ignore[list-item]
        connect(url(csms, "CP-2"), subprotocols=["ocpp1.6"]) as bystander,  # type: ignore[list-item]
    ):

        async def count_flood_answers() -> None:
            nonlocal flood_answers
            while flood_answers < FLOOD:
                json.loads(await flooder.recv())
                flood_answers += 1

        counting = asyncio.create_task(count_flood_answers())
        # Pipelined, as a station that ignores the one-outstanding-CALL rule sends them.
        await asyncio.gather(
            *(flooder.send(json.dumps([2, f"f-{n}", "Heartbeat", {}])) for n in range(FLOOD))
        )
        await bystander.send(json.dumps([2, "b-1", "Heartbeat", {}]))
        answer = json.loads(await asyncio.wait_for(bystander.recv(), 10))
        answered_before = flood_answers
        await asyncio.wait_for(counting, 30)
    assert answer[:2] == [3, "b-1"]
    # Without per-connection turns the bystander waited behind all 900 (it was answered last).
    assert answered_before < FLOOD // 4, answered_before


async def test_a_peer_far_past_the_rule_is_closed(
    csms: CsmsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3,000 characters stand for the 4 MiB a peer may have waiting.
    monkeypatch.setattr(connection, "MAX_CHARS_WAITING", 3000)
    async with connect(url(csms, "CP-1"), subprotocols=["ocpp1.6"]) as flooder:  # type: ignore[list-item]
        for n in range(400):  # no answer awaited: they pile up behind the first
            await flooder.send(json.dumps([2, f"f-{n}", "Heartbeat", {}]))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(_read_until_closed(flooder), 30)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


async def _read_until_closed(websocket: ClientConnection) -> None:
    while True:
        await websocket.recv()
