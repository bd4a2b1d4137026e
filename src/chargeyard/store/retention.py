"""Retention: the append-only tables are trimmed by age and by size, in the background.

Theory of operation
-------------------
The frame log and the other histories (station notifications, connector status history,
DataTransfers, charger logs, webhook deliveries, the commands the API sent) grow by every
message a station sends or every command a user sends. A pass
of :meth:`Retention.prune` deletes, in each of them, the rows older than ``max_age`` (by the
time this side stored them; the two histories timed by the station's own clock are left to
the size bound, see :class:`_History`) and then, while a table holds more than ``max_rows``,
its oldest rows, so that every table is bounded by
``max_rows`` rows of at most the store's payload cap each (``payload_cap.py``).

Deleting never blocks the hot path for long: each table is trimmed in batches of at most
``batch_size`` rows, one short transaction each (taking the process's writer turn on SQLite,
``engine.py``, so the frame log and the samples interleave with it), with a yield to the event
loop between batches. On SQLite a pass that deleted rows ends with a ``wal_checkpoint(TRUNCATE)``
of the file it deleted from, so the frame log's WAL (checkpointed every ``_CHECKPOINT_PAGES``
by its writer) is cut back to nothing rather than kept at its largest size.

Never trimmed: transactions and meter samples (the billing facts), stations, connectors'
current status, id tags, configuration. A station's newest notification of each kind is kept
whatever its age: it is the station's current firmware or diagnostics status
(``repositories/notifications.py``). Webhook deliveries still pending are kept: they are work.

:class:`RetentionTask` runs a pass every ``interval`` seconds; it is owned by the CSMS
(``CsmsServer.start``/``stop``). Tests call :meth:`Retention.prune` with the time they mean.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, text, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute

from chargeyard.store._store import Store
from chargeyard.store.engine import for_writing, is_sqlite, writer_turn
from chargeyard.store.models import (
    ChargerLog,
    ConnectorStatusChange,
    DataTransfer,
    DeliveryStatus,
    Frame,
    SentCommand,
    StationNotification,
    WebhookDelivery,
)
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

DEFAULT_MAX_AGE_DAYS = 30.0
"""A month: a billing period, with the frames behind any of its sessions still there to read
when a driver or an operator asks about it (the sessions themselves are never trimmed)."""

DEFAULT_MAX_ROWS = 10_000_000
"""Per table. The frame log's rows average a few hundred bytes (a MeterValues frame is about
500), so ten million is a few gigabytes: about a week of a thousand stations' traffic and far
more than a lab's, while even rows all at the payload cap stop at a known size."""

DEFAULT_BATCH = 5_000
"""Rows per delete: a few tens of milliseconds on SQLite, so a station's answer waiting for the
writer turn behind it is not late."""

DEFAULT_INTERVAL_S = 300.0
"""Between passes: at a thousand frames a second, a table overshoots ``max_rows`` by 300,000
rows at most, 3 % of the default."""


@dataclass(frozen=True, slots=True)
class RetentionLimits:
    """How much history the store keeps. ``max_age`` or ``max_rows`` None: no such bound."""

    max_age: timedelta | None = timedelta(days=DEFAULT_MAX_AGE_DAYS)
    max_rows: int | None = DEFAULT_MAX_ROWS
    batch_size: int = DEFAULT_BATCH
    interval: float = DEFAULT_INTERVAL_S

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.interval <= 0:
            raise ValueError("need batch_size >= 1 and interval > 0")
        if self.max_rows is not None and self.max_rows < 0:
            raise ValueError("max_rows must not be negative")


def retention_limits(days: float, max_rows: int) -> RetentionLimits | None:
    """The retention a command or the lab's settings ask for (``--retention-days``,
    ``--retention-max-rows``): 0 switches a bound off; None when both are off."""
    if not days and not max_rows:
        return None
    return RetentionLimits(
        max_age=timedelta(days=days) if days else None, max_rows=max_rows or None
    )


@dataclass(frozen=True, slots=True)
class _History:
    """One append-only table: its key (ascending in insertion order, except DataTransfer's
    random ids, ordered by time then), its time column, and the rows never trimmed.

    ``by_age`` is False for the tables whose time is the station's own clock (a connector's
    status changes, a station's notifications): a station whose clock is wrong, or which
    reports an old event, would lose that history at once by it; they are bounded by
    ``max_rows`` only, in the order they were stored."""

    name: str
    key: InstrumentedAttribute[Any]
    at: InstrumentedAttribute[datetime]
    ordered_by_key: bool = True
    kept: Callable[[], ColumnElement[bool]] | None = None
    by_age: bool = True


def _newest_notifications() -> ColumnElement[bool]:
    newest = select(func.max(StationNotification.id)).group_by(
        StationNotification.station_id, StationNotification.kind
    )
    return StationNotification.id.in_(newest.scalar_subquery())


def _pending_deliveries() -> ColumnElement[bool]:
    return WebhookDelivery.status == DeliveryStatus.PENDING


HISTORIES = (
    _History("frames", Frame.id, Frame.at),
    _History(
        "station_notifications",
        StationNotification.id,
        StationNotification.at,
        kept=_newest_notifications,
        by_age=False,
    ),
    _History(
        "connector_status_history",
        ConnectorStatusChange.id,
        ConnectorStatusChange.at,
        by_age=False,
    ),
    _History("data_transfers", DataTransfer.id, DataTransfer.created_at, ordered_by_key=False),
    _History("charger_logs", ChargerLog.id, ChargerLog.at),
    _History("sent_commands", SentCommand.id, SentCommand.sent_at, ordered_by_key=False),
    _History(
        "webhook_deliveries",
        WebhookDelivery.id,
        WebhookDelivery.created_at,
        kept=_pending_deliveries,
    ),
)
"""Every table retention trims; ``tests/store/test_retention.py`` checks none is missing."""


class Retention:
    """Trims ``store``'s histories to ``limits``; ``clock`` tells the time of a pass."""

    def __init__(
        self,
        store: Store,
        limits: RetentionLimits | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.limits = limits or RetentionLimits()
        self._clock = clock
        self.deleted = 0
        """Rows deleted so far."""

    def _engine(self, history: _History) -> AsyncEngine:
        return self.store.frames_engine if history.name == "frames" else self.store.engine

    async def prune(self, now: datetime | None = None) -> dict[str, int]:
        """One pass over every history; returns the rows deleted, by table.

        What is due is read first; only a table with rows to delete takes the writer's turn
        and a write transaction. A pass that finds nothing due (a young or small store, most
        passes) only reads."""
        now = now or self._clock()
        deleted: dict[str, int] = {}
        for history in HISTORIES:
            engine = self._engine(history)
            count = 0
            if self.limits.max_age is not None and history.by_age:
                older = history.at < now - self.limits.max_age
                if await self._any(engine, history, older):
                    count += await self._delete_batches(engine, history, older)
            if self.limits.max_rows is not None:
                # Read after the age bound's deletes: a row's time need not follow its key.
                beyond = await self._beyond(engine, history, self.limits.max_rows)
                if beyond is not None:
                    count += await self._delete_batches(engine, history, beyond)
            deleted[history.name] = count
        self.deleted += sum(deleted.values())
        touched = {self._engine(h) for h in HISTORIES if deleted[h.name]}
        for engine in touched:
            await checkpoint(engine)
        return deleted

    async def _any(
        self, engine: AsyncEngine, history: _History, condition: ColumnElement[bool]
    ) -> bool:
        found = select(history.key).where(self._deletable(history, condition)).exists()
        async with engine.connect() as connection:
            return bool(await connection.scalar(select(found)))

    @staticmethod
    def _deletable(history: _History, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        """``condition`` without the rows ``history`` never trims."""
        return condition if history.kept is None else condition & ~history.kept()

    @staticmethod
    async def _beyond(
        engine: AsyncEngine, history: _History, max_rows: int
    ) -> ColumnElement[bool] | None:
        """The condition of the oldest rows beyond the newest ``max_rows``; None when the
        table holds no more than that."""
        async with engine.connect() as connection:
            return await Retention._beyond_on(connection, history, max_rows)

    @staticmethod
    async def _beyond_on(
        connection: AsyncConnection, history: _History, max_rows: int
    ) -> ColumnElement[bool] | None:
        if history.ordered_by_key:
            # max - min + 1 bounds the count from above, read at the index's two ends: a
            # table far below the bound costs no scan. Otherwise the boundary is the key
            # max_rows from the newest, an index walk of at most max_rows entries.
            low, high = (
                await connection.execute(select(func.min(history.key), func.max(history.key)))
            ).one()
            if low is None or high - low + 1 <= max_rows:
                return None
            boundary = await connection.scalar(
                select(history.key).order_by(history.key.desc()).offset(max_rows).limit(1)
            )
            return None if boundary is None else history.key <= boundary
        total = await connection.scalar(select(func.count()).select_from(history.key.class_))
        if not total or total <= max_rows:
            return None
        if max_rows == 0:  # no offset -1: every row is beyond
            return true()
        oldest_kept = await connection.scalar(
            select(history.at).order_by(history.at.desc()).offset(max_rows - 1).limit(1)
        )
        return None if oldest_kept is None else history.at < oldest_kept

    async def _delete_batches(
        self, engine: AsyncEngine, history: _History, condition: ColumnElement[bool]
    ) -> int:
        condition = self._deletable(history, condition)
        order = history.key if history.ordered_by_key else history.at
        chosen = select(history.key).where(condition).order_by(order).limit(self.limits.batch_size)
        statement = delete(history.key.class_).where(history.key.in_(chosen.scalar_subquery()))
        total = 0
        while True:
            async with writer_turn(engine), for_writing(engine).begin() as connection:
                removed = (await connection.execute(statement)).rowcount
            total += removed
            if removed < self.limits.batch_size:
                return total
            await asyncio.sleep(0)  # let the stations' writes have their turn


async def checkpoint(engine: AsyncEngine) -> None:
    """On SQLite, copy the WAL into the database file and truncate it to zero bytes (readers
    still on an older snapshot may keep it from completing: the next pass tries again)."""
    if not is_sqlite(engine):
        return
    async with writer_turn(engine), engine.connect() as connection:
        await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


class RetentionTask:
    """Runs :meth:`Retention.prune` every ``limits.interval`` seconds, first at start."""

    def __init__(self, retention: Retention) -> None:
        self.retention = retention
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("retention is already started")
        self._stopping.clear()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="retention")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        interval = self.retention.limits.interval
        while not self._stopping.is_set():
            try:
                deleted = await self.retention.prune()
            except Exception:
                logger.exception("retention: a pass failed; will try again")
            else:
                if any(deleted.values()):
                    logger.info(
                        "retention: deleted %s",
                        ", ".join(f"{n} {name}" for name, n in deleted.items() if n),
                    )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):
                    await self._stopping.wait()
