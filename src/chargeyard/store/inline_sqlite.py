"""SQLite on the event loop's own thread, for a loop whose clock stands still while it works.

Theory of operation
-------------------
aiosqlite runs every call of a connection (a statement, a fetch, a commit) on a thread of the
connection's own and hands the result back through the event loop's queue: one call is one
wake-up of the loop from another thread, and a unit of work of the central system (BEGIN, its
lookups and writes, COMMIT, the pool's reset) costs tens of them. On a loop that runs at wall
time the thread is what keeps the loop serving other sockets while SQLite works.

On a fast-forward loop at ``max`` (``fast_forward.py``, frozen) the clock stands still while
the loop works: a call that blocks the loop costs no time on the lab's clock, only the CPU it
takes, which it takes on the worker thread as well. There :func:`create_engine`
(``engine.py``) opens its connections through :func:`connector`: an aiosqlite connection whose
calls run at once, on the loop's thread, with no thread and no hop. SQLAlchemy's aiosqlite
dialect, its pool and every statement stay as they are, so what is stored is the same.

SQLite's busy handler sleeps on the caller's thread: here the loop's, where the holder of the
lock it waits for could not go on. This process's writers never meet it, since they take turns
on the loop before they begin (``engine.writer_turn``), and readers in WAL mode never wait for
a writer. A write of another process on the same file (a command run against the lab's data
directory) holds the loop until it commits, at most the busy timeout; the clock stands still
meanwhile, so the lab only takes that much longer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine, Generator
from functools import partial
from typing import Any

import aiosqlite


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: each call put on it runs as it is put.

    (SQLAlchemy's dialect puts its ``isolation_level`` setter on the queue itself.)"""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as error:
            if future is None:
                raise
            if not future.done():
                future.set_exception(error)
        else:
            if future is not None and not future.done():
                future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs its calls on the caller's thread (see the module
    docstring); its worker thread is never started."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")  # aiosqlite's words, which SQLAlchemy reads
        return fn(*args, **kwargs)

    def stop(self) -> asyncio.Future[Any] | None:
        self._running = False
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        return None


def connector(
    database: str, **connect_args: Any
) -> Callable[[], Coroutine[Any, Any, InlineConnection]]:
    """What ``create_async_engine(async_creator=...)`` takes: opens ``database`` with
    ``sqlite3.connect(database, **connect_args)`` as an :class:`InlineConnection`."""

    async def connect() -> InlineConnection:
        connection = InlineConnection(partial(sqlite3.connect, database, **connect_args))
        await connection
        return connection

    return connect
