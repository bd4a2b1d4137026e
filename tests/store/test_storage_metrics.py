"""``/metrics`` shows the store's size: rows per growing table, bytes per table on PostgreSQL,
the SQLite files and their WALs; read at most once a minute."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from chargeyard.csms.registry import Registry
from chargeyard.metrics import Metrics
from chargeyard.metrics.storage import COUNTED, StorageCollector
from chargeyard.store import Store
from chargeyard.store.models import Direction

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


async def _scrape(metrics: Metrics) -> dict[tuple[str, str], float]:
    body, _ = await metrics.render()
    return {
        (sample.name, next(iter(sample.labels.values()), "")): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name.startswith("chargeyard_storage_")
    }


async def _record_frames(store: Store, count: int) -> None:
    async with store.frame_log() as log:
        for n in range(count):
            log.record("CP-1", Direction.INCOMING, "Heartbeat", f"u{n}", "[2]", T0)


async def test_rows_per_table_and_on_postgresql_bytes(store: Store) -> None:
    await _record_frames(store, 3)
    metrics = Metrics()
    metrics.attach_csms(Registry(), store)

    samples = await _scrape(metrics)

    assert samples[("chargeyard_storage_rows", "frames")] == 3
    assert {table for name, table in samples if name == "chargeyard_storage_rows"} == set(COUNTED)
    if store.engine.dialect.name == "postgresql":
        assert samples[("chargeyard_storage_table_bytes", "frames")] > 0


async def test_the_sqlite_files_and_their_wal(tmp_path: Path) -> None:
    async with await Store.open(f"sqlite:///{tmp_path / 'lab.db'}") as store:
        await _record_frames(store, 10)
        metrics = Metrics()
        metrics.attach_csms(Registry(), store)

        samples = await _scrape(metrics)

    for file in ("main", "main-wal", "frames", "frames-wal"):
        assert ("chargeyard_storage_file_bytes", file) in samples
    assert samples[("chargeyard_storage_file_bytes", "frames")] > 0
    assert samples[("chargeyard_storage_file_bytes", "frames-wal")] > 0


async def test_the_store_is_read_at_most_once_a_minute(store: Store) -> None:
    now = [0.0]
    collector = StorageCollector(store, clock=lambda: now[0])
    await collector.refresh()
    await _record_frames(store, 2)

    await collector.refresh()
    [rows] = [family for family in collector.collect() if family.name == "chargeyard_storage_rows"]
    assert {s.labels["table"]: s.value for s in rows.samples}["frames"] == 0
    now[0] = 60.0
    await collector.refresh()
    [rows] = [family for family in collector.collect() if family.name == "chargeyard_storage_rows"]
    assert {s.labels["table"]: s.value for s in rows.samples}["frames"] == 2
