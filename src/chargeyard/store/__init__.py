"""Durable storage for the CSMS and the simulator gateway: SQLAlchemy 2 (async) models and
repositories, Alembic migrations, a batched frame log.

SQLite by default (a file, WAL mode), PostgreSQL by URL; the same code and migrations serve
both. Callers use :class:`Store` (``await Store.open(url)``) and its repositories; nothing
outside this package builds SQL or holds a session. Modules:

- ``engine``: URLs, engines, session factories, the SQLite durability settings.
- ``models/``: the tables. ``migrations/``: their history, runnable from code.
- ``repositories/``: one class per concept, each call a committed unit of work.
- ``frame_log``: the batched writer of every OCPP frame.
"""

from typing import TYPE_CHECKING

from chargeyard.lazy_names import lazy_names

if TYPE_CHECKING:
    from chargeyard.store._store import Store
    from chargeyard.store.engine import (
        DEFAULT_URL,
        Sessions,
        create_engine,
        normalize_url,
        session_factory,
    )
    from chargeyard.store.errors import (
        ConflictError,
        DatabaseError,
        IntegrityViolation,
        NotFoundError,
        StoreError,
    )
    from chargeyard.store.frame_log import FrameLog
    from chargeyard.store.migrations import downgrade, migrate, upgrade

# Each name is loaded from its module when first asked for: a process that only needs one of
# the package's light modules (``private_files``, ``payload_cap``: a station fleet, the
# command line's options) does not load SQLAlchemy, about a third of such a process's start-up.
_HOMES = {
    "Store": "_store",
    "DEFAULT_URL": "engine",
    "Sessions": "engine",
    "create_engine": "engine",
    "normalize_url": "engine",
    "session_factory": "engine",
    "ConflictError": "errors",
    "DatabaseError": "errors",
    "IntegrityViolation": "errors",
    "NotFoundError": "errors",
    "StoreError": "errors",
    "FrameLog": "frame_log",
    "downgrade": "migrations",
    "migrate": "migrations",
    "upgrade": "migrations",
}

__all__ = [
    "DEFAULT_URL",
    "ConflictError",
    "DatabaseError",
    "FrameLog",
    "IntegrityViolation",
    "NotFoundError",
    "Sessions",
    "Store",
    "StoreError",
    "create_engine",
    "downgrade",
    "migrate",
    "normalize_url",
    "session_factory",
    "upgrade",
]


__getattr__ = lazy_names(__name__, _HOMES)
