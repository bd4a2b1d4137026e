"""What every repository shares: the session factories, one unit of work per public call, and
the few statements whose spelling differs between SQLite and PostgreSQL (upserts).

Each public repository method is one unit of work: it opens a session, does its reads and
writes, and commits before it returns (``_write``), or only reads (``_read``). A method that
returns has therefore made its change durable; that is the property the CSMS relies on to
answer a transaction message only after what it reported is stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from enum import Enum, auto
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from chargeyard.store.conflicts import clash
from chargeyard.store.engine import Sessions, is_sqlite, writer_turn
from chargeyard.store.errors import ConflictError, NotFoundError
from chargeyard.store.models import Base, Counter, Station
from chargeyard.store.reconnect import WRITE_WAIT_S, begin_write
from chargeyard.store.spelling import insert_for

MAX_PAGE = 1000


class Repository:
    """Base of the repositories: holds the :class:`Sessions` it works through."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def _read(self) -> AsyncSession:
        # Used as ``async with``: the session closes, and so rolls back, at the end.
        return self._sessions.read()

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction that commits when the block ends without an exception;
        a uniqueness or foreign key violation (at a statement or at commit) is a
        :class:`ConflictError` in the store's words (``conflicts.py``), never the database's."""
        try:
            async with writer_turn(self._sessions.engine), AsyncExitStack() as stack:
                # A server that went away is waited for (reconnect.py); a SQLite file does not
                # go away, and its busy lock has its own timeout.
                wait_s = 0.0 if is_sqlite(self._sessions.engine) else WRITE_WAIT_S
                yield await begin_write(self._sessions.write, stack, wait_s=wait_s)
        except IntegrityError as error:
            raise ConflictError(clash(error)) from error


def page(limit: int, offset: int = 0) -> tuple[int, int]:
    """``limit``/``offset`` checked and capped at :data:`MAX_PAGE`."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    return min(limit, MAX_PAGE), offset


STATION_PK = select(Station.id).where(Station.charge_box_id == bindparam("charge_box_id"))
"""The row id of the station named by the parameter ``charge_box_id``. Built once, like the
other statements of the central system's per-message paths: building a statement costs more
Python than SQLite takes to run one of these."""


async def station_pk(session: AsyncSession, charge_box_id: str) -> int:
    """The row id of the station named ``charge_box_id``.

    Raises:
        NotFoundError: no such station.
    """
    pk = await session.scalar(STATION_PK, {"charge_box_id": charge_box_id})
    if pk is None:
        raise NotFoundError("station", charge_box_id)
    return pk


def upsert(
    session: AsyncSession,
    model: type[Base],
    values: Mapping[str, Any],
    keys: list[str],
    update: Mapping[str, Any],
) -> Insert:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET update``: both databases speak it, through
    dialect-specific constructs (SQLite since 3.24, RETURNING since 3.35)."""
    statement = insert_for(session.get_bind().dialect.name)(model).values(dict(values))
    upserted: Insert = statement.on_conflict_do_update(index_elements=keys, set_=dict(update))
    return upserted


async def next_counter_value(session: AsyncSession, name: str, step: int = 1) -> int:
    """Add ``step`` to the durable counter ``name`` (creating it at ``step``) and return its
    new value: the values after the old one, up to this one, are the caller's.

    The upsert takes the counter row's lock until the surrounding transaction ends, so two
    transactions never see the same value; if the surrounding transaction rolls back, so does
    the increment (no gap, nothing handed out twice).
    """
    statement = upsert(
        session, Counter, {"name": name, "value": step}, ["name"], {"value": Counter.value + step}
    ).returning(Counter.value)
    return (await session.execute(statement)).scalar_one()


class Unset(Enum):
    """The type of :data:`UNSET`: "leave this field as it is" in ``update`` methods, where
    ``None`` means "clear it"."""

    UNSET = auto()


UNSET = Unset.UNSET


def changes(**fields: object) -> dict[str, Any]:
    """The keyword arguments that are not :data:`UNSET`."""
    return {name: value for name, value in fields.items() if value is not UNSET}
