"""On SQLite, the frame log in a database file of its own, beside the main one.

Theory of operation
-------------------
Every OCPP frame in and out is a row; with a thousand stations that is the busiest table, and
its per-identity index puts each batch's keys all over the B-tree. In the main file those
batches took SQLite's single write lock in turns with the meter samples, whose commit the
stations' MeterValues answers wait for (``sample_writer.py``): logging capped throughput.
In a file of its own the log has its own write lock, WAL and checkpoints: its batches are
written while the samples are, and a slow log never delays what stations reported.

:func:`frame_file_path` names the file (``chargeyard.db`` -> ``chargeyard.frames.db``).
:func:`open_frame_engine` opens it with the main file's settings (``engine.py``), creates the
``frames`` table and its indexes from the model if missing (the log's schema is that one
table; it has no migrations of its own), and moves any frames the main file holds (written
before the log had its own file) into it, ids and all, so that nothing logged is lost and
``frames.id`` still orders each identity's conversation. The main file keeps its ``frames``
table, empty, so that one migration history serves SQLite and PostgreSQL; on PostgreSQL the
log stays in the main database, which has no single write lock.

The move copies, commits, then deletes from the main file. A crash in between leaves the rows
in both files; the next open copies only ids the frame file does not have, so it finishes the
move without duplicating anything.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.engine import _sqlite_on_connect, create_engine, is_sqlite
from chargeyard.store.models import Frame

_COLUMNS = "id, identity, direction, action, unique_id, text, at"
_TABLE: Table = Frame.__table__  # type: ignore[assignment]  # a Table, typed FromClause


def frame_file_path(database: Path) -> Path:
    """The frame log's file for the main database file ``database``."""
    if database.suffix:
        return database.with_name(f"{database.stem}.frames{database.suffix}")
    return database.with_name(f"{database.name}.frames")


async def open_frame_engine(engine: AsyncEngine) -> AsyncEngine | None:
    """An engine on the frame file of ``engine``'s SQLite database, the ``frames`` table in it
    and the main file's frames moved there; None for any other database."""
    if not is_sqlite(engine) or not engine.url.database:
        return None
    main = Path(engine.url.database)
    frames = frame_file_path(main)
    frame_engine = create_engine(engine.url.set(database=str(frames)))
    try:
        async with frame_engine.begin() as connection:
            await connection.run_sync(lambda sync: _TABLE.create(sync, checkfirst=True))
            await connection.run_sync(_add_new_columns)
        await asyncio.to_thread(_move_frames, main, frames)
    except BaseException:
        await frame_engine.dispose()
        raise
    return frame_engine


def _add_new_columns(connection: Connection) -> None:
    """Bring a frame file made by an earlier version up to the model: the log has no
    migrations of its own, and its columns are only ever added, nullable."""
    present = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(frames)")}
    for column in _TABLE.columns:
        if column.name not in present:
            kind = column.type.compile(dialect=connection.dialect)
            connection.exec_driver_sql(f"ALTER TABLE frames ADD COLUMN {column.name} {kind}")


def _move_frames(main: Path, frames: Path) -> None:
    connection = sqlite3.connect(frames)
    try:
        _sqlite_on_connect(connection, None)  # type: ignore[arg-type]  # the record is unused
        connection.execute("ATTACH DATABASE ? AS main_file", (str(main),))
        if connection.execute("SELECT 1 FROM main_file.frames LIMIT 1").fetchone() is None:
            return
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            f"INSERT INTO frames ({_COLUMNS}) SELECT {_COLUMNS} FROM main_file.frames"
            " WHERE id NOT IN (SELECT id FROM frames) ORDER BY id"
        )
        connection.execute("COMMIT")
        connection.execute("DELETE FROM main_file.frames")
    finally:
        connection.close()
