"""The sample writer: group commit of meter samples, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import MeterSample
from chargeyard.store.repositories import SampledValue
from chargeyard.store.sample_writer import SAMPLE_COLUMNS, SampleRow, SampleWriter

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def _transaction_keys(store: Store, identity: str = "CP-1") -> tuple[int, int, str]:
    """A registered station with a started 1.6 transaction: (station pk, transaction pk, id)."""
    await store.stations.register(identity)
    started = await store.transactions.start(
        identity, connector_id=1, meter_start_wh=0.0, started_at=T0
    )
    station, transaction = await store.transactions.sample_keys(identity, started.transaction_id)
    assert transaction == started.id
    return station, started.id, started.transaction_id


def _rows(
    station: int,
    transaction: int | None,
    message: int,
    count: int = 4,
    *,
    at: datetime | None = None,
) -> list[SampleRow]:
    """One message's rows: ``count`` values of a MeterValues sampled at ``at`` (T0 + message
    seconds by default), as tuples of the writer's columns."""
    sampled_at = at or T0 + timedelta(seconds=message)
    keys = (station, transaction, 0, 1)
    return [
        keys
        + SampledValue(
            sampled_at=sampled_at,
            value=float(message * 10 + index),
            measurand="Energy.Active.Import.Register" if index == 0 else "Voltage",
            unit="Wh" if index == 0 else "V",
            context="Sample.Periodic",
        )
        for index in range(count)
    ]


def test_a_row_is_the_keys_then_a_sampled_value() -> None:
    assert SAMPLE_COLUMNS[4:] == SampledValue._fields
    # Every column of the table but its key, each once: a SampledValue field renamed or a
    # column added without one fails here, not in a batch.
    table_columns = {column.name for column in MeterSample.__table__.columns} - {"id"}
    assert sorted(SAMPLE_COLUMNS) == sorted(table_columns)
    assert len(_rows(1, 2, 0)[0]) == len(SAMPLE_COLUMNS)


async def test_rows_are_committed_when_write_returns(store: Store) -> None:
    station, transaction, transaction_id = await _transaction_keys(store)
    async with SampleWriter(store.engine) as writer:
        await writer.write(_rows(station, transaction, 1))
        samples = await store.transactions.samples("CP-1", transaction_id)
    assert [(s.value, s.measurand, s.unit, s.sampled_at) for s in samples] == [
        (10.0, "Energy.Active.Import.Register", "Wh", T0 + timedelta(seconds=1)),
        (11.0, "Voltage", "V", T0 + timedelta(seconds=1)),
        (12.0, "Voltage", "V", T0 + timedelta(seconds=1)),
        (13.0, "Voltage", "V", T0 + timedelta(seconds=1)),
    ]
    assert samples[0].context == "Sample.Periodic"
    assert samples[0].connector_id == 1


async def test_concurrent_messages_share_transactions(store: Store) -> None:
    station, transaction, transaction_id = await _transaction_keys(store)
    async with SampleWriter(store.engine) as writer:
        await asyncio.gather(*(writer.write(_rows(station, transaction, m)) for m in range(50)))
        assert writer.rows == 200
        # The first message is written alone; the 49 that queued meanwhile go together.
        assert writer.transactions < 50
    samples = await store.transactions.samples("CP-1", transaction_id, measurand="Voltage")
    assert len(samples) == 150


async def test_rows_sharing_one_timestamp_object_keep_their_own_times(store: Store) -> None:
    # As a handler builds them: the samples of one meter value share its datetime object, and
    # the writer converts each object once; no message may take a neighbour's time.
    station, transaction, transaction_id = await _transaction_keys(store)
    messages = []
    for message in range(3):
        at = T0 + timedelta(seconds=message, microseconds=250)
        messages.append(_rows(station, transaction, message, at=at))
    async with SampleWriter(store.engine) as writer:
        await asyncio.gather(*(writer.write(rows) for rows in messages))
    samples = await store.transactions.samples("CP-1", transaction_id)
    assert sorted((s.value, s.sampled_at) for s in samples) == [
        (float(message * 10 + index), T0 + timedelta(seconds=message, microseconds=250))
        for message in range(3)
        for index in range(4)
    ]


async def test_the_waiters_of_a_batch_are_woken_a_slice_per_loop_iteration(store: Store) -> None:
    station, transaction, _ = await _transaction_keys(store)
    iteration = 0
    woken: list[int] = []  # the loop iteration each write returned in

    async def count_iterations() -> None:
        nonlocal iteration
        while True:
            await asyncio.sleep(0)
            iteration += 1

    async def write(message: int) -> None:
        await writer.write(_rows(station, transaction, message))
        woken.append(iteration)

    counter = asyncio.create_task(count_iterations())
    async with SampleWriter(store.engine, wake_slice=4) as writer:
        await write(0)  # written alone; the next ten queue meanwhile and share one batch
        woken.clear()
        await asyncio.gather(*(write(m) for m in range(1, 11)))
    counter.cancel()
    assert writer.transactions == 2
    assert [woken.count(moment) for moment in sorted(set(woken))] == [4, 4, 2]


async def test_a_batch_never_exceeds_max_rows_but_keeps_messages_whole(store: Store) -> None:
    station, transaction, transaction_id = await _transaction_keys(store)
    async with SampleWriter(store.engine, max_rows=10) as writer:
        await asyncio.gather(*(writer.write(_rows(station, transaction, m)) for m in range(9)))
        # 4 rows per message, at most 10 per transaction: at most 2 messages per transaction.
        assert writer.transactions >= 5
    assert len(await store.transactions.samples("CP-1", transaction_id)) == 36


async def test_a_message_the_database_refuses_fails_alone(store: Store) -> None:
    station, transaction, transaction_id = await _transaction_keys(store)
    async with SampleWriter(store.engine) as writer:
        results = await asyncio.gather(
            writer.write(_rows(station, transaction, 1)),
            writer.write(_rows(station, transaction, 2)),
            writer.write(_rows(station + 1000, None, 3)),  # no such station: a foreign key
            writer.write(_rows(station, transaction, 4)),
            return_exceptions=True,
        )
    assert results[:2] == [None, None]
    assert results[3] is None
    assert isinstance(results[2], IntegrityError)
    samples = await store.transactions.samples("CP-1", transaction_id, measurand="Voltage")
    assert sorted({s.sampled_at.second for s in samples}) == [1, 2, 4]


async def test_stop_writes_what_is_queued_and_refuses_more(store: Store) -> None:
    station, transaction, transaction_id = await _transaction_keys(store)
    writer = SampleWriter(store.engine)
    await writer.start()
    pending = [asyncio.create_task(writer.write(_rows(station, transaction, m))) for m in range(5)]
    await asyncio.sleep(0)  # every task has queued its rows
    await writer.stop()
    await asyncio.gather(*pending)
    assert len(await store.transactions.samples("CP-1", transaction_id)) == 20
    with pytest.raises(RuntimeError, match="not running"):
        await writer.write(_rows(station, transaction, 9))


async def test_sample_keys_name_what_is_missing(store: Store) -> None:
    with pytest.raises(NotFoundError, match="station"):
        await store.transactions.sample_keys("CP-404")
    await store.stations.register("CP-1")
    station, none = await store.transactions.sample_keys("CP-1")
    assert none is None
    assert station > 0
    with pytest.raises(NotFoundError, match="transaction"):
        await store.transactions.sample_keys("CP-1", 777)
