"""Planner statistics while a table grows from empty (``store/growth_statistics.py``), on SQLite
and PostgreSQL: PostgreSQL's table is analysed each time the rows added double past the first
mark; SQLite's never is (its planner takes a unique index without statistics)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from chargeyard.store import Store
from chargeyard.store.growth_statistics import GrowthStatistics


async def _has_statistics(store: Store) -> bool:
    async with store.engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM pg_stats WHERE tablename = 'stations'")
        )
    return bool(found)


async def test_the_table_is_analysed_as_the_rows_added_double(store: Store) -> None:
    postgresql = store.engine.dialect.name == "postgresql"
    for n in range(3):
        await store.stations.register(f"CP-{n}")  # rows to gather statistics of
    statistics = GrowthStatistics(store.engine, "stations", first_after=1_000)
    analysed = []
    for rows in (600, 399, 1, 999, 1, 1_999, 1, 10_000):
        await statistics.added(rows)
        analysed.append(statistics.analysed)
    # Marks at 1,000, 2,000, 4,000, then 8,000 and 16,000 passed at once: analysed once.
    assert analysed == ([0, 0, 1, 1, 2, 2, 3, 4] if postgresql else [0] * 8)
    if postgresql:
        assert await _has_statistics(store)


async def test_a_table_another_session_is_analysing_is_passed_without_waiting(
    migrated_postgres: str,
) -> None:
    async with await Store.open(migrated_postgres) as store:
        statistics = GrowthStatistics(store.engine, "stations", first_after=1)
        async with store.engine.connect() as other:
            # What ANALYZE (another node's, or autovacuum's) holds while it runs.
            await other.execute(text("LOCK TABLE stations IN SHARE UPDATE EXCLUSIVE MODE"))
            async with asyncio.timeout(10):  # a plain ANALYZE would wait for the lock's release
                await statistics.added(1)
            await other.rollback()
    assert statistics.analysed == 1
