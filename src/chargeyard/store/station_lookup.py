"""Looking up the stations that are connecting, many in one query.

A central system reads a station's row when its WebSocket handshake arrives: whether it is
known, its password hash (security profile 1), what it last connected and booted as, and
whether it has a transaction open (``csms/known.py``). When thousands of stations connect at
once (a node restarted, a network came back), one query each is most of what a handshake
costs. :class:`StationLookup` queues the identities asked for and answers them with one
``SELECT ... WHERE charge_box_id IN (...)`` per batch, the way
:class:`~chargeyard.store.station_writer.StationWriter` commits their writes: one task takes
everything queued, queries, answers every waiter, and starts over with what arrived meanwhile.
Under light load a batch holds one identity and costs what one query always did.

Without a running lookup, :func:`read_connecting` answers at once with the same query.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Table, exists, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.engine import reading
from chargeyard.store.models import Station, Transaction, TransactionStatus
from chargeyard.store.spelling import one_of_texts

logger = logging.getLogger(__name__)

_STATIONS: Table = Station.__table__  # type: ignore[assignment]  # a Table, typed FromClause
_TRANSACTIONS: Table = Transaction.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ConnectingStation:
    """What a central system needs of a station as it connects."""

    identity: str
    password_hash: str | None
    ocpp_version: str | None
    vendor: str | None
    model: str | None
    open_transactions: bool


async def read_connecting(
    engine: AsyncEngine, identities: Collection[str]
) -> dict[str, ConnectingStation]:
    """The stations among ``identities`` the store knows, by identity."""
    if not identities:
        return {}
    active = (
        exists()
        .where(_TRANSACTIONS.c.station_id == _STATIONS.c.id)
        .where(_TRANSACTIONS.c.status == TransactionStatus.ACTIVE)
    )
    statement = select(
        _STATIONS.c.charge_box_id,
        _STATIONS.c.password_hash,
        _STATIONS.c.ocpp_version,
        _STATIONS.c.vendor,
        _STATIONS.c.model,
        active,
    ).where(one_of_texts(_STATIONS.c.charge_box_id, identities, engine.dialect))
    async with reading(engine).connect() as connection:
        rows = await connection.execute(statement)
        return {
            identity: ConnectingStation(identity, password, version, vendor, model, bool(active))
            for identity, password, version, vendor, model, active in rows
        }


@dataclass(frozen=True, slots=True)
class _Request:
    identity: str
    done: asyncio.Future[ConnectingStation | None]


class StationLookup:
    """Answers :meth:`get` for many identities with one query (the module docstring says how).

    Args:
        engine: the store's engine.
        max_batch: identities per query at most.
    """

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 1_000) -> None:
        if max_batch < 1:
            raise ValueError("need max_batch >= 1")
        self._engine = engine
        self._max_batch = max_batch
        self._queue: deque[_Request] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.queries = 0
        """Queries made so far (the batches)."""

    async def get(self, identity: str) -> ConnectingStation | None:
        """The station named ``identity``, or None if the store does not know it (queried on
        its own when the lookup is not running)."""
        if self._task is None or self._stopping:
            return (await read_connecting(self._engine, [identity])).get(identity)
        done: asyncio.Future[ConnectingStation | None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request(identity, done))
        self._wake.set()
        return await done

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("the station lookup is already started")
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name="station-lookup")

    async def stop(self) -> None:
        """Answer what is queued, then stop."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await task
        finally:
            self._task = None

    async def _run(self) -> None:
        try:
            while self._queue or not self._stopping:
                if not self._queue:
                    await self._wake.wait()
                    self._wake.clear()
                    continue
                batch = [self._queue.popleft()]
                while self._queue and len(batch) < self._max_batch:
                    batch.append(self._queue.popleft())
                await self._answer(batch)
        finally:
            # Cancelled (the loop is closing): nobody may wait forever.
            while self._queue:
                request = self._queue.popleft()
                if not request.done.done():
                    request.done.set_exception(RuntimeError("the station lookup stopped"))

    async def _answer(self, batch: list[_Request]) -> None:
        try:
            found = await read_connecting(self._engine, {r.identity for r in batch})
        except Exception as error:
            for request in batch:
                if not request.done.done():
                    request.done.set_exception(error)
            return
        self.queries += 1
        for request in batch:
            if not request.done.done():  # its handshake may have been given up on
                request.done.set_result(found.get(request.identity))
