"""Retention trims the append-only tables by age and by size, in bounded batches, keeps what
must stay (transactions and meter samples, a station's newest notification of each kind,
pending webhook deliveries), and runs as a task the CSMS owns; on both backends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store import engine as engine_module
from chargeyard.store import retention as retention_module
from chargeyard.store.frame_file import frame_file_path
from chargeyard.store.models import (
    Base,
    BigIntPK,
    ChargerLog,
    ConnectorStatusChange,
    DataTransfer,
    DeliveryStatus,
    Direction,
    Frame,
    MeterSample,
    NotificationKind,
    SentCommand,
    StationNotification,
    Transaction,
    WebhookDelivery,
)
from chargeyard.store.retention import (
    HISTORIES,
    Retention,
    RetentionLimits,
    RetentionTask,
    retention_limits,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=31)
RECENT = NOW - timedelta(days=1)
HISTORY_MODELS: list[type[Base]] = [
    Frame,
    StationNotification,
    ConnectorStatusChange,
    DataTransfer,
    ChargerLog,
    SentCommand,
    WebhookDelivery,
]


async def _count(store: Store, model: type[Base]) -> int:
    engine = store.frames_engine if model is Frame else store.engine
    async with engine.connect() as connection:
        return (await connection.scalar(select(func.count()).select_from(model))) or 0


@dataclass(frozen=True)
class Parents:
    station: int
    organization: str
    charger: str
    webhook: str


async def _parents(store: Store) -> Parents:
    station = await store.stations.register("CP-1")
    organization = await store.organizations.create("Org")
    charger = await store.chargers.create(organization.id, identity="CP-1", ocpp_version=V16)
    webhook = await store.webhooks.create("https://example.com/hook", ["station.booted"])
    return Parents(station.id, organization.id, charger.id, webhook.id)


async def _insert(store: Store, parents: Parents, at: datetime, rows: int = 1) -> None:
    """``rows`` rows at ``at`` in every history."""
    station_pk, webhook = parents.station, parents.webhook
    async with store.engine.begin() as connection:
        for _ in range(rows):
            values: list[tuple[type[Base], dict[str, Any]]] = [
                (
                    StationNotification,
                    {
                        "station_id": station_pk,
                        "kind": NotificationKind.FIRMWARE,
                        "action": "FirmwareStatusNotification",
                        "status": "Idle",
                        "at": at,
                    },
                ),
                (
                    ConnectorStatusChange,
                    {"station_id": station_pk, "connector_id": 1, "status": "Available", "at": at},
                ),
                (
                    DataTransfer,
                    {
                        "id": f"dt_{at:%Y%m%d}{_next()}",
                        "station_id": station_pk,
                        "direction": "incoming",
                        "vendor_id": "V",
                        "created_at": at,
                    },
                ),
                (
                    ChargerLog,
                    {
                        "organization_id": parents.organization,
                        "charger_id": parents.charger,
                        "message": "m",
                        "at": at,
                    },
                ),
                (
                    SentCommand,
                    {
                        "id": f"cmd_{at:%Y%m%d}{_next()}",
                        "station_id": station_pk,
                        "endpoint": "POST /api/v1/chargers/{chargeBoxId}/reset",
                        "action": "Reset",
                        "request": "{}",
                        "outcome": "answered",
                        "sent_at": at,
                        "duration_ms": 1.0,
                    },
                ),
                (
                    WebhookDelivery,
                    {
                        "webhook_id": webhook,
                        "event": "station.booted",
                        "payload": {},
                        "status": DeliveryStatus.DELIVERED,
                        "created_at": at,
                    },
                ),
            ]
            for model, row in values:
                await connection.execute(model.__table__.insert().values(**row))  # type: ignore[attr-defined]
    async with store.frames_engine.begin() as connection:
        await connection.execute(
            Frame.__table__.insert(),  # type: ignore[attr-defined]
            [
                {"identity": "CP-1", "direction": "incoming", "text": "[2]", "at": at}
                for _ in range(rows)
            ],
        )


_counter = iter(range(1_000_000))


def _next() -> int:
    return next(_counter)


async def _counts(store: Store) -> dict[str, int]:
    return {model.__tablename__: await _count(store, model) for model in HISTORY_MODELS}


def test_every_history_is_trimmed() -> None:
    assert sorted(history.name for history in HISTORIES) == sorted(
        model.__tablename__ for model in HISTORY_MODELS
    )
    # The high-volume tables are the ones keyed by BigIntPK (models/base.py): each is trimmed,
    # but for the meter samples, which are billing facts.
    high_volume = {
        table.name
        for table in Base.metadata.sorted_tables
        if any(column.type is BigIntPK for column in table.primary_key.columns)
    }
    assert high_volume - {history.name for history in HISTORIES} == {"meter_samples"}


async def test_rows_older_than_max_age_are_deleted_in_batches(store: Store) -> None:
    parents = await _parents(store)
    await _insert(store, parents, OLD, rows=5)
    await _insert(store, parents, RECENT, rows=2)
    retention = Retention(store, RetentionLimits(max_age=timedelta(days=30), batch_size=2))

    deleted = await retention.prune(NOW)

    # The tables timed by this side lose every old row. The two timed by the station's own
    # clock (by_age False) are left to the size bound: an old time there may be a wrong clock.
    by_station_clock = {"station_notifications", "connector_status_history"}
    assert {h.name for h in HISTORIES if not h.by_age} == by_station_clock
    assert deleted == {name: 0 if name in by_station_clock else 5 for name in deleted}
    assert await _counts(store) == {name: 7 if name in by_station_clock else 2 for name in deleted}
    assert await retention.prune(NOW) == {name: 0 for name in deleted}


async def test_a_pass_with_nothing_due_only_reads(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite a delete waits for the process's writer turn, behind the stations' writes: a
    # pass that finds nothing to delete must not take it, nor a write transaction.
    turns: list[object] = []
    writer_turn = retention_module.writer_turn

    def recorded_turn(engine: Any) -> Any:
        turns.append(engine)
        return writer_turn(engine)

    monkeypatch.setattr(retention_module, "writer_turn", recorded_turn)
    parents = await _parents(store)
    await _insert(store, parents, RECENT, rows=3)
    retention = Retention(store, RetentionLimits(max_age=timedelta(days=30), max_rows=3))

    assert await retention.prune(NOW) == {history.name: 0 for history in HISTORIES}
    assert turns == []

    await _insert(store, parents, OLD)
    deleted = await retention.prune(NOW)
    assert deleted["frames"] == 1
    assert store.frames_engine in turns


async def test_the_oldest_rows_beyond_max_rows_are_deleted(store: Store) -> None:
    parents = await _parents(store)
    for day in range(6):
        await _insert(store, parents, RECENT - timedelta(hours=6 - day))
    retention = Retention(store, RetentionLimits(max_age=None, max_rows=4, batch_size=1))

    deleted = await retention.prune(NOW)

    assert deleted == {name: 2 for name in deleted}
    assert await _counts(store) == {name: 4 for name in deleted}
    async with store.engine.connect() as connection:
        oldest = await connection.scalar(select(func.min(DataTransfer.created_at)))
    assert oldest == RECENT - timedelta(hours=4)


async def test_billing_facts_and_current_state_are_never_trimmed(store: Store) -> None:
    parents = await _parents(store)
    transaction = await store.transactions.start(
        "CP-1", connector_id=1, meter_start_wh=0.0, started_at=OLD
    )
    async with store.engine.begin() as connection:
        await connection.execute(
            MeterSample.__table__.insert().values(  # type: ignore[attr-defined]
                station_id=parents.station,
                transaction_pk=transaction.id,
                sampled_at=OLD,
                value=1.0,
            )
        )
    await _insert(store, parents, OLD, rows=2)
    async with store.engine.begin() as connection:
        await connection.execute(
            WebhookDelivery.__table__.update().values(status=DeliveryStatus.PENDING)  # type: ignore[attr-defined]
        )

    await Retention(store, RetentionLimits(max_age=timedelta(days=1), max_rows=0)).prune(NOW)

    assert await _count(store, Transaction) == 1
    assert await _count(store, MeterSample) == 1
    # The newest firmware notification is the station's current firmware status.
    assert await _count(store, StationNotification) == 1
    current = await store.notifications.current(["CP-1"])
    assert current["CP-1"][NotificationKind.FIRMWARE].at == OLD
    assert await _count(store, WebhookDelivery) == 2  # pending: still to be sent
    assert await _count(store, Frame) == 0


async def test_the_task_prunes_at_start_and_stops(store: Store) -> None:
    parents = await _parents(store)
    await _insert(store, parents, OLD)
    passed = asyncio.Event()

    class Observed(Retention):
        async def prune(self, now: datetime | None = None) -> dict[str, int]:
            deleted = await super().prune(NOW)
            passed.set()
            return deleted

    task = RetentionTask(Observed(store, RetentionLimits(interval=3600)))
    await task.start()
    async with asyncio.timeout(5):
        await passed.wait()
    await task.stop()
    assert await _count(store, Frame) == 0


async def test_a_pass_truncates_the_frame_files_wal(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite:///{tmp_path / 'lab.db'}") as store:
        async with store.frame_log() as log:
            for n in range(2_000):
                log.record("CP-1", Direction.INCOMING, "Heartbeat", f"u{n}", "[2]" * 100, OLD)
        wal = frame_file_path(tmp_path / "lab.db").with_suffix(".db-wal")
        assert wal.stat().st_size > 0

        deleted = await Retention(store).prune(NOW)

        assert deleted["frames"] == 2_000
        assert wal.stat().st_size == 0


def test_the_command_line_switches_each_bound_off_with_zero() -> None:
    assert retention_limits(0, 0) is None
    assert retention_limits(0, 10) == RetentionLimits(max_age=None, max_rows=10)
    assert retention_limits(7, 0) == RetentionLimits(max_age=timedelta(days=7), max_rows=None)


async def test_the_wal_is_cut_back_to_its_limit_when_it_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "WAL_SIZE_LIMIT", 256 * 1024)
    async with await Store.open(f"sqlite:///{tmp_path / 'lab.db'}") as store:
        wal = frame_file_path(tmp_path / "lab.db").with_suffix(".db-wal")
        async with store.frame_log(batch_size=5_000, max_buffered=5_000) as log:
            for n in range(4_000):  # one batch of about 4 MB: one WAL that size
                log.record("CP-1", Direction.INCOMING, "DataTransfer", f"u{n}", "x" * 1_000, NOW)
        assert wal.stat().st_size > 2_000_000
        async with store.frames_engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
        async with store.frame_log() as log:  # the next write restarts the WAL
            log.record("CP-1", Direction.INCOMING, "Heartbeat", "h", "[2]", NOW)

        assert wal.stat().st_size <= 256 * 1024
