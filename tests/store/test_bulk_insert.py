"""The bulk inserter: a batch longer than one statement lands whole, in order, as one
transaction, with every value bound as SQLAlchemy binds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError

from chargeyard.store import Store
from chargeyard.store.bulk_insert import (
    CACHE_KIB,
    ROWS_PER_STATEMENT,
    BulkInserter,
    _sqlite_form,
    _sqlite_statements,
)
from chargeyard.store.models import Frame

_TABLE: Table = Frame.__table__  # type: ignore[assignment]  # a Table, typed FromClause
_COLUMNS = ("identity", "direction", "action", "unique_id", "text", "at")
T0 = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)


def _rows(count: int) -> list[tuple[object, ...]]:
    # Pairs of rows share one datetime object, as the samples of a meter value do.
    return [
        (
            f"CP-{index % 3}",
            "incoming",
            None,
            str(index),
            f"[{index}]",
            T0 + timedelta(seconds=index // 2),
        )
        for index in range(count)
    ]


async def test_a_batch_of_several_statements_lands_whole_and_in_order(store: Store) -> None:
    count = 2 * ROWS_PER_STATEMENT + ROWS_PER_STATEMENT // 2 + 3
    inserter = BulkInserter(store.frames_engine)
    try:
        await inserter.insert_values(_TABLE, _COLUMNS, _rows(count))
    finally:
        await inserter.close()
    async with store.frames_engine.connect() as connection:
        stored = (
            await connection.execute(select(Frame.unique_id, Frame.at).order_by(Frame.id))
        ).all()
    assert [tuple(row) for row in stored] == [
        (str(index), T0 + timedelta(seconds=index // 2)) for index in range(count)
    ]


def test_sqlite_statements_hold_at_most_rows_per_statement() -> None:
    count = 2 * ROWS_PER_STATEMENT + 7
    statements = list(
        _sqlite_statements(_sqlite_form(_TABLE, _COLUMNS, sqlite.dialect()), _rows(count))
    )
    rows = [len(parameters) // len(_COLUMNS) for _sql, parameters in statements]
    assert rows == [ROWS_PER_STATEMENT, ROWS_PER_STATEMENT, 7]
    # Full statements have the same text: SQLite compiles it once and the module caches it.
    assert statements[0][0] == statements[1][0]


async def test_the_sqlite_writer_connection_has_its_cache_and_checkpoint_settings(
    tmp_path: Path,
) -> None:
    # SQLite only: on PostgreSQL the inserter writes through the engine, with no connection
    # (and no WAL) of its own.
    async with await Store.open(f"sqlite:///{tmp_path / 'lab.db'}") as store:
        inserter = BulkInserter(store.frames_engine, checkpoint_pages=1234)
        try:
            await inserter.insert_values(_TABLE, _COLUMNS, _rows(1))
            connection = inserter._connection
            assert connection is not None
            assert connection.execute("PRAGMA cache_size").fetchone() == (-CACHE_KIB,)
            assert connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (1234,)
        finally:
            await inserter.close()


async def test_a_value_refused_in_a_later_statement_keeps_nothing(store: Store) -> None:
    # The statements are built one by one inside the transaction: a naive datetime in the
    # second one must roll the first one back, and leave the inserter usable.
    rows = _rows(ROWS_PER_STATEMENT + 1)
    rows[-1] = (*rows[-1][:5], datetime(2026, 11, 21, 16, 0))
    inserter = BulkInserter(store.frames_engine)
    try:
        # (SQLAlchemy wraps the ValueError on PostgreSQL, where it binds the values itself.)
        with pytest.raises((ValueError, StatementError), match="naive"):
            await inserter.insert_values(_TABLE, _COLUMNS, rows)
        await inserter.insert_values(_TABLE, _COLUMNS, _rows(2))
    finally:
        await inserter.close()
    async with store.frames_engine.connect() as connection:
        stored = (await connection.execute(select(Frame.unique_id).order_by(Frame.id))).all()
    assert [row.unique_id for row in stored] == ["0", "1"]
