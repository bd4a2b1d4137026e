"""Transactions: 1.6 id allocation, start/update/stop, listing, meter samples."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chargeyard.store import NotFoundError, Store, create_engine
from chargeyard.store.models import CsmsCloseReason, Transaction, TransactionStatus
from chargeyard.store.repositories import SampledValue
from chargeyard.store.repositories.transactions import ID_BLOCK

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def _start(
    store: Store,
    identity: str = "CP-1",
    *,
    connector_id: int = 1,
    started_at: datetime = T0,
    id_tag: str | None = None,
) -> str:
    """Start a 1.6 transaction; its allocated id."""
    transaction = await store.transactions.start(
        identity,
        connector_id=connector_id,
        meter_start_wh=1000.0,
        started_at=started_at,
        id_tag=id_tag,
    )
    return transaction.transaction_id


async def test_e_start_and_stop_a_16_transaction(store: Store) -> None:
    await store.stations.register("CP-1")
    started = await store.transactions.start(
        "CP-1",
        connector_id=2,
        id_tag="TAG-1",
        meter_start_wh=1000,
        started_at=T0,
        remote_started=True,
    )
    assert started.transaction_id == "1"
    assert (started.status, started.energy_wh, started.duration) == ("active", None, None)

    stopped = await store.transactions.stop(
        "CP-1",
        1,  # 1.6 sends the integer back
        meter_stop_wh=8500,
        stopped_at=T0 + timedelta(minutes=45),
        reason="EVDisconnected",
        id_tag="TAG-1",
    )
    assert (stopped.status, stopped.energy_wh, stopped.duration) == (
        TransactionStatus.COMPLETED,
        7500.0,
        timedelta(minutes=45),
    )
    fetched = await store.transactions.get("CP-1", "1")
    assert fetched is not None
    assert (
        fetched.connector_id,
        fetched.id_tag,
        fetched.stop_id_tag,
        fetched.meter_start_wh,
        fetched.meter_stop_wh,
        fetched.stop_reason,
        fetched.remote_started,
        fetched.stopped_at,
    ) == (2, "TAG-1", "TAG-1", 1000.0, 8500.0, "EVDisconnected", True, T0 + timedelta(minutes=45))


async def test_active_transactions_are_counted_per_tag_on_every_station(store: Store) -> None:
    for identity in ("CP-1", "CP-2"):
        await store.stations.register(identity)
    first = await store.transactions.start(
        "CP-1", connector_id=1, id_tag="TAG-1", meter_start_wh=0, started_at=T0
    )
    await store.transactions.start(
        "CP-2", connector_id=1, id_tag="TAG-1", meter_start_wh=0, started_at=T0
    )
    await store.transactions.start(
        "CP-2", connector_id=2, id_tag="TAG-2", meter_start_wh=0, started_at=T0
    )
    assert await store.transactions.count_active_for_tag("TAG-1") == 2
    assert await store.transactions.count_active_for_tag("TAG-1", excluding=first.id) == 1
    await store.transactions.stop("CP-1", first.transaction_id, meter_stop_wh=0, stopped_at=T0)
    assert await store.transactions.count_active_for_tag("TAG-1") == 1
    assert await store.transactions.count_active_for_tag("NOBODY") == 0


async def test_a_resent_stop_changes_nothing_and_a_corrected_one_is_kept(store: Store) -> None:
    await store.stations.register("CP-1")
    transaction_id = await _start(store)
    later = T0 + timedelta(hours=1)
    await store.transactions.stop("CP-1", transaction_id, meter_stop_wh=2000, stopped_at=later)
    again = await store.transactions.stop(
        "CP-1", transaction_id, meter_stop_wh=2000, stopped_at=later + timedelta(hours=1)
    )
    assert (again.meter_stop_wh, again.stopped_at) == (2000.0, later)
    # Another register is the station's correction: its final word is kept.
    corrected = await store.transactions.stop(
        "CP-1", transaction_id, meter_stop_wh=9999, stopped_at=later + timedelta(hours=2)
    )
    assert (corrected.meter_stop_wh, corrected.stopped_at) == (9999.0, later + timedelta(hours=2))
    assert not corrected.register_went_backwards


async def test_a_201_transaction_keeps_the_station_id_and_a_resent_start_is_the_same(
    store: Store,
) -> None:
    await store.stations.register("CS-1")
    first = await store.transactions.start(
        "CS-1",
        transaction_id="f1c0e7a2-aaaa",
        evse_id=1,
        connector_id=1,
        meter_start_wh=0,
        started_at=T0,
        charging_state="EVConnected",
    )
    again = await store.transactions.start(
        "CS-1", transaction_id="f1c0e7a2-aaaa", connector_id=1, meter_start_wh=0, started_at=T0
    )
    assert first.transaction_id == again.transaction_id == "f1c0e7a2-aaaa"
    assert first.id == again.id
    updated = await store.transactions.update(
        "CS-1", "f1c0e7a2-aaaa", id_tag="TOKEN-9", charging_state="Charging"
    )
    assert (updated.id_tag, updated.charging_state, updated.evse_id) == ("TOKEN-9", "Charging", 1)
    # The 1.6 counter was not consumed by the station-chosen id.
    await store.stations.register("CP-16")
    assert await _start(store, "CP-16") == "1"


async def test_a_16_start_sent_again_is_the_transaction_it_opened(store: Store) -> None:
    # 1.6 section 4.10: a StartTransaction whose answer was lost comes again with the same
    # facts and no id; it is the same transaction, and a start we asked for is claimed once.
    await store.stations.register("CP-1")
    claims: list[str] = []

    def claim() -> bool:
        claims.append("claimed")
        return True

    async def start(identity: str = "CP-1", at: datetime = T0) -> tuple[Transaction, bool]:
        return await store.transactions.start_once(
            identity,
            connector_id=1,
            meter_start_wh=1000.0,
            started_at=at,
            id_tag="T",
            remote_started=claim,
        )

    (first, new), (again, new_again) = await start(), await start()
    assert (new, new_again) == (True, False)
    assert again.transaction_id == first.transaction_id
    assert again.remote_started
    assert claims == ["claimed"]
    other, other_new = await start(at=T0 + timedelta(minutes=1))
    assert other_new
    assert other.transaction_id != first.transaction_id
    with pytest.raises(NotFoundError):
        await start("CP-NONE")


async def test_16_ids_are_unique_across_stations_and_increase(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    ids = [await _start(store, identity) for identity in ("CP-1", "CP-2", "CP-1", "CP-2")]
    assert ids == ["1", "2", "3", "4"]


async def test_16_ids_stay_unique_when_allocated_concurrently(store: Store) -> None:
    for index in range(4):
        await store.stations.register(f"CP-{index}")
    ids = await asyncio.gather(*(_start(store, f"CP-{index % 4}") for index in range(24)))
    assert sorted(int(value) for value in ids) == list(range(1, 25))


async def test_16_ids_keep_increasing_across_restarts_and_deletions(
    store: Store, database_url: str
) -> None:
    await store.stations.register("CP-1")
    before = [int(await _start(store)) for _ in range(3)]
    await store.stations.delete("CP-1")  # its transactions go too; their ids stay spent
    await store.close()

    reopened = Store(create_engine(database_url))
    try:
        await reopened.stations.register("CP-1")
        after = [int(await _start(reopened)) for _ in range(2)]
    finally:
        await reopened.close()
    assert before == [1, 2, 3]
    if store.engine.dialect.name == "sqlite":
        assert after == [4, 5]  # no gaps: the counter moves with each start
    else:
        assert after == [101, 102]  # the rest of the first process's block stays unused


async def test_16_ids_of_two_processes_are_unique(store: Store, database_url: str) -> None:
    # On PostgreSQL a block of ID_BLOCK ids per process, so that starts on many nodes do not
    # queue on the counter's row lock; on SQLite each start moves the counter itself.
    await store.stations.register("CP-1")
    other = Store(create_engine(database_url))
    try:
        first = [int(await _start(store)) for _ in range(2)]
        second = [int(await _start(other)) for _ in range(2)]
        third = int(await _start(store))
    finally:
        await other.close()
    if store.engine.dialect.name == "sqlite":
        assert (first, second, third) == ([1, 2], [3, 4], 5)
    else:
        assert (first, second, third) == ([1, 2], [1 + ID_BLOCK, 2 + ID_BLOCK], 3)


async def test_list_filters_and_pages_newest_first(store: Store) -> None:
    await store.stations.register("CP-1")
    await store.stations.register("CP-2")
    for hour in range(4):
        await _start(
            store,
            "CP-1" if hour % 2 == 0 else "CP-2",
            started_at=T0 + timedelta(hours=hour),
            connector_id=1 + hour % 2,
            id_tag=f"TAG-{hour % 2}",
        )
    await store.transactions.stop("CP-1", "1", meter_stop_wh=1500, stopped_at=T0)

    def ids(transactions: Sequence[Transaction]) -> list[str]:
        return [t.transaction_id for t in transactions]

    assert ids(await store.transactions.list()) == ["4", "3", "2", "1"]
    assert ids(await store.transactions.list(charge_box_id="CP-1")) == ["3", "1"]
    assert ids(await store.transactions.list(status="active")) == ["4", "3", "2"]
    assert ids(await store.transactions.list(status="completed")) == ["1"]
    assert ids(await store.transactions.list(connector_id=2)) == ["4", "2"]
    assert ids(await store.transactions.list(id_tag="TAG-0")) == ["3", "1"]
    assert ids(
        await store.transactions.list(since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3))
    ) == ["3", "2"]
    assert ids(await store.transactions.list(limit=2, offset=1)) == ["3", "2"]
    assert await store.transactions.count(charge_box_id="CP-1", status="active") == 1
    assert await store.transactions.count() == 4


async def test_meter_samples_are_stored_in_bulk_and_read_in_time_order(store: Store) -> None:
    await store.stations.register("CP-1")
    transaction_id = await _start(store)
    samples = [
        SampledValue(T0 + timedelta(minutes=2), 1200.0, unit="Wh", context="Sample.Periodic"),
        SampledValue(T0 + timedelta(minutes=1), 1100.0, unit="Wh", context="Sample.Periodic"),
        SampledValue(T0 + timedelta(minutes=1), 7.2, measurand="Power.Active.Import", unit="kW"),
        SampledValue(T0 + timedelta(minutes=1), 230.1, measurand="Voltage", phase="L1-N", unit="V"),
    ]
    stored = await store.transactions.add_samples(
        "CP-1", samples, transaction_id=int(transaction_id), connector_id=1
    )
    assert stored == 4
    energy = await store.transactions.samples(
        "CP-1", transaction_id, measurand="Energy.Active.Import.Register"
    )
    assert [(s.sampled_at, s.value, s.unit, s.connector_id) for s in energy] == [
        (T0 + timedelta(minutes=1), 1100.0, "Wh", 1),
        (T0 + timedelta(minutes=2), 1200.0, "Wh", 1),
    ]
    everything = await store.transactions.samples("CP-1", transaction_id)
    assert len(everything) == 4
    voltage = next(s for s in everything if s.measurand == "Voltage")
    assert (voltage.phase, voltage.value) == ("L1-N", 230.1)


async def test_the_power_now_is_the_latest_power_else_derived_from_the_register(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    sampled_power = int(await _start(store))
    register_only = int(await _start(store, connector_id=2))
    nothing_yet = int(await _start(store, connector_id=3))
    await store.transactions.add_samples(
        "CP-1",
        [
            SampledValue(
                T0 + timedelta(minutes=2), 3.7, measurand="Power.Active.Import", unit="kW"
            ),
            SampledValue(
                T0 + timedelta(minutes=1), 7.2, measurand="Power.Active.Import", unit="kW"
            ),
        ],
        transaction_id=sampled_power,
    )
    await store.transactions.add_samples(
        "CP-1",
        # Out of time order in one message: the latest two by time count.
        [
            SampledValue(T0 + timedelta(minutes=2), 1220.0),
            SampledValue(T0 + timedelta(minutes=1), 1100.0),
            SampledValue(T0, 1000.0),
        ],
        transaction_id=register_only,
    )
    keys = {row.transaction_id: row.id for row in await store.transactions.list(limit=10)}

    powers = await store.transactions.latest_power_w(keys.values())

    assert {wire: powers.get(pk) for wire, pk in keys.items()} == {
        str(sampled_power): 3700.0,
        str(register_only): 7200.0,  # 120 Wh in a minute
        str(nothing_yet): None,
    }


async def test_a_summary_keeps_only_the_readings_not_kept_yet(store: Store) -> None:
    await store.stations.register("CP-1")
    transaction_id = await _start(store)
    # Kept at another offset than sent: the same instant is the same reading.
    begin = SampledValue(T0, 1000.0, unit="Wh", context="Transaction.Begin")
    begin_l1 = begin._replace(phase="L1", value=300.0)
    await store.transactions.add_samples("CP-1", [begin, begin_l1], transaction_id=transaction_id)
    east = timezone(timedelta(hours=2))
    summary = [
        begin._replace(sampled_at=T0.astimezone(east)),
        begin_l1,
        begin._replace(context="Sample.Periodic"),  # same time, another reading
        SampledValue(T0 + timedelta(hours=1), 9000.0, unit="Wh", context="Transaction.End"),
        SampledValue(T0 + timedelta(hours=1), 9000.0, unit="Wh", context="Transaction.End"),
    ]
    assert (
        await store.transactions.add_samples(
            "CP-1", summary, transaction_id=transaction_id, skip_kept=True
        )
        == 2
    )
    kept = await store.transactions.samples("CP-1", transaction_id)
    assert sorted((s.context or "", s.phase or "", s.value) for s in kept) == [
        ("Sample.Periodic", "", 1000.0),
        ("Transaction.Begin", "", 1000.0),
        ("Transaction.Begin", "L1", 300.0),
        ("Transaction.End", "", 9000.0),
    ]
    # Nothing new: nothing written.
    assert (
        await store.transactions.add_samples(
            "CP-1", summary, transaction_id=transaction_id, skip_kept=True
        )
        == 0
    )


async def test_orphans_are_closed_at_their_last_reading_and_a_station_stop_replaces_that(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    stale = await _start(store, started_at=T0)
    elsewhere = await _start(store, connector_id=2, started_at=T0)
    newer = await _start(store, started_at=T0 + timedelta(hours=2))
    reading = SampledValue(T0 + timedelta(minutes=30), 2.5, unit="kWh")
    await store.transactions.add_samples("CP-1", [reading], transaction_id=stale)
    closed = await store.transactions.close_orphans(
        "CP-1",
        reason=CsmsCloseReason.AVAILABLE_AFTER_BOOT,
        at=T0 + timedelta(hours=1),
        connector_id=1,
        started_before=T0 + timedelta(hours=1),
    )
    assert [t.transaction_id for t in closed] == [stale]
    record = await store.transactions.get("CP-1", stale)
    assert record is not None
    assert (record.status, record.meter_stop_wh, record.energy_wh, record.stop_reason) == (
        TransactionStatus.COMPLETED,
        2500,
        1500,
        "Other",
    )
    assert record.csms_close_reason == CsmsCloseReason.AVAILABLE_AFTER_BOOT
    for active in (elsewhere, newer):
        kept = await store.transactions.get("CP-1", active)
        assert kept is not None
        assert kept.status == TransactionStatus.ACTIVE
    stopped = await store.transactions.stop(
        "CP-1", stale, meter_stop_wh=900, stopped_at=T0 + timedelta(minutes=40), reason="PowerLoss"
    )
    assert (stopped.meter_stop_wh, stopped.stop_reason, stopped.csms_close_reason) == (
        900,
        "PowerLoss",
        None,
    )
    assert stopped.register_went_backwards  # below its start, as reported


async def test_samples_outside_a_transaction_are_kept_too(store: Store) -> None:
    await store.stations.register("CP-1")
    assert await store.transactions.add_samples("CP-1", [SampledValue(T0, 1.0)]) == 1
    assert await store.transactions.add_samples("CP-1", []) == 0


async def test_unknown_stations_and_transactions_are_not_found(store: Store) -> None:
    await store.stations.register("CP-1")
    with pytest.raises(NotFoundError):
        await _start(store, "CP-404")
    with pytest.raises(NotFoundError):
        await store.transactions.stop("CP-1", 77, meter_stop_wh=0, stopped_at=T0)
    with pytest.raises(NotFoundError):
        await store.transactions.update("CP-1", 77, charging_state="Idle")
    with pytest.raises(NotFoundError):
        await store.transactions.add_samples("CP-1", [SampledValue(T0, 1.0)], transaction_id=77)
    assert await store.transactions.get("CP-1", 77) is None


async def test_totals_count_the_transactions_started_since_and_the_energy_of_those_ended(
    store: Store,
) -> None:
    await store.stations.register("CP-1")
    assert await store.transactions.totals() == (0, 0.0)
    await _start(store, started_at=T0 - timedelta(hours=1))  # before: not counted
    ended = await _start(store, connector_id=2, started_at=T0)
    await _start(store, connector_id=3, started_at=T0 + timedelta(minutes=5))  # still running
    await store.transactions.stop(
        "CP-1", ended, meter_stop_wh=8500, stopped_at=T0 + timedelta(minutes=30)
    )

    assert await store.transactions.totals(since=T0) == (2, 7500.0)
    assert await store.transactions.totals(since=T0, organization_id="elsewhere") == (0, 0.0)
