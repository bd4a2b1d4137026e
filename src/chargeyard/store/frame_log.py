"""The frame log: every OCPP frame in and out, written in batches.

Theory of operation
-------------------
:meth:`FrameLog.record` is called on the hot path, once per frame, from the event loop. It only
appends a tuple to an in-memory buffer (a deque) and, when a full batch is waiting, wakes the
flusher; it never awaits and never touches the database.

The flusher is a task owned by the log (:meth:`FrameLog.start` / :meth:`FrameLog.stop`, or
``async with``). It writes what is buffered ``interval`` seconds after the oldest frame not
yet taken by a write was recorded (:meth:`FrameLog.due_in`), or sooner when ``batch_size``
frames are waiting, in batches of at most ``batch_size`` rows: one transaction per batch
(``bulk_insert.py``: one trip to a thread of its own on SQLite, an executemany on
PostgreSQL). A single writer taking frames in buffer order means frames land in the order they
were recorded, so ``frames.id`` orders each identity's conversation.

What a crash loses. A frame is in memory until its batch commits. The deadline is counted
from the frame, not from the end of the previous write: a frame recorded while a batch is
being written is written when that write ends if it has waited ``interval`` by then. So as
long as a write takes less than ``interval`` (the database keeps up), every frame is
committed within ``interval`` plus the time of one write after it passed, and a process
killed at any moment (``kill -9``, a crash) loses at most the frames of that last stretch
(committed rows survive: ``engine.py``). A database that falls behind holds the backlog in
memory, up to ``max_buffered`` frames (below); what a station reported is never among them,
since the repositories commit it before the station is answered.

Bounded memory: the buffer holds at most ``max_buffered`` frames. If the database falls that
far behind (or is down), ``record`` drops the *oldest* buffered frame for each new one, counts
it in :attr:`FrameLog.dropped`, and the flusher logs a warning at most every
``_DROP_REPORT_INTERVAL`` seconds. The newest frames are the ones worth keeping when
debugging what is happening now; the station's own state is never in the frame log (that is
the repositories' job), so a dropped frame loses history, not facts.

A batch the database refused is put back at the front of the buffer and retried at the next
wake-up (trimmed to the bound like any other backlog). :meth:`FrameLog.flush` writes
everything buffered now; :meth:`FrameLog.stop` stops the flusher after a last flush.

Bounded rows: a frame's text longer than ``max_payload_chars`` is stored cut, with a marker
naming its length (``payload_cap.py``); old frames are deleted by the store's retention
(``retention.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard import loop_clock
from chargeyard.store.bulk_insert import BulkInserter
from chargeyard.store.engine import writer_turn
from chargeyard.store.models import Direction, Frame
from chargeyard.store.payload_cap import DEFAULT_MAX_PAYLOAD_CHARS, cap_payload
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

_DROP_REPORT_INTERVAL = 5.0

# The frame log's WAL is checkpointed every 10,000 pages (40 MiB of WAL on disk) instead of
# SQLite's 1,000. A batch from a thousand stations dirties about a thousand index pages (the last
# leaf of each station's range; see ``bulk_insert.CACHE_KIB``), so with the default nearly every
# commit ran a checkpoint, copying the same hot pages back into the file again and again.
# Measured (4,200-row batches, 1,000 identities, 420,000 rows in the file, 16 MiB cache, one
# thread): 14-18 us of CPU a row and 20-55 us of wall time with the default, 11.7 and
# 14-16 with 10,000 pages. On PostgreSQL (no WAL file of ours) it does not apply. The WAL file
# is cut back to ``engine.WAL_SIZE_LIMIT`` (64 MiB) whenever it restarts, and to nothing after
# each retention pass (``retention.py``), so a big batch does not leave it at its largest.
_CHECKPOINT_PAGES = 10_000
_Row = tuple[str, str, str | None, str | None, str, datetime, str | None]
_COLUMNS = ("identity", "direction", "action", "unique_id", "text", "at", "fault")
_TABLE: Table = Frame.__table__  # type: ignore[assignment]  # a Table, typed FromClause


class FrameLog:
    """A batched, bounded, asynchronous writer of :class:`~chargeyard.store.models.Frame` rows.

    Args:
        engine: the store's engine.
        batch_size: rows per INSERT; also how many waiting frames wake the flusher early.
        interval: seconds a frame waits at most before its batch is written, when fewer
            than ``batch_size`` frames wait.
        max_buffered: frames held in memory at most; beyond, the oldest are dropped.
        max_payload_chars: the longest text stored whole; a longer one is stored cut
            (``payload_cap.py``).
        clock: monotonic seconds (by default the event loop's clock, ``loop_clock``, which
            its ``asyncio.timeout`` keeps, fast-forwarded or not).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        batch_size: int = 2_000,
        interval: float = 0.05,
        max_buffered: int = 200_000,
        max_payload_chars: int = DEFAULT_MAX_PAYLOAD_CHARS,
        clock: Callable[[], float] = loop_clock.monotonic,
    ) -> None:
        if batch_size < 1 or max_buffered < batch_size or interval <= 0:
            raise ValueError("need batch_size >= 1, max_buffered >= batch_size, interval > 0")
        self._engine = engine
        self._inserter = BulkInserter(engine, checkpoint_pages=_CHECKPOINT_PAGES)
        self._batch_size = batch_size
        self._interval = interval
        self._max_buffered = max_buffered
        self._max_payload_chars = max_payload_chars
        self._clock = clock
        # When the frames not yet taken by a write are due (the oldest one's time + interval);
        # None when there are none.
        self._due: float | None = None
        self._buffer: deque[_Row] = deque()
        self._wake = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.written = 0
        """Frames committed to the database so far."""
        self.dropped = 0
        """Frames dropped because the buffer was full."""
        self._dropped_reported = 0
        self._last_drop_report = 0.0

    @property
    def buffered(self) -> int:
        """Frames recorded but not yet written."""
        return len(self._buffer)

    def due_in(self) -> float | None:
        """Seconds until the buffered frames are due for writing (0 or less: now); None when
        every frame recorded is written or being written."""
        return None if self._due is None else self._due - self._clock()

    def record(
        self,
        identity: str,
        direction: Direction,
        action: str | None,
        unique_id: str | None,
        text: str,
        at: datetime | None = None,
        fault: str | None = None,
    ) -> None:
        """Queue one frame for writing (``fault``: what a network fault did to it, in a
        simulator's log). Cheap and non-blocking; call from the event loop."""
        buffer = self._buffer
        if len(buffer) >= self._max_buffered:
            buffer.popleft()
            self.dropped += 1
        if len(text) > self._max_payload_chars:
            text = cap_payload(text, self._max_payload_chars)
        buffer.append((identity, direction, action, unique_id, text, at or utc_now(), fault))
        if self._due is None:
            # The first frame since a write began: the flusher learns its deadline.
            self._due = self._clock() + self._interval
            self._wake.set()
        elif len(buffer) >= self._batch_size and not self._wake.is_set():
            self._wake.set()

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the frame log is already started")
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="frame-log")

    async def stop(self) -> None:
        """Write what is buffered and stop the flusher."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await task
        finally:
            await self._inserter.close()
        if self._buffer:
            logger.error("frame log stopped with %d frames unwritten", len(self._buffer))

    async def __aenter__(self) -> FrameLog:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def flush(self) -> None:
        """Write the frames buffered when called (raises if the database refuses a batch;
        the batch stays buffered)."""
        async with self._write_lock:
            remaining = len(self._buffer)
            due, self._due = self._due, None  # frames recorded from now on are due anew
            try:
                while remaining > 0 and self._buffer:
                    remaining -= await self._write_batch()
            except BaseException:
                if self._buffer:  # the batch was put back: due when its frames were
                    known = [time for time in (due, self._due) if time is not None]
                    self._due = min(known) if known else self._clock()
                raise

    async def _run(self) -> None:
        while not self._stopping:
            due_in = self.due_in()
            if len(self._buffer) < self._batch_size and (due_in is None or due_in > 0):
                # Until the oldest frame's deadline, a full batch, a first frame or stop().
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(due_in):
                        await self._wake.wait()
                self._wake.clear()
                continue
            try:
                await self.flush()
            except Exception:
                # The batch went back into the buffer; retry after a pause rather than
                # hammering a database that just refused.
                logger.exception("frame log: writing a batch failed; will retry")
                await asyncio.sleep(self._interval)
            self._report_drops()
        # The last flush on stop: one more try, then give up (stop() reports the remainder).
        try:
            await self.flush()
        except Exception:
            logger.exception("frame log: the final flush failed")

    async def _write_batch(self) -> int:
        buffer = self._buffer
        batch = [buffer.popleft() for _ in range(min(self._batch_size, len(buffer)))]
        try:
            async with writer_turn(self._engine):
                await self._inserter.insert_values(_TABLE, _COLUMNS, batch)
        except BaseException:
            buffer.extendleft(reversed(batch))
            while len(buffer) > self._max_buffered:
                buffer.popleft()
                self.dropped += 1
            raise
        self.written += len(batch)
        return len(batch)

    def _report_drops(self) -> None:
        now = self._clock()
        if self.dropped == self._dropped_reported:
            return
        if now - self._last_drop_report < _DROP_REPORT_INTERVAL:
            return
        logger.warning(
            "frame log fell behind: dropped %d oldest frames (%d in all)",
            self.dropped - self._dropped_reported,
            self.dropped,
        )
        self._dropped_reported, self._last_drop_report = self.dropped, now
