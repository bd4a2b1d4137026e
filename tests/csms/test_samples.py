"""A connection's meter samples through the listener's group-commit writer (csms/samples.py):
the same results as the repository's ``add_samples``, with the row keys looked up once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from chargeyard.csms.context import StationContext
from chargeyard.csms.samples import MeterSamples
from chargeyard.store import NotFoundError, Store
from chargeyard.store.repositories import SampledValue
from chargeyard.store.sample_writer import SampleWriter

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)
SAMPLES = [
    SampledValue(T0, 1234.0, unit="Wh"),
    SampledValue(T0, 230.0, measurand="Voltage", phase="L1", unit="V"),
]


@pytest.fixture
async def writer(store: Store) -> AsyncIterator[SampleWriter]:
    async with SampleWriter(store.engine) as running:
        yield running


async def _started(store: Store) -> str:
    await store.stations.register("CP-1")
    started = await store.transactions.start(
        "CP-1", connector_id=1, meter_start_wh=0.0, started_at=T0
    )
    return started.transaction_id


async def test_j_samples_of_a_transaction_are_kept_with_keys_looked_up_once(
    store: Store, writer: SampleWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    transaction_id = await _started(store)
    lookups: list[object] = []
    sample_keys = store.transactions.sample_keys

    async def counting(charge_box_id: str, transaction: str | int | None = None) -> object:
        lookups.append(transaction)
        return await sample_keys(charge_box_id, transaction)

    monkeypatch.setattr(store.transactions, "sample_keys", counting)
    samples = MeterSamples(StationContext("CP-1", store, sample_writer=writer))

    assert await samples.add(SAMPLES, transaction_id=int(transaction_id), connector_id=1) == 2
    assert await samples.add(SAMPLES, transaction_id=int(transaction_id), connector_id=1) == 2

    assert lookups == [int(transaction_id)]
    kept = await store.transactions.samples("CP-1", transaction_id)
    assert [(s.value, s.measurand, s.phase, s.connector_id) for s in kept] == [
        (1234.0, "Energy.Active.Import.Register", None, 1),
        (230.0, "Voltage", "L1", 1),
        (1234.0, "Energy.Active.Import.Register", None, 1),
        (230.0, "Voltage", "L1", 1),
    ]
    assert writer.rows == 4


async def test_j_unknown_transaction_is_not_found(store: Store, writer: SampleWriter) -> None:
    await _started(store)
    samples = MeterSamples(StationContext("CP-1", store, sample_writer=writer))
    with pytest.raises(NotFoundError, match="transaction"):
        await samples.add(SAMPLES, transaction_id=999_999)
    assert writer.rows == 0


async def test_a_station_deleted_after_its_keys_were_kept_is_not_found(
    store: Store, writer: SampleWriter
) -> None:
    await _started(store)
    samples = MeterSamples(StationContext("CP-1", store, sample_writer=writer))
    assert await samples.add(SAMPLES) == 2
    await store.stations.delete("CP-1")
    with pytest.raises(NotFoundError, match="station"):
        await samples.add(SAMPLES)


async def test_without_a_writer_each_message_is_its_own_unit_of_work(store: Store) -> None:
    transaction_id = await _started(store)
    samples = MeterSamples(StationContext("CP-1", store))
    assert await samples.add(SAMPLES, transaction_id=transaction_id) == 2
    assert len(await store.transactions.samples("CP-1", transaction_id)) == 2
