"""Revision 0005 indexes the samples by transaction alone; reading them by transaction, in time
order, and the cascades still work, across the upgrade and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargeyard.store import Store, create_engine, migrate
from chargeyard.store.migrations import current_revision, downgrade
from chargeyard.store.repositories import SampledValue
from tests.store.samples_schema import (
    sample_count,
    sample_indexes,
    station_in_a_transaction,
    transaction_sample_values,
)


async def test_the_transaction_index_loses_the_time_and_gets_it_back_on_downgrade(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine)
        async with Store(engine) as store:
            started = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
            transaction = await station_in_a_transaction(store, "CP-1", started)
            later = SampledValue(sampled_at=started + timedelta(minutes=2), value=2.0)
            earlier = SampledValue(sampled_at=started + timedelta(minutes=1), value=1.0)
            # Delivered out of time order (queued offline, say): still read in time order.
            for sample in (later, earlier):
                await store.transactions.add_samples(
                    "CP-1", [sample], transaction_id=transaction.transaction_id
                )

            await downgrade(engine, "0004")
            await migrate(engine, "0005")
            assert await current_revision(engine) == "0005"
            indexes = await sample_indexes(engine)
            assert indexes["ix_meter_samples_transaction_pk"] == ["transaction_pk"]
            assert "ix_meter_samples_transaction_pk_sampled_at" not in indexes
            assert await transaction_sample_values(engine, transaction.id) == [1.0, 2.0]

            await store.stations.delete("CP-1")  # the cascade through transactions
            assert await sample_count(engine) == 0

            await downgrade(engine, "0004")
            indexes = await sample_indexes(engine)
            assert indexes["ix_meter_samples_transaction_pk_sampled_at"] == [
                "transaction_pk",
                "sampled_at",
            ]
            assert "ix_meter_samples_transaction_pk" not in indexes
    finally:
        await engine.dispose()
