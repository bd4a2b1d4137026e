"""Revision 0004 drops the samples' station index; samples and the station cascade still work."""

from __future__ import annotations

from datetime import UTC, datetime

from chargeyard.store import Store, create_engine, migrate
from chargeyard.store.migrations import current_revision, downgrade
from chargeyard.store.repositories import SampledValue
from tests.store.samples_schema import (
    sample_count,
    sample_indexes,
    station_in_a_transaction,
    transaction_sample_values,
)


async def test_the_station_index_goes_and_comes_back_on_downgrade(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine)
        async with Store(engine) as store:
            started = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
            transaction = await station_in_a_transaction(store, "CP-1", started)
            sample = SampledValue(sampled_at=started, value=1.0)
            await store.transactions.add_samples(
                "CP-1", [sample], transaction_id=transaction.transaction_id
            )
            await store.transactions.add_samples("CP-1", [sample])  # outside a transaction

            await downgrade(engine, "0003")
            await migrate(engine, "0004")
            assert await current_revision(engine) == "0004"
            indexes = await sample_indexes(engine)
            assert "ix_meter_samples_station_id_sampled_at" not in indexes
            assert "ix_meter_samples_transaction_pk_sampled_at" in indexes
            assert await transaction_sample_values(engine, transaction.id) == [1.0]

            # The cascade still removes every sample of a deleted station.
            await store.stations.delete("CP-1")
            assert await sample_count(engine) == 0

            await downgrade(engine, "0003")
            indexes = await sample_indexes(engine)
            assert "ix_meter_samples_station_id_sampled_at" in indexes
    finally:
        await engine.dispose()
