"""One stored payload is capped: frame text, DataTransfer data and a notification's detail
longer than the store's ``max_payload_chars`` keep their beginning and a marker naming the
original length, and lists and whole reads show them ``truncated``; on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from chargeyard.protocol import DEFAULT_MAX_FRAME_BYTES
from chargeyard.store import Store
from chargeyard.store.models import Direction, NotificationKind
from chargeyard.store.payload_cap import (
    DEFAULT_MAX_PAYLOAD_CHARS,
    cap_payload,
    capped_length,
    stored_extent,
)

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
CAP = 1024


def capped(store: Store) -> Store:
    """``store``'s database, with a cap of :data:`CAP` characters (the engine stays
    ``store``'s, closed by its fixture)."""
    return Store(store.engine, max_payload_chars=CAP)


def test_a_payload_within_the_cap_is_kept_whole() -> None:
    assert cap_payload("x" * CAP, CAP) == "x" * CAP
    assert stored_extent("x" * CAP) == (False, CAP)


def test_a_longer_payload_keeps_its_beginning_and_its_length() -> None:
    stored = cap_payload("€" * 1_000_000, CAP)
    assert stored.startswith("€" * CAP)
    assert len(stored) < CAP + 64
    assert capped_length(stored) == 1_000_000
    assert stored_extent(stored) == (True, 1_000_000)


def test_the_default_cap_keeps_every_frame_the_default_frame_limit_lets_in() -> None:
    # The frame limit counts bytes of UTF-8, the cap characters: never fewer.
    assert DEFAULT_MAX_PAYLOAD_CHARS >= DEFAULT_MAX_FRAME_BYTES


async def test_a_frame_over_the_cap_is_stored_cut_and_listed_truncated(store: Store) -> None:
    big = '[2,"u-1","DataTransfer",{"vendorId":"V","data":"' + "é" * 1_000_000 + '"}]'
    async with capped(store).frame_log() as log:
        log.record("CP-1", Direction.INCOMING, "DataTransfer", "u-1", big, T0)
        log.record("CP-1", Direction.OUTGOING, "DataTransfer", "u-1", '[3,"u-1",{}]', T0)

    [listed, answer], _ = await store.frames.listing("CP-1", cut_at=8 * 1024)
    assert (listed.truncated, listed.length) == (True, len(big))
    assert listed.text.startswith(big[:CAP])
    assert (answer.truncated, answer.length) == (False, 12)
    [whole_listed, _answer], _ = await store.frames.listing("CP-1")  # not cut by the list
    assert (whole_listed.truncated, whole_listed.length) == (True, len(big))
    stored = await store.frames.get("CP-1", listed.id)
    assert stored is not None
    assert len(stored.text) < CAP + 64
    assert stored_extent(stored.text) == (True, len(big))


async def test_data_transfer_data_over_the_cap_is_stored_cut(store: Store) -> None:
    await store.stations.register("CP-1")
    repository = capped(store).data_transfers
    transfer = await repository.record(
        "CP-1", direction=Direction.INCOMING, vendor_id="V", data="d" * 1_000_000, at=T0
    )
    small = await repository.record(
        "CP-1", direction=Direction.OUTGOING, vendor_id="V", data="small", at=T0
    )
    await repository.set_response(small.id, "Accepted", "r" * 5_000)

    listed = {row.id: row for row in await store.data_transfers.listing("CP-1", cut_at=8192)}
    assert listed[transfer.id].truncated
    assert listed[transfer.id].data is not None
    assert listed[transfer.id].data.startswith("d" * CAP)
    assert listed[small.id].truncated  # its response was cut
    whole = await store.data_transfers.get("CP-1", transfer.id)
    assert whole is not None
    assert whole.data is not None
    assert stored_extent(whole.data) == (True, 1_000_000)


async def test_a_notification_detail_over_the_cap_is_stored_cut(store: Store) -> None:
    await store.stations.register("CP-1")
    notification = await capped(store).notifications.record(
        "CP-1", NotificationKind.REPORT, "NotifyReport", detail="[" + "x" * 100_000 + "]", at=T0
    )
    assert notification.detail is not None
    assert stored_extent(notification.detail) == (True, 100_002)
