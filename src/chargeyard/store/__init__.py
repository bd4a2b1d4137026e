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
