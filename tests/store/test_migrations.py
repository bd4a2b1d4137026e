"""Migrations build exactly the schema the models describe, on both databases, and undo it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from chargeyard.store import Store, create_engine, downgrade, migrate, upgrade
from chargeyard.store.migrations import alembic_config, current_revision, head_revisions
from chargeyard.store.models import Base
from tests.store.conftest import PostgresDatabases

HEAD = "0016"  # the newest revision (rev_0016_frame_faults.py)


def test_the_heads_read_without_alembic_are_alembic_s() -> None:
    # migrate() compares the database with these before it imports Alembic at all.
    script = ScriptDirectory.from_config(alembic_config())
    assert head_revisions() == frozenset(script.get_heads()) == {HEAD}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrated_schema_matches_the_models_and_downgrades_to_nothing(
    empty_database_url: str,
) -> None:
    engine = create_engine(empty_database_url)
    try:
        assert await current_revision(engine) is None
        await migrate(engine)
        assert await current_revision(engine) == HEAD
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            assert await connection.run_sync(_tables) == {
                *Base.metadata.tables,
                "alembic_version",
            }

        await downgrade(engine, "base")
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == {"alembic_version"}

        await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


@pytest.fixture
def new_postgres(postgres_databases: PostgresDatabases) -> str:
    """A PostgreSQL database never migrated (made outside the test's event loop)."""
    return postgres_databases.create()


async def test_nodes_migrating_a_new_database_at_once_do_not_collide(new_postgres: str) -> None:
    # The nodes of a cluster start together on a new PostgreSQL database (a cluster's nodes
    # share PostgreSQL; a SQLite file is one process's): one migrates, the others wait for its
    # advisory lock and find the database at head.
    url = new_postgres
    await asyncio.gather(*(upgrade(url) for _ in range(3)))

    engine = create_engine(url)
    try:
        assert await current_revision(engine) == HEAD
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_upgrade_by_plain_url_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    await upgrade(url)
    await upgrade(url)  # already at head: nothing to do, no error
    async with await Store.open(url) as store:
        assert await current_revision(store.engine) == HEAD
        assert await store.stations.count() == 0


async def test_a_model_change_without_a_migration_is_caught(tmp_path: Path) -> None:
    # Guards the guard: the comparison above must be able to fail.
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ALTER TABLE stations ADD COLUMN surprise TEXT")
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
        assert [diff[0] for diff in differences] == ["remove_column"]
    finally:
        await engine.dispose()
