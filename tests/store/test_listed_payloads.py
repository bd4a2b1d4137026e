"""Lists read long frames and DataTransfer texts cut by the database, on both backends, and
each whole by its id; characters are counted, not bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from chargeyard.store import Store
from chargeyard.store.models import Direction
from chargeyard.store.repositories.frames import ListedFrame

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def test_frames_are_listed_cut_and_read_whole(store: Store) -> None:
    long_text = '[2,"u-1","DataTransfer",{"vendorId":"V","data":"' + "€" * 100 + '"}]'
    async with store.frame_log() as log:
        log.record("CP-1", Direction.INCOMING, "DataTransfer", "u-1", long_text, T0)
        log.record("CP-1", Direction.OUTGOING, "DataTransfer", "u-1", '[3,"u-1",{}]', T0)
        log.record("CP-2", Direction.INCOMING, "Heartbeat", "u-2", '[2,"u-2","Heartbeat",{}]', T0)

    rows, total = await store.frames.listing("CP-1", cut_at=20)
    assert total == 2
    [long, short] = rows
    assert long == ListedFrame(
        long.id, "CP-1", "incoming", "DataTransfer", "u-1", long_text[:20], len(long_text), T0
    )
    assert long.truncated
    assert (short.text, short.length, short.truncated) == ('[3,"u-1",{}]', 12, False)
    newest, _ = await store.frames.listing("CP-1", newest_first=True, cut_at=20)
    assert [row.id for row in newest] == [short.id, long.id]
    assert [row.text for row in await store.frames.newest("CP-1", cut_at=20)] == [
        short.text,
        long.text,
    ]

    whole = await store.frames.get("CP-1", long.id)
    assert whole is not None
    assert whole.text == long_text
    assert await store.frames.get("CP-2", long.id) is None  # another station's id


async def test_data_transfers_are_listed_cut_and_read_whole(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    transfer = await store.data_transfers.record(
        "CP-1",
        direction=Direction.OUTGOING,
        vendor_id="V",
        data="é" * 50,
        response_status="Accepted",
        response_data="short",
        at=T0,
    )
    [listed] = await store.data_transfers.listing("CP-1", cut_at=10)
    assert (listed.data, listed.data_length, listed.response_data, listed.truncated) == (
        "é" * 10,
        50,
        "short",
        True,
    )
    [untouched] = await store.data_transfers.listing("CP-1")
    assert (untouched.data, untouched.truncated) == ("é" * 50, False)
    whole = await store.data_transfers.get("CP-1", transfer.id)
    assert whole is not None
    assert whole.data == "é" * 50
    assert await store.data_transfers.get("CP-2", transfer.id) is None
