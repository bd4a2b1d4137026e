"""The queue behind the store's batched writers and readers: many callers' work in one trip to
the database, each caller awaiting its own part of the outcome.

Theory of operation
-------------------
A caller queues an item (:meth:`GroupCommit._submit`) and awaits its outcome. One task owned by
the object (:meth:`~GroupCommit.start` / :meth:`~GroupCommit.stop`, or ``async with``) takes
everything queued, up to ``max_size`` (but always at least one item), hands it to the
subclass's :meth:`~GroupCommit._handle` (one transaction, one query), settles every waiter with
its outcome, and starts over with what arrived meanwhile. Under light load a batch holds one
item and costs what one trip always did; under heavy load batches grow by themselves and the
cost per item falls: group commit, as databases do for their own logs.

A busy queue may also wait for its batch to fill (``linger_s``, PostgreSQL's ``commit_delay``
for our own batches): once the last batch held more than one item, the next is taken as long
after as the last trip took, ``linger_s`` at most, or as soon as the queue holds ``max_size``.
Batches grow by themselves only as fast as items arrive during one trip, and a cluster splits
one boot storm over several nodes, each on a share of the machine's cores: each node's batches
are then a fraction of one node's, for about the same trip time, and the fixed cost of a
transaction (its statements, its commit) is paid that many times more, by the node and by the
database. Waiting as long as a trip at most doubles the time a caller waits under load, and
where trips are quick (SQLite, an idle server) the wait is as short. A queue that was idle
takes its first item at once.

A batch that fails as a whole (a row of one caller breaks a foreign key) is handled again one
item at a time, so only the caller at fault sees the error. On stop, what is queued is handled
first; a task cancelled with the loop settles what is left with an error, so nobody waits for
ever.

The waiters of a batch are woken ``wake_slice`` at a time, one loop iteration apart: each goes
on to answer its station (validate, encode, send), and a few hundred of them in one iteration
would hold up everything else on the loop (a REST command, the answer it waits for) for tens
of milliseconds. The task does not wait for that: it takes the next batch at once, so the
database is never idle while answers go out.

Used by :class:`~chargeyard.store.sample_writer.SampleWriter`,
:class:`~chargeyard.store.station_writer.StationWriter` and
:class:`~chargeyard.store.station_lookup.StationLookup`.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class _Pending(Generic[Item, Result]):
    item: Item
    size: int
    done: asyncio.Future[Result]


class GroupCommit(ABC, Generic[Item, Result]):
    """Batches queued items for :meth:`_handle` (the module docstring says how).

    Args:
        name: what the object is, for its task's name and its errors ("the sample writer").
        max_size: the sizes of a batch's items add up to this at most (an item is never split);
            ``max_size_name`` is what the subclass's caller calls it, for the error.
        wake_slice: waiters woken per loop iteration once their batch is handled.
        linger_s: how long a busy queue waits for its next batch to fill at most (0: not at
            all); it waits as long as its last trip took, up to this.
    """

    def __init__(
        self,
        name: str,
        *,
        max_size: int,
        max_size_name: str,
        wake_slice: int,
        linger_s: float = 0.0,
    ) -> None:
        if max_size < 1 or wake_slice < 1 or linger_s < 0:
            raise ValueError(f"need {max_size_name} >= 1, wake_slice >= 1 and linger_s >= 0")
        self._name = name
        self._max_size = max_size
        self._wake_slice = wake_slice
        self._linger_s = linger_s
        self._queue: deque[_Pending[Item, Result]] = deque()
        self._queued = 0  # the sizes of the queued items, added up
        self._wait_s = 0.0  # the next batch's wait: the last trip's, if it held several items
        self._wake = asyncio.Event()
        self._full = asyncio.Event()  # ends a linger: the queue holds max_size, or a stop
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.batches = 0
        """Batches handled so far (each one transaction or query)."""

    @abstractmethod
    async def _handle(self, items: Sequence[Item]) -> Sequence[Result | BaseException]:
        """Handle ``items`` in one trip; the outcome of each, in order (an exception is that
        caller's error). Raise to fail the whole batch: it is then handled again one item at
        a time."""

    @property
    def running(self) -> bool:
        return self._task is not None and not self._stopping

    async def _submit(self, item: Item, size: int = 1) -> Result:
        """Queue ``item`` (of ``size`` towards ``max_size``) and return its outcome.

        Raises:
            RuntimeError: not running.
        """
        if not self.running:
            raise RuntimeError(f"the {self._name} is not running")
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(item, size, done))
        self._queued += size
        self._wake.set()
        if self._queued >= self._max_size:
            self._full.set()
        return await done

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError(f"the {self._name} is already started")
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Handle what is queued, then stop."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        self._full.set()
        try:
            await task
        finally:
            self._task = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue or not self._stopping:
                if not self._queue:
                    await self._wake.wait()
                    self._wake.clear()
                    continue
                await self._linger()
                batch = self._take()
                started = loop.time()
                await self._batch(batch)
                trip_s = loop.time() - started
                self._wait_s = min(self._linger_s, trip_s) if len(batch) > 1 else 0.0
        finally:
            # Cancelled (the loop is closing): nobody may wait forever.
            while self._queue:
                _settle(self._queue.popleft(), RuntimeError(f"the {self._name} stopped"))
            self._queued = 0

    async def _linger(self) -> None:
        """Wait ``_wait_s`` for more items, less if the queue fills or the object stops."""
        if self._wait_s <= 0 or self._queued >= self._max_size or self._stopping:
            return
        self._full.clear()
        timer = asyncio.get_running_loop().call_later(self._wait_s, self._full.set)
        try:
            await self._full.wait()
        finally:
            timer.cancel()

    def _take(self) -> list[_Pending[Item, Result]]:
        queue, batch = self._queue, [self._queue.popleft()]
        size = batch[0].size
        while queue and size + queue[0].size <= self._max_size:
            pending = queue.popleft()
            batch.append(pending)
            size += pending.size
        self._queued -= size
        return batch

    async def _batch(self, batch: list[_Pending[Item, Result]]) -> None:
        try:
            outcomes = await self._handle([pending.item for pending in batch])
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0], error)
                return
            logger.info(
                "%s: a batch of %d failed (%s); retrying each", self._name, len(batch), error
            )
            for pending in batch:
                await self._batch([pending])
            return
        self.batches += 1
        self._wake_settled(batch, outcomes, 0)

    def _wake_settled(
        self,
        batch: list[_Pending[Item, Result]],
        outcomes: Sequence[Result | BaseException],
        start: int,
    ) -> None:
        end = start + self._wake_slice
        for pending, outcome in zip(batch[start:end], outcomes[start:end], strict=True):
            _settle(pending, outcome)
        if end < len(batch):  # the rest in the next loop iteration
            asyncio.get_running_loop().call_soon(self._wake_settled, batch, outcomes, end)


def _settle(pending: _Pending[Item, Result], outcome: Result | BaseException) -> None:
    if pending.done.done():  # its caller was cancelled: the work may still have been done
        return
    if isinstance(outcome, BaseException):
        pending.done.set_exception(outcome)
    else:
        pending.done.set_result(outcome)
