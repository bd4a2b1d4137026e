"""A graceful stop drains: the CALLs being handled are committed and answered, new ones are not
taken (the station sends them again after reconnecting), then the socket closes with 1001."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from chargeyard.csms.context import DataTransferAnswer, DataTransferRequest
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from tests.csms.wire import url


async def test_a_stop_answers_the_calls_in_progress_and_takes_no_new_ones(store: Store) -> None:
    await store.stations.register("CP-1")
    handling = asyncio.Event()
    release = asyncio.Event()

    async def slow(request: DataTransferRequest) -> DataTransferAnswer:
        handling.set()
        await release.wait()
        return DataTransferAnswer("Accepted", "kept")

    settings = CsmsSettings(port=0, data_transfer_handlers={"slow": slow})
    csms = CsmsServer(store, settings)
    await csms.start()
    stopped: asyncio.Task[None] | None = None
    try:
        async with connect(url(csms), subprotocols=["ocpp1.6"]) as websocket:  # type: ignore[list-item]
            await websocket.send(json.dumps([2, "dt-1", "DataTransfer", {"vendorId": "slow"}]))
            await asyncio.wait_for(handling.wait(), 5)
            stopped = asyncio.create_task(csms.stop())
            # Once the connection is going away, a CALL sent is not taken.
            connection = csms.registry.get("CP-1")
            assert connection is not None
            # stop() drains in tasks of its own: a few loop turns.
            while not connection.draining:  # noqa: ASYNC110
                await asyncio.sleep(0)
            await websocket.send(json.dumps([2, "hb-1", "Heartbeat", {}]))
            release.set()
            answers = []
            try:
                while True:
                    answers.append(json.loads(await asyncio.wait_for(websocket.recv(), 5)))
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd is not None else None
        assert answers == [[3, "dt-1", {"status": "Accepted", "data": "kept"}]]
        assert code == 1001
        await asyncio.wait_for(stopped, 5)
    finally:
        if stopped is None:
            await csms.stop()
    # What the answered CALL reported was committed, once.
    [kept] = await store.data_transfers.listing("CP-1")
    assert (kept.vendor_id, kept.response_status) == ("slow", "Accepted")
