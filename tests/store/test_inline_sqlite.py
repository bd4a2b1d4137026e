"""SQLite on the loop's own thread where the loop's clock stands still (``store/inline_sqlite.py``):
the fast-forward loop at ``max``, frozen, as ``chargeyard up --speed max`` runs. Each test runs
its own loop (``tests/test_fast_forward.py`` does the same); the store is a migrated copy."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import pytest

from chargeyard.fast_forward import FastForwardLoop
from chargeyard.store import ConflictError, Store
from chargeyard.store.inline_sqlite import InlineConnection
from chargeyard.store.models import Direction
from chargeyard.store.types import utc_now
from tests.migrated import migrated_sqlite_url

T = TypeVar("T")


def _run(loop: asyncio.AbstractEventLoop, main: Coroutine[Any, Any, T]) -> T:
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


async def _driver_connection(store: Store) -> object:
    async with store.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        return raw.driver_connection


def _frozen() -> FastForwardLoop:
    return FastForwardLoop(None, frozen=True, answer_s=0.0)


@pytest.mark.parametrize(
    ("make_loop", "inline"),
    [
        (_frozen, True),
        (lambda: FastForwardLoop(None, frozen=False, answer_s=0.0), False),
        (lambda: FastForwardLoop(60.0), False),
        (asyncio.new_event_loop, False),
    ],
    ids=["max-frozen", "max-keeping-wall-time", "speed-60", "asyncio"],
)
def test_sqlite_runs_inline_only_where_the_clock_stands_still(
    tmp_path: Path, make_loop: Callable[[], asyncio.AbstractEventLoop], inline: bool
) -> None:
    async def main() -> object:
        store = await Store.open(migrated_sqlite_url(tmp_path, "lab.db"))
        try:
            await store.stations.register("CP-1")
            assert await store.stations.get("CP-1") is not None
            return await _driver_connection(store)
        finally:
            await store.close()

    connection = _run(make_loop(), main())
    assert isinstance(connection, aiosqlite.Connection)
    assert isinstance(connection, InlineConnection) is inline


@pytest.mark.parametrize(
    ("make_loop", "hops"),
    [(_frozen, False), (asyncio.new_event_loop, True)],
    ids=["max", "asyncio"],
)
def test_units_of_work_hand_nothing_back_from_a_thread_where_the_clock_stands_still(
    tmp_path: Path, make_loop: Callable[[], asyncio.AbstractEventLoop], hops: bool
) -> None:
    # The point of running inline: no call waits for a thread to hand its result back
    # through the loop's queue (call_soon_threadsafe, a wake-up of the loop each).
    loop = make_loop()
    handed_back: list[object] = []
    call_soon_threadsafe = loop.call_soon_threadsafe

    def counted(callback: Callable[..., object], *args: Any, **kwargs: Any) -> asyncio.Handle:
        handed_back.append(callback)
        return call_soon_threadsafe(callback, *args, **kwargs)

    async def main() -> None:
        store = await Store.open(migrated_sqlite_url(tmp_path, "lab.db"))
        try:
            await store.stations.register("CP-1")
            handed_back.clear()
            await store.transactions.start(
                "CP-1",
                connector_id=1,
                meter_start_wh=0.0,
                started_at=utc_now(),
                transaction_id="tx-1",
            )
            await store.transactions.note_seq_no("CP-1", "tx-1", 1)
            found = await store.transactions.get("CP-1", "tx-1")
            assert found is not None
            assert found.last_seq_no == 1
        finally:
            await store.close()

    loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
    _run(loop, main())
    assert bool(handed_back) is hops


def test_errors_and_closing_are_aiosqlites(tmp_path: Path) -> None:
    async def main() -> InlineConnection:
        store = await Store.open(migrated_sqlite_url(tmp_path, "lab.db"))
        try:
            await store.id_tags.create("TAG-1")
            with pytest.raises(ConflictError):
                await store.id_tags.create("TAG-1")
            assert [tag.id_tag for tag in await store.id_tags.list()] == ["TAG-1"]
            connection = await _driver_connection(store)
            assert isinstance(connection, InlineConnection)
            return connection
        finally:
            await store.close()

    connection = _run(_frozen(), main())
    with pytest.raises(ValueError, match="no active connection"):
        connection._conn  # noqa: B018  # closed with the store's engine


def test_the_frame_log_writes_its_batches_on_the_loops_thread(tmp_path: Path) -> None:
    async def main() -> tuple[list[str | None], int, int]:
        store = await Store.open(migrated_sqlite_url(tmp_path, "lab.db"))
        try:
            threads = threading.active_count()
            async with store.frame_log(batch_size=2, interval=60) as log:
                for index in range(5):
                    log.record("CP-1", Direction.INCOMING, "Heartbeat", f"h{index}", "[2]")
                await log.flush()
                during = threading.active_count()
            frames = await store.frames.list("CP-1", limit=10)
            return [frame.unique_id for frame in frames], threads, during
        finally:
            await store.close()

    unique_ids, threads_before, threads_during = _run(_frozen(), main())
    assert unique_ids == [f"h{index}" for index in range(5)]
    assert threads_during == threads_before
