"""Revision 0004 drops the samples' station index; samples and the station cascade still work."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect

from chargeyard.store import Store, create_engine, migrate
from chargeyard.store.migrations import current_revision, downgrade
from chargeyard.store.repositories import SampledValue


def _sample_indexes(connection: object) -> set[str]:
    return {index["name"] for index in inspect(connection).get_indexes("meter_samples")}


async def test_the_station_index_goes_and_comes_back_on_downgrade(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0003")
        async with Store(engine) as store:
            await store.stations.register("CP-1")
            started = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
            transaction = await store.transactions.start(
                "CP-1", connector_id=1, meter_start_wh=0, started_at=started
            )
            sample = SampledValue(sampled_at=started, value=1.0)
            await store.transactions.add_samples(
                "CP-1", [sample], transaction_id=transaction.transaction_id
            )
            await store.transactions.add_samples("CP-1", [sample])  # outside a transaction

            await migrate(engine, "0004")
            assert await current_revision(engine) == "0004"
            async with engine.connect() as connection:
                indexes = await connection.run_sync(_sample_indexes)
            assert "ix_meter_samples_station_id_sampled_at" not in indexes
            assert "ix_meter_samples_transaction_pk_sampled_at" in indexes
            assert len(await store.transactions.samples("CP-1", transaction.transaction_id)) == 1

            # The cascade still removes every sample of a deleted station.
            await store.stations.delete("CP-1")
            async with engine.connect() as connection:
                remaining = await connection.exec_driver_sql("SELECT count(*) FROM meter_samples")
                assert remaining.scalar_one() == 0

            await downgrade(engine, "0003")
            async with engine.connect() as connection:
                indexes = await connection.run_sync(_sample_indexes)
            assert "ix_meter_samples_station_id_sampled_at" in indexes
    finally:
        await engine.dispose()
