"""Group commit for meter samples: the rows of many messages in one transaction.

Theory of operation
-------------------
A central system answers MeterValues (OCPP 1.6 section 4.7) and TransactionEvent (2.0.1 E02)
only after the samples they carry are committed (``repositories/transaction_samples.py``). One
transaction per message caps the rate: on SQLite every message takes the write lock and appends
a commit to the WAL, and concurrent writers queue on SQLite's busy handler, which *sleeps*.

:meth:`SampleWriter.write` instead queues a message's rows and awaits the commit of the batch
that holds them. One task owned by the writer (:meth:`~SampleWriter.start` /
:meth:`~SampleWriter.stop`, or ``async with``) takes everything queued, writes it in one
transaction (no ORM objects: ``bulk_insert.py``, one trip to a thread of its own on SQLite,
an executemany on PostgreSQL), resolves every waiter, and starts over with what arrived
meanwhile. Under light load a batch holds one message and costs what one transaction always
did; under heavy load batches grow by themselves and the cost per message falls: group commit,
as databases do for their own logs. The guarantee is unchanged: a caller that got past
``write`` has its rows committed.

A batch holds at most ``max_rows`` rows (but always at least one message), so that one
transaction does not hold SQLite's write lock for long. A batch the database refuses (a station
or transaction deleted meanwhile breaks a foreign key) is retried one message per transaction,
so only the message at fault sees the error. On stop, what is queued is written first.

The waiters of a committed batch are woken ``wake_slice`` at a time, one loop iteration apart:
each goes on to answer its station (validate, encode, send), and a few hundred of them in one
iteration would hold up everything else on the loop (a REST command, the answer it waits for)
for tens of milliseconds. The writer does not wait for that: it takes the next batch at once,
so the database is never idle while answers go out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.bulk_insert import BulkInserter
from chargeyard.store.engine import writer_turn
from chargeyard.store.models import MeterSample
from chargeyard.store.repositories.transactions import SampledValue

logger = logging.getLogger(__name__)

_TABLE: Table = MeterSample.__table__  # type: ignore[assignment]  # a Table, typed FromClause

# A row is the message's keys, then a SampledValue: its fields are the last columns, in order.
SAMPLE_COLUMNS = ("station_id", "transaction_pk", "evse_id", "connector_id", *SampledValue._fields)

SampleRow = tuple[Any, ...]
"""One ``meter_samples`` row: the values of :data:`SAMPLE_COLUMNS`, in that order (tuples, not
dicts: no dict per row to build and none to take apart again)."""


@dataclass(frozen=True, slots=True)
class _Request:
    rows: Sequence[SampleRow]
    done: asyncio.Future[None]


class SampleWriter:
    """Writes :class:`~chargeyard.store.models.MeterSample` rows with group commit.

    Args:
        engine: the store's engine.
        max_rows: rows per transaction at most (a message is never split).
        wake_slice: waiters woken per loop iteration once their batch is committed.
    """

    def __init__(self, engine: AsyncEngine, *, max_rows: int = 10_000, wake_slice: int = 8) -> None:
        if max_rows < 1 or wake_slice < 1:
            raise ValueError("need max_rows >= 1 and wake_slice >= 1")
        self._wake_slice = wake_slice
        self._engine = engine
        self._inserter = BulkInserter(engine)
        self._max_rows = max_rows
        self._queue: deque[_Request] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.transactions = 0
        """Transactions committed so far (the batches; compare with :attr:`rows`)."""
        self.rows = 0
        """Rows committed so far."""

    async def write(self, rows: Sequence[SampleRow]) -> None:
        """Queue ``rows`` and return once they are committed.

        Raises:
            RuntimeError: the writer is not running.
            sqlalchemy.exc.IntegrityError: a row refers to a station or transaction that is
                gone (other database errors likewise).
        """
        if self._task is None or self._stopping:
            raise RuntimeError("the sample writer is not running")
        if not rows:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request(rows, done))
        self._wake.set()
        await done

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the sample writer is already started")
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sample-writer")

    async def stop(self) -> None:
        """Write what is queued, then stop."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await task
        finally:
            self._task = None
            await self._inserter.close()

    async def __aenter__(self) -> SampleWriter:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _run(self) -> None:
        try:
            while self._queue or not self._stopping:
                if not self._queue:
                    await self._wake.wait()
                    self._wake.clear()
                    continue
                await self._commit(self._take())
        finally:
            # Cancelled (the loop is closing): nobody may wait forever.
            while self._queue:
                _settle(self._queue.popleft(), RuntimeError("the sample writer stopped"))

    def _take(self) -> list[_Request]:
        queue, batch = self._queue, [self._queue.popleft()]
        rows = len(batch[0].rows)
        while queue and rows + len(queue[0].rows) <= self._max_rows:
            request = queue.popleft()
            batch.append(request)
            rows += len(request.rows)
        return batch

    async def _commit(self, batch: list[_Request]) -> None:
        rows = [row for request in batch for row in request.rows]
        try:
            async with writer_turn(self._engine):
                await self._inserter.insert_values(_TABLE, SAMPLE_COLUMNS, rows)
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0], error)
                return
            logger.info("a batch of %d messages failed (%s); retrying each", len(batch), error)
            for request in batch:
                await self._commit([request])
            return
        self.transactions += 1
        self.rows += len(rows)
        self._wake_committed(batch, 0)

    def _wake_committed(self, batch: list[_Request], start: int) -> None:
        end = start + self._wake_slice
        for request in batch[start:end]:
            _settle(request, None)
        if end < len(batch):  # the rest in the next loop iteration
            asyncio.get_running_loop().call_soon(self._wake_committed, batch, end)


def _settle(request: _Request, error: BaseException | None) -> None:
    if request.done.done():  # its caller was cancelled: the rows may still have been written
        return
    if error is None:
        request.done.set_result(None)
    else:
        request.done.set_exception(error)
