"""Inserting a batch of rows in one transaction, for the batched writers (frame log, sample
writer), at a cost that does not grow with what else the process is doing.

Theory of operation
-------------------
PostgreSQL (asyncpg) speaks to the server from the event loop itself: the batch is one
statement in one transaction on the engine, its rows given as one array a column
(``array_rows.py``: one execution a batch, where ``executemany`` planned and executed the
insert once a row).

SQLite's async driver (aiosqlite) runs each call in a thread and hands the result back to the
event loop, so every statement costs one trip through the loop's queue: BEGIN, the INSERT(s),
COMMIT, the pool's reset. When the loop is busy (a thousand stations; a group commit just woke
five hundred handlers at once) each trip waits for a whole loop iteration, and a batch that
SQLite writes in 10 ms took a second. Its ``executemany`` also steps each row separately,
releasing and re-taking the GIL around every step. So on SQLite a :class:`BulkInserter` owns
one ``sqlite3`` connection (the engine's file and settings: ``engine._sqlite_on_connect``) in
one thread of its own, and hands it the whole batch in one trip: ``BEGIN IMMEDIATE``,
multi-row ``INSERT ... VALUES (...), (...)`` statements of :data:`ROWS_PER_STATEMENT` rows
(fewer if SQLite's bound-variable limit says so), ``COMMIT``. The values pass through each
column type's own bind processor first (``UtcDateTime`` included), so what is stored is what
a Core insert stores; a database error is raised as SQLAlchemy's (``IntegrityError`` for a
broken foreign key). Only the columns whose type has a bind processor take a Python call per
value (a third less time for a batch of samples than a call for every value).

Callers take their :func:`~chargeyard.store.engine.writer_turn` around :meth:`insert`, like
every writer of the process, so the dedicated connection never meets SQLite's busy handler.
"""

from __future__ import annotations

import asyncio
import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard import loop_clock
from chargeyard.store.array_rows import ArrayStatement, insert_from_arrays
from chargeyard.store.engine import _sqlite_on_connect, is_sqlite

# SQLITE_MAX_VARIABLE_NUMBER's default: 999 before SQLite 3.32, 32766 since.
MAX_SQLITE_VARIABLES = 32_766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999

# Rows per INSERT statement. Measured (2,000-row batches of frame-log rows into a file with the
# log's two indexes, one thread): 7.7 us of CPU a row with statements as long as the
# variable limit allows (5,461 rows), 6.5 with 1,024, 5.9 with 256, 6.4 with 64 and 9.2 with one
# row a statement. A very long statement costs SQLite more to compile than its rows save, and
# its text differs with every batch's size, so the sqlite3 module's statement cache never
# holds it; full 256-row statements are compiled once and reused.
ROWS_PER_STATEMENT = 256

# The writer connection's page cache, in KiB (SQLite's default is 2,000). Each batch appends to
# one place per station in an index keyed by station (the frame log's ``(identity, at)``, the
# samples' ``(transaction_pk)``), so the pages a batch touches are the last leaf of every
# station's range: with a thousand stations about 1,000 pages of 4 KiB, more than the default
# cache holds, and every batch read most of them back from the file. Measured (4,200-row batches
# of frame-log rows, 1,000 identities, 420,000 rows already in the file, one thread): 16-21 us
# of SQLite CPU a row with the default cache, 13.4 with 16 MiB, 14.2 with 32 MiB.
# Memory is taken only as pages are read, and is bounded by this.
CACHE_KIB = 16_384

Row = Mapping[str, Any]


class BulkInserter:
    """Inserts batches of rows into ``engine``'s database, one transaction per batch.

    On SQLite it holds a connection and a thread from the first batch until :meth:`close`
    (after which the next batch opens them again). ``checkpoint_pages``, when given, is that
    connection's ``wal_autocheckpoint``: the WAL size, in pages, at which a commit copies the
    WAL back into the database file (SQLite's default: 1,000).
    """

    def __init__(self, engine: AsyncEngine, *, checkpoint_pages: int | None = None) -> None:
        self._engine = engine
        self._checkpoint_pages = checkpoint_pages
        self._sqlite = is_sqlite(engine)
        self._executor: ThreadPoolExecutor | None = None
        # Used in the executor's thread only; on the loop's, where its clock stands still.
        self._connection: sqlite3.Connection | None = None
        self._forms: dict[tuple[str, tuple[str, ...]], _InsertForm] = {}
        self._arrays: dict[tuple[str, tuple[str, ...]], ArrayStatement] = {}

    async def insert(self, table: Table, rows: Sequence[Row]) -> None:
        """Insert ``rows`` (dicts with the same keys, column names of ``table``) and commit.

        Raises:
            sqlalchemy.exc.DBAPIError: the database refused the batch (nothing is kept).
        """
        if not rows:
            return
        columns = list(rows[0])
        values_of = operator.itemgetter(*columns)
        if len(columns) == 1:
            await self.insert_values(table, columns, [(values_of(row),) for row in rows])
        else:
            await self.insert_values(table, columns, [values_of(row) for row in rows])

    async def insert_values(
        self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows``, each the values of ``columns`` in that order, and commit: what
        :meth:`insert` does, without a dict per row (the frame log keeps tuples). ``rows`` is
        read in another thread: it must not change until this returns.

        Raises:
            sqlalchemy.exc.DBAPIError: the database refused the batch (nothing is kept).
        """
        if not rows:
            return
        if not self._sqlite:
            arrays = self._arrays.get((table.name, tuple(columns)))
            if arrays is None:
                arrays = insert_from_arrays(table, columns)[1]
                self._arrays[(table.name, tuple(columns))] = arrays
            async with self._engine.begin() as connection:
                await connection.execute(arrays.statement, arrays.bind_values(rows))
            return
        key = (table.name, tuple(columns))
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = _sqlite_form(table, columns, self._engine.dialect)
        if loop_clock.stands_still():
            # The loop's clock stands still while it works: the batch written on the loop's
            # thread takes no time on that clock, and no trip to a thread (inline_sqlite.py).
            self._write(form, rows)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-bulk-insert")
        loop = asyncio.get_running_loop()
        # The statements are built in the thread: binding a batch of thousands of rows takes
        # milliseconds, which the event loop would otherwise spend in one stretch.
        await loop.run_in_executor(self._executor, self._write, form, rows)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:  # written on the loop's thread, if at all
            self._close_connection()
            return
        await asyncio.get_running_loop().run_in_executor(executor, self._close_connection)
        executor.shutdown(wait=False)

    def _write(self, form: _InsertForm, rows: Sequence[Sequence[Any]]) -> None:
        if self._connection is None:
            self._connection = _open(self._engine, self._checkpoint_pages)
        connection = self._connection
        sql = "BEGIN IMMEDIATE"
        try:
            connection.execute(sql)
            # Each statement is built just before it runs, not all of them first: SQLite
            # releases the GIL while it executes one, so the event loop waits for this thread
            # at most one statement's building (about a millisecond for 256 rows), instead of
            # the whole batch's (15 ms for 4,200 frames).
            for sql, parameters in _sqlite_statements(form, rows):
                connection.execute(sql, parameters)
            sql = "COMMIT"
            connection.execute(sql)
        except BaseException as error:  # a value its column refuses, too: nothing is kept
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise DBAPIError.instance(sql, None, error, sqlite3.Error) from error
            raise

    def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _open(engine: AsyncEngine, checkpoint_pages: int | None) -> sqlite3.Connection:
    connection = sqlite3.connect(engine.url.database or "", check_same_thread=False)
    _sqlite_on_connect(connection, None)  # type: ignore[arg-type]  # the record is unused
    connection.execute(f"PRAGMA cache_size=-{CACHE_KIB:d}")
    if checkpoint_pages is not None:
        connection.execute(f"PRAGMA wal_autocheckpoint={checkpoint_pages:d}")
    return connection


@dataclass(frozen=True, slots=True)
class _InsertForm:
    """What every INSERT of one table's columns shares: the statement's head, one row's
    placeholders, and the bind processors of the columns that have one (by position)."""

    head: str
    placeholders: str
    width: int
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


def _sqlite_form(table: Table, names: Sequence[str], dialect: Dialect) -> _InsertForm:
    # Resolved on the event loop's thread: dialect_impl fills SQLAlchemy's per-dialect caches,
    # which are not for a worker thread to write.
    processors = tuple(
        (index, process)
        for index, name in enumerate(names)
        # dialect_impl: the dialect's own form of each type (as SQLAlchemy binds it).
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) VALUES "
    return _InsertForm(head, "(" + ", ".join("?" * len(names)) + ")", len(names), processors)


def _sqlite_statements(
    form: _InsertForm, rows: Sequence[Sequence[Any]]
) -> Iterator[tuple[str, list[Any]]]:
    # Only the columns whose type converts values in Python (dates) take a call per value;
    # the others are copied as they are. Plain data only: this runs in the writer's thread.
    width = form.width
    per_statement = max(1, min(ROWS_PER_STATEMENT, MAX_SQLITE_VARIABLES // width))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        parameters = list(itertools.chain.from_iterable(chunk))
        for index, process in form.processors:
            parameters[index::width] = _converted(parameters[index::width], process)
        yield form.head + ", ".join([form.placeholders] * len(chunk)), parameters


def _converted(values: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    # Neighbouring rows often hold the very same object (the samples of one meter value share
    # its timestamp): convert each object once per run of it, not once per row.
    converted = []
    last: Any = _NOTHING
    result: Any = None
    for value in values:
        if value is not last:
            last, result = value, process(value)
        converted.append(result)
    return converted


_NOTHING = object()
