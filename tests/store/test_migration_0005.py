"""Revision 0005 indexes the samples by transaction alone; reading them by transaction, in time
order, and the cascades still work, across the upgrade and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from chargeyard.store import Store, create_engine, migrate
from chargeyard.store.migrations import current_revision, downgrade
from chargeyard.store.repositories import SampledValue


def _sample_indexes(connection: object) -> dict[str, list[str]]:
    return {
        index["name"]: index["column_names"]
        for index in inspect(connection).get_indexes("meter_samples")
    }


async def test_the_transaction_index_loses_the_time_and_gets_it_back_on_downgrade(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate(engine, "0004")
        async with Store(engine) as store:
            await store.stations.register("CP-1")
            started = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
            transaction = await store.transactions.start(
                "CP-1", connector_id=1, meter_start_wh=0, started_at=started
            )
            later = SampledValue(sampled_at=started + timedelta(minutes=2), value=2.0)
            earlier = SampledValue(sampled_at=started + timedelta(minutes=1), value=1.0)
            # Delivered out of time order (queued offline, say): still read in time order.
            for sample in (later, earlier):
                await store.transactions.add_samples(
                    "CP-1", [sample], transaction_id=transaction.transaction_id
                )

            await migrate(engine)
            assert await current_revision(engine) == "0005"
            async with engine.connect() as connection:
                indexes = await connection.run_sync(_sample_indexes)
            assert indexes["ix_meter_samples_transaction_pk"] == ["transaction_pk"]
            assert "ix_meter_samples_transaction_pk_sampled_at" not in indexes
            samples = await store.transactions.samples("CP-1", transaction.transaction_id)
            assert [sample.value for sample in samples] == [1.0, 2.0]

            await store.stations.delete("CP-1")  # the cascade through transactions
            async with engine.connect() as connection:
                remaining = await connection.exec_driver_sql("SELECT count(*) FROM meter_samples")
                assert remaining.scalar_one() == 0

            await downgrade(engine, "0004")
            async with engine.connect() as connection:
                indexes = await connection.run_sync(_sample_indexes)
            assert indexes["ix_meter_samples_transaction_pk_sampled_at"] == [
                "transaction_pk",
                "sampled_at",
            ]
            assert "ix_meter_samples_transaction_pk" not in indexes
    finally:
        await engine.dispose()
