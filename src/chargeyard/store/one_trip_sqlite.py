"""SQLite on its connection's thread, one trip to that thread a statement.

Theory of operation
-------------------
aiosqlite runs every call of a connection on a thread of the connection's own and hands the
result back through the event loop: each call is a trip, a wake-up of the thread and then of
the loop. SQLAlchemy's aiosqlite dialect makes four calls of one statement that returns rows:
it opens a cursor, executes, fetches every row, and closes the cursor (three for one that
returns none). Each trip costs some tens of microseconds of both threads' time, more than a
small statement takes in SQLite itself.

:class:`OneTripConnection` is aiosqlite's connection with a cursor of its own,
:class:`OneTripCursor`: its ``execute`` does the whole statement on the connection's thread
in one call (a cursor, the statement, every row, the cursor closed) and keeps what the
statement gave (the rows, ``description``, ``rowcount``, ``lastrowid``); fetching and closing
then take no trip. SQLAlchemy's dialect, its pool and its units of work are unchanged, and it
fetched every row of a statement at once already; a server-side cursor (``yield_per``) gets
them at once too, in memory. BEGIN, COMMIT and ROLLBACK stay trips of their own.

:func:`create_engine` (``engine.py``) opens its threaded SQLite connections through
:func:`connector`; on a loop whose clock stands still it opens ``inline_sqlite.py``'s instead,
which take no trip at all.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_Description = tuple[tuple[str, None, None, None, None, None, None], ...] | None
_Outcome = tuple[_Description, int, int | None, deque[Any]]


def _statement(connection: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Outcome:
    """Runs on the connection's thread: the whole statement, and what it gave."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = deque(cursor.fetchall() if cursor.description else ())
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's ``Cursor`` that SQLAlchemy's dialect uses, one trip a statement
    (see the module docstring)."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        return await self._run(sql, () if parameters is None else parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        return await self._run(sql, parameters, many=True)

    async def _run(self, sql: str, parameters: Iterable[Any], *, many: bool) -> OneTripCursor:
        self._rows.clear()
        outcome: _Outcome = await self._connection._execute(  # type: ignore[no-untyped-call]
            _statement, self._connection._conn, sql, parameters, many
        )
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = min(self.arraysize if size is None else size, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> Sequence[Any]:
        taken = list(self._rows)
        self._rows.clear()
        return taken

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, its statements one trip each (:class:`OneTripCursor`)."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)


def connector(
    database: str, **connect_args: Any
) -> Callable[[], Coroutine[Any, Any, OneTripConnection]]:
    """What ``create_async_engine(async_creator=...)`` takes: opens ``database`` with
    ``sqlite3.connect(database, **connect_args)`` as a :class:`OneTripConnection` on a thread
    of its own."""

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(
            partial(sqlite3.connect, database, **connect_args), iter_chunk_size=64
        )
        # As SQLAlchemy's dialect does with aiosqlite's own: the thread does not keep the
        # process alive at exit (before aiosqlite 0.22 the connection was the thread).
        worker = connection if isinstance(connection, threading.Thread) else connection._thread
        worker.daemon = True
        await connection
        return connection

    return connect
