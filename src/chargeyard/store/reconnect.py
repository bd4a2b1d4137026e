"""A write waits for a database that went away, rather than failing at once.

PostgreSQL restarted, a failover, a network cut between the process and the database: every
unit of work that starts meanwhile (``repositories/_base.py``) finds no connection. Each one
retries connecting with back-off for :data:`WRITE_WAIT_S` seconds and then goes ahead as if
nothing happened: the station that reported something is answered once it is stored, late
rather than with an error, so nothing it reported is lost. Past that wait the error is raised
as before (the handler answers the station a CALLERROR; a station resends its transaction
messages).

Only the start of a unit of work waits: a statement that fails in the middle of one raises
(its transaction is rolled back, nothing half-written). On PostgreSQL the pool checks a
connection before handing it out (closed ones are replaced, ``engine.py``), so that connections of
before the outage are replaced rather than failing at their first statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from chargeyard.store.engine import for_writing

logger = logging.getLogger(__name__)

WRITE_WAIT_S = 30.0
"""How long a write waits for the database: about the time a station waits for an answer."""

_FIRST_DELAY_S, _MAX_DELAY_S = 0.05, 1.0

T = TypeVar("T")


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached (not that a statement was
    wrong)."""
    if isinstance(error, OSError | OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def begin_write(
    factory: async_sessionmaker[AsyncSession],
    stack: contextlib.AsyncExitStack,
    *,
    wait_s: float = WRITE_WAIT_S,
    clock: Callable[[], float] | None = None,
) -> AsyncSession:
    """A session in a transaction on a live connection, entered on ``stack``; while the
    database cannot be reached, tried again with back-off for ``wait_s`` seconds.

    Raises: what connecting raised, once ``wait_s`` has passed."""

    async def session_in(attempt: contextlib.AsyncExitStack) -> AsyncSession:
        session = await attempt.enter_async_context(factory.begin())
        await session.connection()
        return session

    return await _when_reachable(session_in, stack, wait_s=wait_s, clock=clock)


async def begin_write_connection(
    engine: AsyncEngine,
    stack: contextlib.AsyncExitStack,
    *,
    wait_s: float = WRITE_WAIT_S,
    clock: Callable[[], float] | None = None,
) -> AsyncConnection:
    """:func:`begin_write` for Core statements: a connection in a write transaction (SQLite's
    IMMEDIATE, ``engine.for_writing``), entered on ``stack``."""

    async def connection_in(attempt: contextlib.AsyncExitStack) -> AsyncConnection:
        return await attempt.enter_async_context(for_writing(engine).begin())

    return await _when_reachable(connection_in, stack, wait_s=wait_s, clock=clock)


async def _when_reachable(
    open_in: Callable[[contextlib.AsyncExitStack], Awaitable[T]],
    stack: contextlib.AsyncExitStack,
    *,
    wait_s: float,
    clock: Callable[[], float] | None,
) -> T:
    now = clock or asyncio.get_running_loop().time
    deadline = now() + wait_s
    delay = _FIRST_DELAY_S
    lost = False
    while True:
        attempt = contextlib.AsyncExitStack()
        try:
            opened = await open_in(attempt)
        except Exception as error:
            with contextlib.suppress(Exception):
                await attempt.aclose()
            if not unreachable(error) or now() >= deadline:
                raise
            if not lost:
                lost = True
                logger.warning("the database cannot be reached (%s); writes wait for it", error)
            await asyncio.sleep(min(delay, max(deadline - now(), 0.0)))
            delay = min(delay * 2, _MAX_DELAY_S)
            continue
        if lost:
            logger.info("the database is back")
        stack.push_async_exit(attempt)
        return opened
