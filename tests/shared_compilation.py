"""One SQLAlchemy dialect, and one cache of compiled statements, for all of a test process's
engines of one kind.

SQLAlchemy compiles a statement once per engine: its compiled cache belongs to the engine, and
its key holds the engine's dialect object. chargeyard opens one engine a database (and one for
the frame log's file), so a deployment compiles each statement once. A test process opens
thousands, one or two a test, and compiled each store's statements again: about a quarter of
the CPU of the API's, the store's and the CSMS's tests.

Here every engine that ``chargeyard.store.engine`` creates takes the dialect and the compiled
cache of an earlier engine of its kind (its dialect's class, with the same dialect options)
whose dialect has met its server, as one long-lived engine would reuse them. What a statement
compiles to depends on the dialect and its options only, never on the database: every test's
engine still has its own pool, its own connections and its own file or database, and each
engine's connections are still set up by its own events. The processes a test starts (``up``,
``csms``, the cluster's) are untouched. ``tests/test_shared_compilation.py`` shows the cache
shared and each store reading its own file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.interfaces import CompiledCacheType
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.store import engine as store_engine

# What the product passes to SQLAlchemy for its pools and connections; any other option may
# shape the dialect, and an engine given one gets a dialect of its own.
_SETTING_UP = frozenset(
    {"pool_size", "max_overflow", "async_creator", "connect_args", "echo", "poolclass"}
)

_shared: dict[tuple[type[Dialect], str], tuple[Dialect, CompiledCacheType | None]] = {}
_patch = pytest.MonkeyPatch()


def sharing_compilation(create: Callable[..., AsyncEngine]) -> Callable[..., AsyncEngine]:
    """``create`` (SQLAlchemy's ``create_async_engine``), with its engines sharing their kind's
    dialect and compiled cache."""

    def create_sharing(url: Any, **options: Any) -> AsyncEngine:
        engine = create(url, **options)
        sync = engine.sync_engine
        shaping = {name: value for name, value in options.items() if name not in _SETTING_UP}
        kind = (type(sync.dialect), repr(sorted(shaping.items())))
        shared = _shared.get(kind)
        if shared is None or not _initialized(shared[0]):
            # The first engine of its kind, or the first one's dialect never met its server
            # (a test of a server that does not answer): this engine's serves the next ones.
            _shared[kind] = (sync.dialect, sync._compiled_cache)
            return engine
        sync.dialect, sync._compiled_cache = shared
        sync.pool._dialect = shared[0]
        return engine

    return create_sharing


def _initialized(dialect: Dialect) -> bool:
    """Whether ``dialect`` has read its server on a first connection (SQLAlchemy's
    ``Dialect.initialize``, which sets the default isolation level among the rest)."""
    return hasattr(dialect, "default_isolation_level")


@pytest.hookimpl
def pytest_configure(config: pytest.Config) -> None:
    creates = store_engine._create_async_engine
    _patch.setattr(store_engine, "_create_async_engine", sharing_compilation(creates))


@pytest.hookimpl
def pytest_unconfigure(config: pytest.Config) -> None:
    _patch.undo()
    _shared.clear()
