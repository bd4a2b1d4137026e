"""The store's Alembic migrations, run from code: no ``alembic.ini`` on disk is needed.

This directory is Alembic's script directory (``env.py``, ``versions/``); :func:`alembic_config`
builds the :class:`~alembic.config.Config` pointing at it. :func:`migrate` runs
``alembic upgrade`` on an :class:`AsyncEngine` by handing Alembic the engine's connection inside
``run_sync`` (Alembic itself is synchronous), in one transaction that takes SQLite's write lock
first. :func:`upgrade` does the same for a URL.

For a new revision, change the models and let Alembic write the difference against a migrated
database, then read and correct the file it wrote::

    alembic_config(url) -> command.revision(config, message, autogenerate=True)

(through :func:`make_revision`, which opens the database for you).

Opening a database already at head is the common case (every start of ``chargeyard up`` after
the first, every node of a cluster): :func:`migrate` then reads the ``alembic_version`` row and
returns, without Alembic. Alembic's own ``upgrade`` parses every revision file and runs
``env.py`` on each call, ten times the cost of the read, and importing Alembic alone is a sixth
of a process's start: it is imported only when a migration runs. The heads are read once per
process from the revision files' ``revision`` and ``down_revision`` lines (a test checks them
against Alembic's own reading); they only change with the installed package.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store.engine import create_engine, for_writing, normalize_url

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
_REVISION = re.compile(r"^revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")

_Action = Callable[["Config"], object]


def alembic_config(url: str | URL | None = None) -> Config:
    """A Config for this package's migrations; ``url`` only matters for offline (``--sql``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    # Revision files must be importable module names (mypy checks them): no leading digit.
    config.set_main_option("file_template", "rev_%%(rev)s_%%(slug)s")
    if url is not None:
        rendered = normalize_url(url).render_as_string(hide_password=False)
        # ConfigParser interpolation would read a "%" in a password as a reference.
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision``."""
    if revision == "head" and await _at_head(engine):
        return
    from alembic import command

    await _run(engine, lambda config: command.upgrade(config, revision))


@functools.cache
def head_revisions() -> frozenset[str]:
    """The head revisions of this package's migrations: the revisions no other revision names
    as its ``down_revision`` (read from the files once)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (SCRIPT_LOCATION / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.update(_QUOTED.findall(revision.group(1)))
        down = _DOWN_REVISION.search(source)
        if down is not None:  # None, one revision, or a merge's tuple of them
            parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions - parents)


def _current_heads(connection: Connection) -> frozenset[str]:
    """What ``alembic_version`` holds (nothing before the first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
    return frozenset(row[0] for row in rows)


async def _at_head(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        return await connection.run_sync(_current_heads) == head_revisions()


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Downgrade the database behind ``engine`` to ``revision`` (``"base"``: empty)."""
    from alembic import command

    await _run(engine, lambda config: command.downgrade(config, revision))


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Open ``url``, upgrade it to ``revision``, close it."""
    engine = create_engine(url)
    try:
        await migrate(engine, revision)
    finally:
        await engine.dispose()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None for a database never migrated."""

    def _current(connection: Connection) -> str | None:
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def make_revision(url: str | URL, message: str) -> None:
    """Autogenerate a new revision file from the difference between the models and ``url``
    (which must be at head). For developers; review the file before committing it."""
    from alembic import command

    engine = create_engine(url)
    try:
        await _run(engine, lambda config: command.revision(config, message, autogenerate=True))
    finally:
        await engine.dispose()


MIGRATION_LOCK = 0x63686172_67657961  # "chargeya": the advisory lock's key on PostgreSQL


async def _run(engine: AsyncEngine, action: _Action) -> None:
    def _with_connection(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    async with for_writing(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            # The nodes of a cluster may start at once on a new database: one migrates, the
            # others wait here until it commits, and then find the database at head. (A
            # SQLite file is one process's: a cluster's nodes share PostgreSQL.)
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        await connection.run_sync(_with_connection)
