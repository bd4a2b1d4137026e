"""Fixtures for the storage tests: every test taking ``store`` runs once on SQLite and once on
PostgreSQL.

SQLite: the schema is migrated once per session into a template file, copied per test into
``tmp_path``. PostgreSQL: ``CHARGEYARD_TEST_POSTGRES_URL`` names a server (an admin database on
it); one fresh database is created per session, migrated, truncated before each test, and
dropped at the end. Without the variable the PostgreSQL half is skipped, visibly.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import insert, make_url

from chargeyard.store import Store, create_engine, upgrade
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, Base, Organization
from tests.migrated import migrated_template

POSTGRES_ENV = "CHARGEYARD_TEST_POSTGRES_URL"
SKIP_POSTGRES = (
    f"needs PostgreSQL: set {POSTGRES_ENV} (scripts/test sets it when 127.0.0.1:5432 answers)"
)
BACKENDS = ["sqlite", "postgresql"]


def postgres_admin_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(SKIP_POSTGRES)
    return url


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class PostgresDatabases:
    """Creates uniquely named databases on the test server and drops them all at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def create(self) -> str:
        name = f"chargeyard_test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        # In a thread of its own: the drops run in the teardown of the worker's last test, and
        # when that is a browser test, Playwright's loop is marked running in the main thread
        # (tests/browser_loop.py), where asyncio.run would refuse to start.
        with ThreadPoolExecutor(1, thread_name_prefix="test-databases") as apart:
            apart.submit(asyncio.run, _admin(self.admin_url, statement)).result()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_admin_url())
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def migrated_postgres(postgres_databases: PostgresDatabases) -> str:
    url = postgres_databases.create()
    asyncio.run(upgrade(url))
    return url


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    return migrated_template()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        postgres_admin_url()
    return name


@pytest.fixture
def migrated_source(backend: str, request: pytest.FixtureRequest) -> Path | str:
    """The session's migrated SQLite template file, or its migrated PostgreSQL URL (set up
    here, outside the event loop, as the session fixtures run ``asyncio.run``)."""
    if backend == "sqlite":
        path: Path = request.getfixturevalue("sqlite_template")
        return path
    url: str = request.getfixturevalue("migrated_postgres")
    return url


@pytest.fixture
def database_url(migrated_source: Path | str, tmp_path: Path) -> str:
    """A migrated database of the current backend (emptied by the ``store`` fixture)."""
    if isinstance(migrated_source, Path):
        path = tmp_path / "store.db"
        shutil.copyfile(migrated_source, path)
        return f"sqlite:///{path}"
    return migrated_source


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database of the current backend that was never migrated."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    return databases.create()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A :class:`Store` on an empty, migrated database of the current backend."""
    async with Store(create_engine(database_url)) as opened:
        if opened.engine.dialect.name == "postgresql":
            # The session's database is shared: empty it, children first. DELETE on a few
            # rows is several times faster than TRUNCATE, which recreates each table's files.
            async with opened.engine.begin() as connection:
                for table in reversed(Base.metadata.sorted_tables):
                    await connection.execute(table.delete())
                # As a new database has it (revision 0013).
                await connection.execute(
                    insert(Organization).values(
                        id=DEFAULT_ORGANIZATION_ID, name="Default organization"
                    )
                )
        yield opened
