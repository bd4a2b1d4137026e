"""What the meter-samples migration tests (0004, 0005) share: a station in a transaction to
sample, the table's indexes as the database has them, and how many samples it holds.

The rows are made through the store at the newest revision (its models are the newest ones),
then the database is taken down to the revision before the one under test; everything read
at an older revision is read with SQL of that revision's shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store import Store
from chargeyard.store.models import Transaction


async def station_in_a_transaction(store: Store, identity: str, started: datetime) -> Transaction:
    """Register ``identity`` and start a transaction on its connector 1."""
    await store.stations.register(identity)
    return await store.transactions.start(
        identity, connector_id=1, meter_start_wh=0, started_at=started
    )


async def sample_indexes(engine: AsyncEngine) -> dict[str, list[str]]:
    """The ``meter_samples`` indexes: name -> indexed columns."""

    def read(connection: Any) -> dict[str, list[str]]:
        return {
            index["name"]: index["column_names"]
            for index in inspect(connection).get_indexes("meter_samples")
        }

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def transaction_sample_values(engine: AsyncEngine, transaction_pk: int) -> list[float]:
    """The values of a transaction's samples in time order, as the store reads them."""
    async with engine.connect() as connection:
        result = await connection.execute(
            text("SELECT value FROM meter_samples WHERE transaction_pk = :pk ORDER BY sampled_at"),
            {"pk": transaction_pk},
        )
        return [float(value) for value in result.scalars()]


async def sample_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        result = await connection.exec_driver_sql("SELECT count(*) FROM meter_samples")
        count: int = result.scalar_one()
        return count
