"""The suite's engines share their kind's dialect and compiled statements
(``tests/shared_compilation.py``), and each still reads and writes its own database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from chargeyard.store import Store
from chargeyard.store.models import Station
from tests.migrated import migrated_sqlite_url


async def test_a_statement_compiled_for_one_store_serves_the_next(tmp_path: Path) -> None:
    first = await Store.open(migrated_sqlite_url(tmp_path, "first.sqlite"))
    second = await Store.open(migrated_sqlite_url(tmp_path, "second.sqlite"))
    try:
        assert second.engine.sync_engine.dialect is first.engine.sync_engine.dialect
        cache = first.engine.sync_engine._compiled_cache
        assert cache is not None
        assert second.engine.sync_engine._compiled_cache is cache

        lookup = select(Station.charge_box_id).where(Station.charge_box_id == "CP-SHARED")
        await first.stations.register("CP-SHARED")
        async with first.engine.connect() as connection:
            assert (await connection.execute(lookup)).scalars().all() == ["CP-SHARED"]
        compiled = len(cache)
        async with second.engine.connect() as connection:
            assert (await connection.execute(lookup)).scalars().all() == []  # its own file
        assert len(cache) == compiled
    finally:
        await first.close()
        await second.close()
