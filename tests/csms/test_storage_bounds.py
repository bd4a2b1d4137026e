"""What a station sends is stored within bounds: a 1 MB DataTransfer (schema-valid, the frame
limit raised) is kept cut in the frame log and in the DataTransfer history, and the listener
runs retention, which trims old history as it starts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from websockets.asyncio.client import connect

from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.store.models import Direction
from chargeyard.store.payload_cap import stored_extent
from chargeyard.store.types import utc_now
from tests.csms.wire import database_url, exchange, url

CAP = 64 * 1024
DATA = "x" * 1_000_000


async def test_a_megabyte_data_transfer_is_stored_cut_twice(tmp_path: Path) -> None:
    async with await Store.open(database_url(tmp_path), max_payload_chars=CAP) as store:
        await store.stations.register("CP-1")
        settings = CsmsSettings(port=0, max_frame_bytes=2_000_000)
        async with (
            CsmsServer(store, settings) as csms,
            connect(url(csms), subprotocols=["ocpp1.6"], max_size=None) as websocket,  # type: ignore[list-item]
        ):
            call = [2, "dt-1", "DataTransfer", {"vendorId": "V", "data": DATA}]
            answer = await exchange(websocket, call)
            assert answer[0] == 3
        [transfer] = await store.data_transfers.history("CP-1")
        [frame, _answer] = await store.frames.list("CP-1")

    assert transfer.data is not None
    assert len(transfer.data) < CAP + 64
    assert stored_extent(transfer.data) == (True, len(DATA))
    assert len(frame.text) < CAP + 64
    assert stored_extent(frame.text)[0]


async def test_the_listener_trims_old_history_as_it_starts(store: Store) -> None:
    old = utc_now() - timedelta(days=40)
    async with store.frame_log() as log:
        log.record("CP-1", Direction.INCOMING, "Heartbeat", "old", "[2]", old)
        log.record("CP-1", Direction.INCOMING, "Heartbeat", "new", "[2]")

    async with CsmsServer(store, CsmsSettings(port=0)):
        async with asyncio.timeout(5):
            # The retention task's first pass runs beside the listener's start.
            while await store.frames.count() > 1:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    [kept] = await store.frames.list("CP-1")
    assert kept.unique_id == "new"
