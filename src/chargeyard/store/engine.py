"""Opening the database: one URL picks SQLite (the embedded default) or PostgreSQL.

Theory of operation
-------------------
:func:`normalize_url` turns what a user types (``sqlite:///chargeyard.db``,
``postgresql://user@host/db``) into the async driver URLs (``sqlite+aiosqlite``,
``postgresql+asyncpg``). :func:`create_engine` opens an :class:`AsyncEngine` on it.

On SQLite the database file, its ``-wal`` and ``-shm`` files and a directory made for them are
readable by their owner only (``private_files.py``, before the engine is made), and every new
connection is set up by a ``connect`` event:

- ``journal_mode=WAL``: readers do not block the writer nor the writer the readers, and a
  commit is one append to the ``-wal`` file.
- ``synchronous=NORMAL``: the WAL is fsynced at checkpoints, not at every commit. A committed
  transaction survives the *process* being killed (it is in the OS's page cache and the WAL is
  replayed on the next open); a power loss or OS crash may roll back the last few commits, but
  never corrupts the file. This is the trade-off the lab takes for write throughput; a
  deployment that needs more runs PostgreSQL.
- ``foreign_keys=ON`` (off by default in SQLite), so ``ON DELETE CASCADE`` works as on
  PostgreSQL.
- ``busy_timeout``: a writer that finds the database locked waits instead of failing.
- ``journal_size_limit``: SQLite reuses its ``-wal`` file and never shrinks it, so one big
  transaction (or a checkpoint held back by a long reader) left it at its largest size for
  good; with the limit, each checkpoint that restarts the WAL cuts the file back to
  :data:`WAL_SIZE_LIMIT` bytes. Retention also truncates it after a pass (``retention.py``).

On a loop whose clock stands still while it works (``chargeyard up --speed max``,
``loop_clock.stands_still``), SQLite's connections run their calls on the loop's own thread
instead of a thread each (``inline_sqlite.py``): there a call that blocks costs no time on the
clock, and the hop to a thread and back cost more than most statements.

On PostgreSQL every new connection encodes ``text`` and ``varchar`` values with
``text_codec.py``, so that strings holding U+0000 are stored as on SQLite.

SQLite has one writer at a time, and its busy handler waits by *sleeping* (1, 2, 5 ... up to
100 ms between tries), so writers of one process that race for the lock waste the time they
sleep and, under a storm (a thousand stations booting at once), give up after the busy timeout
("database is locked"). :func:`writer_turn` makes this process's writers take turns on an
asyncio lock before they begin, first come first served: SQLite then only ever sees other
processes contend. Repositories, the frame log and the sample writer all take their turn.

The sqlite3 module's own transaction handling is switched off (``isolation_level = None``) and
a ``begin`` event emits ``BEGIN`` itself, as SQLAlchemy's SQLite documentation recommends, so
that reads are transactional too and DDL is transactional for Alembic. Sessions made by
:func:`session_factory` with ``write=True`` begin with ``BEGIN IMMEDIATE``: they take the write
lock at the start, waiting under ``busy_timeout`` if needed. A deferred transaction that reads
and then writes would instead fail at once (SQLITE_BUSY, which the busy timeout does not cover)
if another connection committed in between.

A unit of work whose task is cancelled mid-statement (a station's connection closing under its
handler, a client going away) leaves SQLAlchemy to *invalidate* the connection: it is closed
without a rollback. SQLite cannot really close a connection while a cursor of the interrupted
statement is still referenced (the traceback holds it): the connection lives on as a
"zombie" (``sqlite3_close_v2``) and keeps its transaction, and with it the write lock, until
the garbage collector frees the cursor. Every other writer then fails with "database is
locked" after the busy timeout. An ``invalidate`` event therefore rolls the connection back
first (:func:`_sqlite_on_invalidate`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import select
import socket
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from chargeyard import loop_clock
from chargeyard.store import inline_sqlite, one_trip_sqlite, text_codec
from chargeyard.store.private_files import protect_sqlite

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///chargeyard.db"
BUSY_TIMEOUT_MS = 5_000
# Seconds a writer waits for its turn (see writer_turn): long, since a storm of a thousand
# stations booting queues thousands of small writes, served in order.
TURN_TIMEOUT = 60.0
POSTGRES_POOL_SIZE = 10
POSTGRES_POOL_OVERFLOW = 0
"""At most 10 PostgreSQL connections a process: a cluster of nine processes fits in the
server's default ``max_connections`` (100); SQLAlchemy's default overflow (10) did not. All of
them kept open: an overflow connection is closed as soon as it is returned, so under a steady
load past the pool's size every unit of work paid for a new connection (the TLS attempt, the
start-up, the session settings) and for preparing its statements again, since asyncpg keeps a
connection's prepared statements only for that connection's life."""

SQLITE_POOL_SIZE = 20
SQLITE_POOL_OVERFLOW = 40

# The execution option our SQLite ``begin`` event reads; sessions for writing set it.
_SQLITE_BEGIN = "chargeyard_sqlite_begin"

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_BACKEND_ALIASES = {"postgres": "postgresql"}


def normalize_url(url: str | URL) -> URL:
    """The async-driver form of ``url``.

    Raises:
        ValueError: for a database other than SQLite or PostgreSQL.
    """
    parsed = make_url(url)
    backend = parsed.drivername.partition("+")[0]
    backend = _BACKEND_ALIASES.get(backend, backend)
    if backend not in _ASYNC_DRIVERS:
        raise ValueError(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
            "use sqlite:///path or postgresql://user@host/database"
        )
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def without_password(url: str) -> str:
    """``url`` with its password, if any, shown as ``***`` (for logs, banners and errors)."""
    return make_url(url).render_as_string(hide_password=True)


def shown_database(url: str) -> str:
    """Where a command wrote, for its confirmation: a SQLite file's path, else the URL
    without its password. A key written to another directory's database than the running
    lab's is then seen at once."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str | URL = DEFAULT_URL, **kwargs: Any) -> AsyncEngine:
    """An :class:`AsyncEngine` for ``url`` (normalised); ``kwargs`` go to SQLAlchemy's
    ``create_async_engine`` (``echo=True``, pool sizes, ...).

    Raises:
        ValueError: for an unsupported URL, or an in-memory SQLite database: SQLAlchemy gives
            that one shared connection, on which concurrent units of work would collide
            ("cannot start a transaction within a transaction"). Use a file, even a temporary
            one.
    """
    normalized = normalize_url(url)
    if normalized.get_backend_name() == "sqlite" and normalized.database in (None, "", ":memory:"):
        raise ValueError("in-memory SQLite is not supported by the store: use a file path")
    if normalized.get_backend_name() == "sqlite":
        protect_sqlite(Path(str(normalized.database)))
        # Readers run side by side in WAL mode; each aiosqlite connection is a thread. The
        # default (5 + 10 overflow) queued the API's reads behind each other under load.
        kwargs = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW, **kwargs}
        kwargs.setdefault("async_creator", _sqlite_connector(normalized))
    else:
        kwargs = {
            "pool_size": POSTGRES_POOL_SIZE,
            "max_overflow": POSTGRES_POOL_OVERFLOW,
            **kwargs,
            "connect_args": _postgres_connect_args(kwargs.get("connect_args", {})),
        }
    engine = _create_async_engine(normalized, **kwargs)
    if not is_sqlite(engine):
        event.listen(engine.sync_engine, "checkout", _replace_if_closed)
        event.listen(engine.sync_engine, "connect", _postgres_on_connect)
    if is_sqlite(engine):
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        event.listen(engine.sync_engine, "invalidate", _sqlite_on_invalidate)
    return engine


def _sqlite_connector(url: URL) -> Any:
    """Connections to ``url``'s SQLite file, opened as the aiosqlite dialect opens its own:
    on a thread each, one trip to it a statement (``one_trip_sqlite.py``), or on the loop's
    own thread where the loop's clock stands still (``inline_sqlite.py``)."""
    dialect = SQLiteDialect_aiosqlite()
    args, options = dialect.create_connect_args(url)
    options["isolation_level"] = None  # (see _sqlite_on_connect)
    if loop_clock.stands_still():
        return inline_sqlite.connector(*args, **options)
    return one_trip_sqlite.connector(*args, **options)


POSTGRES_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
"""Settings of every PostgreSQL session (PostgreSQL 12 or later).

``plan_cache_mode``: asyncpg prepares every statement and keeps it for the connection's life.
Left to itself, PostgreSQL then plans a statement with its parameters' values five times and
may settle on one generic plan, priced with the statistics of that moment. A central system
starts on tables that fill as it runs (stations registered as they connect, a boot storm of
thousands): a plan chosen on an empty ``stations`` table scanned all of it on every lookup
once it held 100,000 rows, 138 ms a query against 1.1 ms with a plan made for each execution
(a probe of the station writer's key lookup). Planning these small statements every time
costs far less than one such scan."""


def _postgres_connect_args(given: dict[str, Any]) -> dict[str, Any]:
    settings = {**POSTGRES_SETTINGS, **given.get("server_settings", {})}
    return {**given, "server_settings": settings}


WAL_SIZE_LIMIT = 64 * 1024 * 1024
"""Above the frame log's checkpoint threshold (10,000 pages, 40 MiB, ``frame_log.py``), so its
ordinary cycle reuses the file rather than cutting and regrowing it every time."""


def _replace_if_closed(
    dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, proxy: object
) -> None:
    """A server restarted or a connection cut leaves the pool's connections closed: the
    driver knows it without a round trip (the socket was closed), and the pool replaces such
    a connection instead of failing a unit of work with it. SQLAlchemy's ``pool_pre_ping``
    would ask the server each time: one round trip more per unit of work, a quarter of what
    a lookup costs."""
    driver = record.driver_connection
    if driver is not None and (driver.is_closed() or _socket_gone(driver)):
        raise DisconnectionError("the connection was closed")


def _postgres_on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    # Strings with U+0000, which PostgreSQL's text cannot hold (``text_codec.py``).
    dbapi_connection.run_async(text_codec.register)


def _socket_gone(driver: Any) -> bool:
    """Whether the server closed or reset ``driver``'s socket, as the kernel already knows
    before the event loop has told the driver (a connection cut a moment ago): a peek at the
    socket, through a duplicate of its descriptor (the loop's own socket object may not
    allow reads), without a round trip."""
    transport = getattr(driver, "_transport", None)
    raw = transport.get_extra_info("socket") if transport is not None else None
    if raw is None:
        return False
    waiting = select.poll()  # (select() takes no descriptor above 1,023: a process of
    waiting.register(raw.fileno(), select.POLLIN)  # thousands of sockets has them)
    if not waiting.poll(0):
        return False  # open, nothing to read: the usual case, one system call
    try:
        with socket.socket(fileno=os.dup(raw.fileno())) as peek:
            first = peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False  # open, nothing to read: the usual case
    except OSError:
        return True  # reset
    return first == b""  # b"": the server closed it; else a message is waiting


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    # Take BEGIN away from the sqlite3 module (see the module docstring); PRAGMA journal_mode
    # must also run outside a transaction, which this guarantees. The store's connectors open
    # their connections so already (_sqlite_connector): setting it again would be a call to
    # the connection's thread that SQLAlchemy's dialect queues itself, past the fast-forward
    # loop's count of the work it waits for (fast_forward_waits.py).
    if dbapi_connection.isolation_level is not None:
        dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
        cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT:d}")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(_SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_on_invalidate(
    dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, exception: BaseException | None
) -> None:
    # Called before SQLAlchemy closes an invalidated connection; see the module docstring.
    # The rollback is queued on the connection's thread behind the interrupted statement.
    # Outside SQLAlchemy's greenlet (a connection collected as garbage) it cannot run; the
    # close then ends the transaction as before.
    try:
        dbapi_connection.rollback()
    except Exception as error:
        logger.debug("rolling back an invalidated SQLite connection failed: %r", error)


def for_writing(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (same pool) whose SQLite transactions begin IMMEDIATE; ``engine`` itself
    on PostgreSQL, whose row locks need no such care."""
    if not is_sqlite(engine):
        return engine
    return engine.execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"})


_write_locks: weakref.WeakKeyDictionary[Any, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


# The task holding its turn, set while it does: a write nested in another (a unit of work that
# calls a repository) must not wait for itself. A task is compared, not a flag, because tasks
# created inside the block inherit the variable: they are other writers and take their turn.
_turn_holder: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar(
    "turn_holder", default=None
)


@contextlib.asynccontextmanager
async def writer_turn(engine: AsyncEngine) -> AsyncIterator[None]:
    """Wait for this process's other writers on ``engine``'s database (SQLite only; see the
    module docstring), then write in the block.

    A write nested in a block holding the turn goes ahead (and meets SQLite's busy handler, as
    it would without turns); so does one that waited :data:`TURN_TIMEOUT` seconds in vain.
    """
    if not is_sqlite(engine):
        yield
        return
    holder = _turn_holder.get()
    if holder is not None and holder is asyncio.current_task():
        yield
        return
    loop = asyncio.get_running_loop()
    # One lock per pool (engines made by ``execution_options`` share their parent's pool)
    # and per event loop (an asyncio lock belongs to one loop).
    lock = _write_locks.setdefault(engine.pool, {}).setdefault(loop, asyncio.Lock())
    try:
        async with asyncio.timeout(TURN_TIMEOUT):
            await lock.acquire()
    except TimeoutError:
        yield
        return
    token = _turn_holder.set(asyncio.current_task())
    try:
        yield
    finally:
        _turn_holder.reset(token)
        lock.release()


def session_factory(
    engine: AsyncEngine, *, write: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``. ``write=True`` for units of work that change rows.

    Objects stay usable after commit (``expire_on_commit=False``): repositories hand back
    detached rows, and reloading them lazily is not possible outside a session in asyncio.
    """
    bind = for_writing(engine) if write else reading(engine)
    return async_sessionmaker(bind, expire_on_commit=False)


def reading(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` (same pool) for lookups. A lookup needs no transaction of its own on
    PostgreSQL: each statement sees the rows committed before it (READ COMMITTED), as it would
    inside BEGIN ... ROLLBACK, which cost two round trips more."""
    if is_sqlite(engine):
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


@dataclass(frozen=True, slots=True)
class Sessions:
    """The two session factories repositories use: ``read`` for lookups, ``write`` for
    changes (committed when the unit of work's block ends)."""

    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]
    engine: AsyncEngine  # the one both are on, for :func:`writer_turn`

    @classmethod
    def on(cls, engine: AsyncEngine) -> Sessions:
        return cls(
            read=session_factory(engine), write=session_factory(engine, write=True), engine=engine
        )
