"""The frame log: every frame lands, in order per identity, in bounded batches, and nothing
recorded before stop() is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, text
from sqlalchemy.exc import OperationalError

from chargeyard.store import FrameLog, Store, create_engine, migrate
from chargeyard.store.bulk_insert import BulkInserter
from chargeyard.store.models import Direction
from tests.polling import until


def _count_frame_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows per batch inserted into frames, each one transaction (appended to the list
    returned)."""
    sizes: list[int] = []
    insert_values = BulkInserter.insert_values

    async def counting(
        self: BulkInserter, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        await insert_values(self, table, columns, rows)
        if table.name == "frames":
            sizes.append(len(rows))

    monkeypatch.setattr(BulkInserter, "insert_values", counting)
    return sizes


async def test_every_frame_lands_in_order_per_identity(store: Store) -> None:
    identities = [f"CP-{index}" for index in range(7)]
    sent: dict[str, list[str]] = {identity: [] for identity in identities}
    async with store.frame_log(batch_size=256, interval=0.01) as log:
        for index in range(5_000):
            identity = identities[index * 31 % 7]
            direction = Direction.INCOMING if index % 2 else Direction.OUTGOING
            unique_id = f"m{index}"
            log.record(identity, direction, "MeterValues", unique_id, f'[2,"{unique_id}"]')
            sent[identity].append(unique_id)
            if index % 100 == 0:
                await asyncio.sleep(0)
    assert (log.written, log.dropped, log.buffered) == (5_000, 0, 0)
    assert await store.frames.count() == 5_000
    for identity in identities:
        frames = await store.frames.list(identity, limit=1_000)
        assert [frame.unique_id for frame in frames] == sent[identity]
    first = (await store.frames.list("CP-0", limit=1))[0]
    assert (first.direction, first.action, first.text) == ("outgoing", "MeterValues", '[2,"m0"]')


async def test_writes_are_batches_of_at_most_batch_size(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = _count_frame_batches(monkeypatch)
    log = store.frame_log(batch_size=300)
    for index in range(1_000):
        log.record("CP-1", Direction.INCOMING, "Heartbeat", str(index), "[2]")
    assert sizes == []  # record() never touches the database
    await log.flush()
    assert sizes == [300, 300, 300, 100]
    assert await store.frames.count("CP-1") == 1_000


async def test_stop_flushes_what_the_timer_has_not_written_yet(store: Store) -> None:
    log = store.frame_log(batch_size=10_000, interval=60)
    await log.start()
    for index in range(10):
        log.record("CP-1", Direction.OUTGOING, None, str(index), "[3]")
    await log.stop()
    assert await store.frames.count("CP-1") == 10


async def test_a_full_batch_wakes_the_flusher_before_the_interval(store: Store) -> None:
    async with store.frame_log(batch_size=50, interval=60) as log:
        for index in range(50):
            log.record("CP-1", Direction.INCOMING, "StatusNotification", str(index), "[2]")
        async with asyncio.timeout(10):
            # Polling the flusher's counter: it offers no event to wait on, nor should it.
            while log.written < 50:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    assert await store.frames.count("CP-1") == 50


async def test_memory_is_bounded_by_dropping_the_oldest(store: Store) -> None:
    log = store.frame_log(batch_size=10, max_buffered=100)
    for index in range(150):
        log.record("CP-1", Direction.INCOMING, "MeterValues", str(index), "[2]")
    assert (log.buffered, log.dropped) == (100, 50)
    await log.flush()
    frames = await store.frames.list("CP-1", limit=200)
    assert [frame.unique_id for frame in frames] == [str(index) for index in range(50, 150)]


async def test_a_refused_batch_stays_buffered_and_is_written_later(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'late.db'}")  # no tables yet
    try:
        log = FrameLog(engine, batch_size=4)
        for index in range(10):
            log.record("CP-1", Direction.INCOMING, "Heartbeat", str(index), "[2]")
        with pytest.raises(OperationalError, match="no such table: frames"):
            await log.flush()
        assert (log.buffered, log.written, log.dropped) == (10, 0, 0)

        await migrate(engine)
        await log.flush()
        assert (log.buffered, log.written) == (0, 10)
        store = Store(engine)
        frames = await store.frames.list("CP-1")
        assert [frame.unique_id for frame in frames] == [str(index) for index in range(10)]
    finally:
        await engine.dispose()


def test_settings_are_checked(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'unused.db'}")  # never connected
    with pytest.raises(ValueError, match="batch_size"):
        FrameLog(engine, batch_size=10, max_buffered=5)


async def test_batched_times_are_stored_as_the_orm_stores_them(store: Store) -> None:
    # The batches bind values as SQLAlchemy would: on SQLite the same fixed-width text, so
    # that a row at a whole second compares equal to (not before) that second in a query.
    at = datetime(2026, 11, 21, 16, 0, 0, tzinfo=UTC)
    async with store.frame_log(batch_size=10, interval=60) as log:
        log.record("CP-1", Direction.INCOMING, "Heartbeat", "1", "[2]", at=at)
    frames = await store.frames.list("CP-1", since=at, until=at + timedelta(seconds=1))
    assert [(frame.unique_id, frame.at) for frame in frames] == [("1", at)]
    if store.engine.dialect.name == "sqlite":
        async with store.frames_engine.connect() as connection:
            stored = await connection.scalar(text("SELECT at FROM frames"))
        assert stored == "2026-11-21 16:00:00.000000"


class _Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_frame_is_due_one_interval_after_the_oldest_unwritten_one_was_recorded(
    tmp_path: Path,
) -> None:
    """The bound of what a crash may lose (docs/configuration.md, the frame log at a crash): a
    frame waits at most ``interval`` before its batch is written."""
    clock = _Clock()
    log = FrameLog(create_engine(f"sqlite:///{tmp_path / 'unused.db'}"), interval=0.25, clock=clock)
    assert log.due_in() is None  # nothing waits
    log.record("CP-1", Direction.INCOMING, "Heartbeat", "1", "[2]")
    assert log.due_in() == 0.25
    clock.now += 0.2
    log.record("CP-1", Direction.OUTGOING, "Heartbeat", "1", "[3]")
    assert log.due_in() == pytest.approx(0.05)  # the oldest frame sets the deadline
    clock.now += 0.1
    assert log.due_in() == pytest.approx(-0.05)  # overdue: written at once


async def test_a_frame_recorded_during_a_slow_write_is_written_right_after_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that outlasts the interval does not add another interval for the frames
    recorded meanwhile: their deadline counts from when they passed."""
    clock = _Clock()
    log = store.frame_log(batch_size=2, interval=60, clock=clock)
    insert_values = BulkInserter.insert_values
    writes: list[int] = []

    async def slow(
        self: BulkInserter, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        if not writes:  # while the first batch is written, a frame passes; the write lasts 61 s
            log.record("CP-1", Direction.OUTGOING, "Heartbeat", "2", "[3]")
            clock.now += 61
        await insert_values(self, table, columns, rows)
        writes.append(len(rows))

    monkeypatch.setattr(BulkInserter, "insert_values", slow)
    async with log:
        await asyncio.sleep(0)  # one turn of the loop: the flusher waits for frames
        log.record("CP-1", Direction.INCOMING, "Heartbeat", "1", "[2]")
        log.record("CP-1", Direction.OUTGOING, "Heartbeat", "1", "[3]")  # a full batch
        await until(lambda: log.written == 3, within=10)
    assert writes == [2, 1]
