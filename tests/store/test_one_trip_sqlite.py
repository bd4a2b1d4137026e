"""SQLite on its connection's thread, one trip to that thread a statement
(``store/one_trip_sqlite.py``): what a store's statements give is what aiosqlite's own cursor
gives, in fewer trips. The store is a migrated copy; the statements go through SQLAlchemy as
the repositories' do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
from sqlalchemy.exc import IntegrityError

from chargeyard.store import ConflictError, Store
from chargeyard.store.one_trip_sqlite import OneTripConnection
from tests.migrated import migrated_sqlite_url


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store on SQLite only (the folder's ``store`` runs on PostgreSQL too)."""
    store = await Store.open(migrated_sqlite_url(tmp_path, "db.sqlite"))
    yield store
    await store.close()


class _Trips:
    """The calls a connection sends to its thread."""

    def __init__(self, connection: OneTripConnection) -> None:
        self.functions: list[str] = []
        sends = connection._execute

        async def counted(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            self.functions.append(getattr(function, "__name__", repr(function)))
            return await sends(function, *args, **kwargs)

        connection._execute = counted  # type: ignore[method-assign,unused-ignore]


async def test_a_store_on_a_thread_opens_one_trip_connections(sqlite_store: Store) -> None:
    async with sqlite_store.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_a_statement_and_its_rows_are_one_trip(sqlite_store: Store) -> None:
    async with sqlite_store.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # (its BEGIN a statement of its own)
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
        trips = _Trips(raw.driver_connection)
        result = await connection.execute(text("SELECT value FROM json_each('[1,2,3]')"))
        assert [row.value for row in result] == [1, 2, 3]
        # aiosqlite's cursor took four: the cursor, the statement, its rows, closing it.
        assert trips.functions == ["_statement"]


async def test_writes_say_their_rowcount_and_last_row_id(sqlite_store: Store) -> None:
    async with sqlite_store.engine.begin() as connection:
        await connection.execute(text("CREATE TEMP TABLE kept (id INTEGER PRIMARY KEY, n INT)"))
        inserted = await connection.execute(text("INSERT INTO kept (n) VALUES (7)"))
        assert inserted.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO kept (n) VALUES (:n)"), [{"n": 1}, {"n": 2}, {"n": 3}]
        )
        assert many.rowcount == 3
        updated = await connection.execute(text("UPDATE kept SET n = n + 1 WHERE n < 3"))
        assert updated.rowcount == 2
        returned = await connection.execute(text("DELETE FROM kept WHERE n >= 3 RETURNING id, n"))
        assert sorted(tuple(row) for row in returned) == [(1, 7), (3, 3), (4, 3)]
        left = await connection.execute(text("SELECT id, n FROM kept"))
        assert [tuple(row) for row in left] == [(2, 2)]


async def test_rows_streamed_from_a_server_side_cursor_are_all_there(sqlite_store: Store) -> None:
    async with sqlite_store.engine.connect() as connection:
        streamed = await connection.stream(
            text("SELECT value FROM json_each('[1,2,3,4,5]')").execution_options(yield_per=2)
        )
        assert [row.value async for row in streamed] == [1, 2, 3, 4, 5]


async def test_errors_are_sqlites_through_sqlalchemy(sqlite_store: Store) -> None:
    await sqlite_store.id_tags.create("TAG-1")
    with pytest.raises(ConflictError):
        await sqlite_store.id_tags.create("TAG-1")
    assert [tag.id_tag for tag in await sqlite_store.id_tags.list()] == ["TAG-1"]
    async with sqlite_store.engine.connect() as connection:
        await connection.execute(text("CREATE TEMP TABLE once (n INT UNIQUE)"))
        await connection.execute(text("INSERT INTO once VALUES (1)"))
        with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
            await connection.execute(text("INSERT INTO once VALUES (1)"))


async def test_a_new_connection_sends_its_thread_nothing_the_fast_forward_loop_cannot_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLAlchemy's dialect queues an isolation level it is given straight to the thread, past
    # aiosqlite's _execute (which the fast-forward loop counts as work it waits for): a
    # virtual-time loop that met one while the thread was slow jumped its clock past a case's
    # step. The store's connections are opened outside sqlite3's transactions already.
    queued: list[object] = []
    setter = AsyncAdapt_aiosqlite_connection.isolation_level

    def recorded(adapter: AsyncAdapt_aiosqlite_connection, value: object) -> None:
        queued.append(value)
        assert setter.fset is not None
        setter.fset(adapter, value)

    monkeypatch.setattr(AsyncAdapt_aiosqlite_connection, "isolation_level", setter.setter(recorded))
    store = await Store.open(migrated_sqlite_url(tmp_path, "fresh.sqlite"))
    try:
        await store.stations.register("CP-1")
        assert await store.stations.get("CP-1") is not None
    finally:
        await store.close()
    assert queued == []
