"""The store's size, read when Prometheus scrapes: rows per table, bytes per table where the
database says so cheaply (PostgreSQL), and on SQLite the size of each file and its WAL.

Counting a table of millions of rows takes a scan, so the store is read at most once every
``max_staleness`` seconds (a minute by default); a scrape in between shows the last reading.
The histories retention trims (``store/retention.py``) are counted, and so are the billing
facts it never trims (transactions, meter samples), so that their growth is seen too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store import Store
from chargeyard.store.engine import is_sqlite
from chargeyard.store.models import Base
from chargeyard.store.retention import HISTORIES

logger = logging.getLogger(__name__)

COUNTED = (*(history.name for history in HISTORIES), "transactions", "meter_samples")
DEFAULT_MAX_STALENESS_S = 60.0


@dataclass(frozen=True, slots=True)
class StorageSnapshot:
    rows: dict[str, int] = field(default_factory=dict)
    table_bytes: dict[str, int] = field(default_factory=dict)
    file_bytes: dict[str, int] = field(default_factory=dict)


async def read_storage(store: Store) -> StorageSnapshot:
    """Rows of each counted table, PostgreSQL's bytes per table, SQLite's file sizes."""
    rows: dict[str, int] = {}
    table_bytes: dict[str, int] = {}
    for name in COUNTED:
        engine = store.frames_engine if name == "frames" else store.engine
        table = Base.metadata.tables[name]
        async with engine.connect() as connection:
            rows[name] = (await connection.scalar(select(func.count()).select_from(table))) or 0
            if not is_sqlite(engine):
                size = await connection.scalar(
                    text("SELECT pg_total_relation_size(CAST(:name AS regclass))"), {"name": name}
                )
                table_bytes[name] = int(size or 0)
    files: dict[str, int] = {}
    for label, engine in (("main", store.engine), ("frames", store.frames_engine)):
        files.update(_file_sizes(label, engine))
    return StorageSnapshot(rows=rows, table_bytes=table_bytes, file_bytes=files)


def _file_sizes(label: str, engine: AsyncEngine) -> dict[str, int]:
    if not is_sqlite(engine) or not engine.url.database:
        return {}
    path = Path(engine.url.database)
    sizes = {}
    for suffix, name in (("", label), ("-wal", f"{label}-wal")):
        try:
            sizes[name] = path.with_name(path.name + suffix).stat().st_size
        except FileNotFoundError:
            sizes[name] = 0
    return sizes


class StorageCollector:
    """``chargeyard_storage_*`` gauges of ``store``, read at most every ``max_staleness`` s."""

    def __init__(
        self,
        store: Store,
        *,
        max_staleness: float = DEFAULT_MAX_STALENESS_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._max_staleness = max_staleness
        self._clock = clock
        self._snapshot: StorageSnapshot | None = None
        self._read_at: float | None = None

    async def refresh(self) -> None:
        """Read the store unless the last reading is recent; on an error, keep none."""
        now = self._clock()
        if self._read_at is not None and now - self._read_at < self._max_staleness:
            return
        self._read_at = now
        try:
            self._snapshot = await read_storage(self.store)
        except (SQLAlchemyError, OSError) as error:
            logger.warning("metrics: cannot read the store's size: %s", error)
            self._snapshot = None

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        snapshot = self._snapshot
        if snapshot is None:
            return
        rows = GaugeMetricFamily(
            "chargeyard_storage_rows",
            "Rows in the store's growing tables (the histories retention trims, and the"
            " transactions and meter samples it keeps).",
            labels=["table"],
        )
        for name, count in snapshot.rows.items():
            rows.add_metric([name], count)
        yield rows
        if snapshot.table_bytes:
            sizes = GaugeMetricFamily(
                "chargeyard_storage_table_bytes",
                "Bytes of each of those tables with their indexes (PostgreSQL).",
                labels=["table"],
            )
            for name, size in snapshot.table_bytes.items():
                sizes.add_metric([name], size)
            yield sizes
        if snapshot.file_bytes:
            files = GaugeMetricFamily(
                "chargeyard_storage_file_bytes",
                "Bytes of the SQLite files: main (chargeyard.db), frames (the frame log's file)"
                " and each one's write-ahead log (-wal).",
                labels=["file"],
            )
            for name, size in snapshot.file_bytes.items():
                files.add_metric([name], size)
            yield files
