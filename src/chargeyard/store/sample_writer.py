"""Group commit for meter samples: the rows of many messages in one transaction.

Theory of operation
-------------------
A central system answers MeterValues (OCPP 1.6 section 4.7) and TransactionEvent (2.0.1 E02)
only after the samples they carry are committed (``repositories/transaction_samples.py``). One
transaction per message caps the rate: on SQLite every message takes the write lock and appends
a commit to the WAL, and concurrent writers queue on SQLite's busy handler, which *sleeps*.

:meth:`SampleWriter.write` instead queues a message's rows and awaits the commit of the batch
that holds them (``group_commit.py``: one task takes everything queued, settles every waiter,
retries a refused batch one message at a time, wakes the waiters a slice at a time). A batch
is one transaction without ORM objects (``bulk_insert.py``: one trip to a thread of its own on
SQLite, an executemany on PostgreSQL). The guarantee is unchanged: a caller that got past
``write`` has its rows committed. A batch holds at most ``max_rows`` rows (but always at
least one message), so that one transaction does not hold SQLite's write lock for long.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.bulk_insert import BulkInserter
from chargeyard.store.engine import writer_turn
from chargeyard.store.group_commit import GroupCommit
from chargeyard.store.models import MeterSample
from chargeyard.store.repositories.transactions import SampledValue

_TABLE: Table = MeterSample.__table__  # type: ignore[assignment]  # a Table, typed FromClause

# A row is the message's keys, then a SampledValue: its fields are the last columns, in order.
SAMPLE_COLUMNS = ("station_id", "transaction_pk", "evse_id", "connector_id", *SampledValue._fields)

SampleRow = tuple[Any, ...]
"""One ``meter_samples`` row: the values of :data:`SAMPLE_COLUMNS`, in that order (tuples, not
dicts: no dict per row to build and none to take apart again)."""


class SampleWriter(GroupCommit[Sequence[SampleRow], None]):
    """Writes :class:`~chargeyard.store.models.MeterSample` rows with group commit
    (``group_commit.py``).

    Args:
        engine: the store's engine.
        max_rows: rows per transaction at most (a message is never split).
        wake_slice: waiters woken per loop iteration once their batch is committed.
    """

    def __init__(self, engine: AsyncEngine, *, max_rows: int = 10_000, wake_slice: int = 8) -> None:
        super().__init__(
            "sample writer", max_size=max_rows, max_size_name="max_rows", wake_slice=wake_slice
        )
        self._engine = engine
        self._inserter = BulkInserter(engine)
        self.rows = 0
        """Rows committed so far."""

    @property
    def transactions(self) -> int:
        """Transactions committed so far (the batches; compare with :attr:`rows`)."""
        return self.batches

    async def write(self, rows: Sequence[SampleRow]) -> None:
        """Queue ``rows`` and return once they are committed.

        Raises:
            RuntimeError: the writer is not running.
            sqlalchemy.exc.IntegrityError: a row refers to a station or transaction that is
                gone (other database errors likewise).
        """
        if not self.running:
            raise RuntimeError("the sample writer is not running")
        if rows:
            await self._submit(rows, len(rows))

    async def stop(self) -> None:
        """Write what is queued, then stop."""
        try:
            await super().stop()
        finally:
            await self._inserter.close()

    async def _handle(self, items: Sequence[Sequence[SampleRow]]) -> list[None]:
        rows = [row for message in items for row in message]
        async with writer_turn(self._engine):
            await self._inserter.insert_values(_TABLE, SAMPLE_COLUMNS, rows)
        self.rows += len(rows)
        return [None] * len(items)
