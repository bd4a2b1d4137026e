"""A unit of work whose task is cancelled must not leave the database locked.

Found in CI: a station's connection closed while its handler was storing a message; SQLAlchemy
closed the interrupted connection without a rollback, SQLite kept it alive as a "zombie"
holding the write lock, and every later write failed with "database is locked" until the
garbage collector ran (see chargeyard.store.engine).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from chargeyard.protocol import V16
from chargeyard.store import Store, engine
from chargeyard.store.engine import writer_turn

# Cancellation points spread over a unit of work (a few milliseconds on SQLite); before the
# fix about one in twenty-five left the lock held.
CANCEL_AFTER_SECONDS = [step * 0.0001 for step in range(40)]


@pytest.fixture
async def sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    # A short busy timeout: a lock left behind fails the next write in 0.2 s, not 5 s.
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    store = await Store.open(f"sqlite:///{tmp_path / 'cancel.db'}")
    await store.stations.register("CP-1")
    yield store  # type: ignore[misc]
    await store.close()


async def test_a_cancelled_write_leaves_no_lock_behind(sqlite_store: Store) -> None:
    for _round in range(5):
        for delay in CANCEL_AFTER_SECONDS:
            write = asyncio.create_task(sqlite_store.stations.set_offline("CP-1"))
            await asyncio.sleep(delay)
            write.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await write
            # The next writer gets the lock at once.
            station = await sqlite_store.stations.set_online("CP-1", ocpp_version=V16)
            assert station.is_online


async def test_a_cancelled_read_leaves_writers_free(sqlite_store: Store) -> None:
    for delay in CANCEL_AFTER_SECONDS:
        read = asyncio.create_task(sqlite_store.stations.list())
        await asyncio.sleep(delay)
        read.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await read
        await sqlite_store.stations.set_offline("CP-1")


async def test_a_task_started_inside_a_turn_waits_for_its_own(sqlite_store: Store) -> None:
    # Tasks inherit context variables: one created by a writer holding its turn must not
    # inherit the turn too, or two writers would meet in SQLite's busy handler.
    order: list[str] = []

    async def child() -> None:
        async with writer_turn(sqlite_store.engine):
            order.append("child")

    async with writer_turn(sqlite_store.engine):
        task = asyncio.create_task(child())
        await asyncio.sleep(0.05)
        order.append("parent")
    await task
    assert order == ["parent", "child"]


async def test_a_nested_write_in_the_same_task_goes_ahead(sqlite_store: Store) -> None:
    async with writer_turn(sqlite_store.engine):
        async with asyncio.timeout(1):
            await sqlite_store.stations.set_offline("CP-1")
