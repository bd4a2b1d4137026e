"""Group commit for what stations say of themselves: presence, boot facts, heartbeats and
connector statuses, the writes of many stations in one transaction.

Theory of operation
-------------------
A boot costs a central system a handful of small writes per station: marked online when its
WebSocket opens, its BootNotification's facts (OCPP 1.6 section 4.2.1, 2.0.1 B01), a
StatusNotification per connector (1.6 section 4.9, 2.0.1 B01.FR.05), later a Heartbeat every
few minutes. One transaction each, through the ORM, is what a boot storm of thousands of
stations spends its time on: the statements are tiny, their round trips and commits are not.

:class:`StationWriter` queues each message's facts and awaits the commit of the batch that holds
them (``group_commit.py``, as :class:`~chargeyard.store.sample_writer.SampleWriter` does for
meter samples). A batch is one transaction (:func:`apply`), with one statement per kind of
fact whatever the number of stations:

1. the stations' row keys, looked up by identity in one query; the stations a central system
   lets in unknown (``create``) are registered, in one statement, and the table's planner
   statistics kept fresh as it grows (``growth_statistics.py``); the facts of any other
   identity the store does not know (deleted meanwhile) are refused with
   :class:`~chargeyard.store.NotFoundError`, the rest go on;
2. the changes to each station's row, merged in the order they arrived (a station marked
   online then offline in one batch ends offline), as one ``UPDATE`` per set of columns;
3. the latest status of each connector, one upsert (the last report of a connector in the
   batch wins, as it would one transaction at a time);
4. every status change appended to the connector's history, in order.

The guarantee is the one a transaction per message gave: a caller that got past
:meth:`~StationWriter.write` has its facts committed. A batch waits for a PostgreSQL that went
away as every unit of work does (``reconnect.py``). A batch the database refuses is retried
one message per transaction, so only the message at fault sees the error. Without a running
writer, :func:`write_now` applies one message's facts in a transaction of their own, through the
same statements.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chargeyard.protocol import VersionSpec
from chargeyard.store.array_rows import ArrayStatement, insert_from_arrays, unnest_rows
from chargeyard.store.engine import is_sqlite, writer_turn
from chargeyard.store.errors import NotFoundError
from chargeyard.store.group_commit import GroupCommit
from chargeyard.store.growth_statistics import GrowthStatistics
from chargeyard.store.models import (
    DEFAULT_ORGANIZATION_ID,
    Connector,
    ConnectorStatusChange,
    Station,
)
from chargeyard.store.reconnect import WRITE_WAIT_S, begin_write_connection
from chargeyard.store.spelling import ONE_OF, insert_for, one_of_texts_param
from chargeyard.store.types import utc_now

_STATIONS: Table = Station.__table__  # type: ignore[assignment]  # a Table, typed FromClause
_CONNECTORS: Table = Connector.__table__  # type: ignore[assignment]
_HISTORY: Table = ConnectorStatusChange.__table__  # type: ignore[assignment]

_CONNECTOR_KEY = ("station_id", "evse_id", "connector_id")
# The columns an upsert of a connector's latest status overwrites.
_CONNECTOR_STATE = ("status", "error_code", "info", "vendor_id", "vendor_error_code", "updated_at")


@dataclass(frozen=True, slots=True)
class StationChange:
    """New values for columns of a station's row (``stations``), e.g. ``is_online``;
    ``create``: add the row first if there is none (a station registered by connecting), in
    ``organization_id``."""

    identity: str
    values: Mapping[str, object]
    create: bool = False
    organization_id: str = DEFAULT_ORGANIZATION_ID


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A connector's status as a StatusNotification reported it: its latest status, and one
    more line in its history."""

    identity: str
    connector_id: int
    status: str
    evse_id: int = 0
    error_code: str = "NoError"
    info: str | None = None
    vendor_id: str | None = None
    vendor_error_code: str | None = None
    at: datetime = field(default_factory=utc_now)


Fact = StationChange | StatusReport


def online(
    identity: str,
    ocpp_version: VersionSpec,
    at: datetime,
    *,
    create: bool = False,
    organization_id: str = DEFAULT_ORGANIZATION_ID,
) -> StationChange:
    """The station's WebSocket opened, speaking ``ocpp_version`` (``create``: registering it
    in ``organization_id`` if the store does not know it; whether unknown stations are
    welcome, and where, is the central system's policy, not the store's)."""
    return StationChange(
        identity,
        {"is_online": True, "connected_at": at, "ocpp_version": ocpp_version},
        create=create,
        organization_id=organization_id,
    )


def offline(identity: str) -> StationChange:
    """The station's WebSocket closed."""
    return StationChange(identity, {"is_online": False})


def heartbeat(identity: str, at: datetime) -> StationChange:
    """A Heartbeat (the station is evidently online; 1.6 section 4.6, 2.0.1 G02)."""
    return StationChange(identity, {"last_heartbeat": at, "is_online": True})


def boot_facts(
    identity: str,
    *,
    vendor: str,
    model: str,
    serial_number: str | None,
    firmware_version: str | None,
    registration_status: str,
) -> StationChange:
    """What a BootNotification reported, and how it was answered."""
    return StationChange(
        identity,
        {
            "vendor": vendor,
            "model": model,
            "serial_number": serial_number,
            "firmware_version": firmware_version,
            "registration_status": registration_status,
        },
    )


@dataclass(frozen=True, slots=True)
class Applied:
    """What :func:`apply` wrote."""

    missing: set[str]
    """The identities the store does not know, whose facts were left out."""
    registered: int
    """Stations registered (``create``) that the store did not know."""


async def apply(connection: AsyncConnection, facts: Sequence[Fact]) -> Applied:
    """Write ``facts`` in ``connection``'s transaction, in the order given."""
    identities = {fact.identity for fact in facts}
    keys = await _station_keys(connection, identities)
    new = {
        fact.identity: fact.organization_id
        for fact in facts
        if isinstance(fact, StationChange) and fact.create and fact.identity not in keys
    }
    registered = 0
    if new:
        registered = await _insert_missing_stations(connection, new)
        keys.update(await _station_keys(connection, set(new)))
    changes: dict[int, dict[str, object]] = {}
    latest: dict[tuple[int, int, int], dict[str, object]] = {}
    history: list[dict[str, object]] = []
    for fact in facts:
        pk = keys.get(fact.identity)
        if pk is None:
            continue
        if isinstance(fact, StationChange):
            changes.setdefault(pk, {}).update(fact.values)
            continue
        latest[(pk, fact.evse_id, fact.connector_id)], line = _rows(pk, fact)
        history.append(line)
    # Rows are locked in key order, so that two nodes' batches touching the same stations (one
    # handing a station over to the other) wait for each other instead of deadlocking (on
    # PostgreSQL the key lookup has locked them all in that order already).
    await _update_stations(connection, dict(sorted(changes.items())))
    if latest:
        rows = [latest[key] for key in sorted(latest)]
        if connection.dialect.name == "postgresql":
            await connection.execute(_CONNECTOR_ARRAYS.statement, _CONNECTOR_ARRAYS.bind(rows))
        else:
            await connection.execute(_connector_upsert(connection.dialect.name), rows)
    if history:
        if connection.dialect.name == "postgresql":
            await connection.execute(_HISTORY_ARRAYS.statement, _HISTORY_ARRAYS.bind(history))
        else:
            await connection.execute(_HISTORY.insert(), history)
    return Applied(identities - keys.keys(), registered)


@asynccontextmanager
async def _transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A write transaction that waits for a database that went away (``reconnect.py``): a
    station's facts are stored late rather than refused while PostgreSQL restarts."""
    wait_s = 0.0 if is_sqlite(engine) else WRITE_WAIT_S
    async with writer_turn(engine), contextlib.AsyncExitStack() as stack:
        yield await begin_write_connection(engine, stack, wait_s=wait_s)


async def write_now(engine: AsyncEngine, facts: Sequence[Fact]) -> None:
    """Apply one message's ``facts`` in a transaction of their own.

    Raises:
        NotFoundError: a fact names a station the store does not know (nothing is written).
    """
    async with _transaction(engine) as connection:
        missing = (await apply(connection, facts)).missing
        if missing:  # raised inside the block: the transaction rolls back
            raise NotFoundError("station", min(missing))


LINGER_S = 0.06
"""How long a busy station writer waits at most for its next batch to fill (as long as its last
commit took, up to this: ``group_commit.py``). A boot storm split over six CSMS nodes on two
cores committed batches of about 25 messages; with the wait, about 75, for a quarter less of
the nodes' CPU (``docs/benchmarks-scale.md``). A message's answer waits for its commit, so
under load an answer may wait up to this much longer; OCPP allows seconds."""


class StationWriter(GroupCommit[Sequence[Fact], None]):
    """Writes :data:`Fact` s with group commit (``group_commit.py``; the module docstring says
    what a batch writes).

    Args:
        engine: the store's engine.
        max_facts: facts per transaction at most (a message's facts are never split).
        wake_slice: waiters woken per loop iteration once their batch is committed.
        linger_s: how long a busy writer waits for its next batch to fill
            (:data:`LINGER_S`; ``group_commit.py``).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_facts: int = 2_000,
        wake_slice: int = 16,
        linger_s: float = LINGER_S,
    ) -> None:
        super().__init__(
            "station writer",
            max_size=max_facts,
            max_size_name="max_facts",
            wake_slice=wake_slice,
            linger_s=linger_s,
        )
        self._engine = engine
        self.facts = 0
        """Facts committed so far."""
        self.statistics = GrowthStatistics(engine, _STATIONS.name)
        """Keeps the planner's statistics of ``stations`` fresh while stations register."""

    @property
    def transactions(self) -> int:
        """Transactions committed so far (the batches)."""
        return self.batches

    async def write(self, *facts: Fact) -> None:
        """Queue one message's ``facts`` and return once they are committed (at once when there
        are none).

        Raises:
            RuntimeError: the writer is not running.
            NotFoundError: a fact names a station the store does not know; none of this
                message's facts were written.
        """
        if not self.running:
            raise RuntimeError("the station writer is not running")
        if facts:
            await self._submit(facts, len(facts))

    async def keep(self, *facts: Fact) -> None:
        """:meth:`write` while the writer runs, else :func:`write_now` (a listener that is
        starting or stopping still keeps what its stations say).

        Raises:
            NotFoundError: as :meth:`write`.
        """
        if self.running:
            await self.write(*facts)
        else:
            await write_now(self._engine, facts)

    async def _handle(self, items: Sequence[Sequence[Fact]]) -> list[NotFoundError | None]:
        facts = [fact for message in items for fact in message]
        # A message's facts are of one station: an unknown one's were all left out.
        async with _transaction(self._engine) as connection:
            applied = await apply(connection, facts)
        self.facts += len(facts)
        if applied.registered:
            await self.statistics.added(applied.registered)
        return [_refusal(message, applied.missing) for message in items]


def _refusal(facts: Sequence[Fact], missing: set[str]) -> NotFoundError | None:
    gone = sorted({fact.identity for fact in facts} & missing)
    return NotFoundError("station", gone[0]) if gone else None


def _rows(pk: int, report: StatusReport) -> tuple[dict[str, object], dict[str, object]]:
    """The connector's latest-status row and its history row for ``report``."""
    common: dict[str, object] = {
        "station_id": pk,
        "evse_id": report.evse_id,
        "connector_id": report.connector_id,
        "status": report.status,
        "error_code": report.error_code,
        "info": report.info,
    }
    latest = {
        **common,
        "vendor_id": report.vendor_id,
        "vendor_error_code": report.vendor_error_code,
        "updated_at": report.at,
    }
    return latest, {**common, "at": report.at}


async def _station_keys(connection: AsyncConnection, identities: set[str]) -> dict[str, int]:
    """The row keys of the stations among ``identities`` the store knows. On PostgreSQL their
    rows are locked too, in key order: every batch takes its stations' locks in one order
    before it writes, so two batches that share stations queue rather than deadlock, whatever
    order the statements after it visit rows in."""
    statement = _keys_of(connection.dialect.name)
    found = await connection.execute(statement, {ONE_OF: list(identities)})
    return {identity: pk for identity, pk in found}


@functools.lru_cache(maxsize=4)
def _keys_of(dialect: str) -> Any:
    """:func:`_station_keys`' statement, built once per dialect."""
    statement = select(_STATIONS.c.charge_box_id, _STATIONS.c.id).where(
        one_of_texts_param(_STATIONS.c.charge_box_id, dialect)
    )
    if dialect == "postgresql":
        statement = statement.order_by(_STATIONS.c.id).with_for_update(key_share=True)
    return statement


async def _insert_missing_stations(connection: AsyncConnection, new: Mapping[str, str]) -> int:
    """Register the stations of ``new`` (identity to organization) that no node registered
    meanwhile, in identity order (two nodes registering the same ones wait for each other's
    rows in one order); how many it registered."""
    if connection.dialect.name == "postgresql":
        now = utc_now()
        rows = [(identity, new[identity], False, now, now) for identity in sorted(new)]
        result = await connection.execute(
            _MISSING_ARRAYS.statement, _MISSING_ARRAYS.bind_values(rows)
        )
    else:
        result = await connection.execute(
            _insert_missing(connection.dialect.name),
            [{"charge_box_id": i, "organization_id": new[i]} for i in sorted(new)],
        )
    return max(result.rowcount, 0)


@functools.cache
def _insert_missing(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` of stations by identity (another node may
    register the same one meanwhile), built once per dialect (see :func:`_connector_upsert`)."""
    return insert_for(dialect)(_STATIONS).on_conflict_do_nothing(index_elements=["charge_box_id"])


async def _update_stations(
    connection: AsyncConnection, changes: Mapping[int, Mapping[str, object]]
) -> None:
    """One ``UPDATE`` per set of columns changed, for every station that changes them."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    now = utc_now()
    for pk, values in changes.items():
        columns = tuple(sorted(values))
        row = {f"v_{name}": values[name] for name in columns}
        row["v_pk"] = pk
        row["v_updated_at"] = now
        by_columns.setdefault(columns, []).append(row)
    for columns, rows in by_columns.items():
        if connection.dialect.name == "postgresql":
            arrays = _station_arrays(columns)
            await connection.execute(arrays.statement, arrays.bind(rows))
        else:
            await connection.execute(_station_update(columns), rows)


@functools.lru_cache(maxsize=64)
def _station_update(columns: tuple[str, ...]) -> Any:
    """``UPDATE stations SET columns..., updated_at WHERE id = :v_pk``, one per set of columns
    (a handful: presence, boot facts, heartbeat), built once (see :func:`_connector_upsert`)."""
    return (
        update(_STATIONS)
        .where(_STATIONS.c.id == bindparam("v_pk"))
        .values({name: bindparam(f"v_{name}") for name in (*columns, "updated_at")})
    )


@functools.cache
def _connector_upsert(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT (station, evse, connector) DO UPDATE`` of the latest status,
    through each database's own construct (SQLite since 3.24). Built once per dialect: a
    statement used again keeps its cache key, which SQLAlchemy would otherwise compute anew."""
    statement = insert_for(dialect)(_CONNECTORS)
    return statement.on_conflict_do_update(
        index_elements=list(_CONNECTOR_KEY),
        set_={name: statement.excluded[name] for name in _CONNECTOR_STATE},
    )


# -- PostgreSQL: a batch's rows as arrays (``array_rows.py``) ----------------------------------


@functools.lru_cache(maxsize=64)
def _station_arrays(columns: tuple[str, ...]) -> ArrayStatement:
    """``UPDATE stations SET columns..., updated_at FROM unnest(...) WHERE id = v.id``, the
    PostgreSQL form of :func:`_station_update` (one per set of columns, built once)."""
    names = ("id", *columns, "updated_at")
    keys = tuple(f"v_{name}" for name in ("pk", *columns, "updated_at"))  # _update_stations'
    rows = unnest_rows(_STATIONS, keys, names)
    statement = (
        update(_STATIONS)
        .where(_STATIONS.c.id == rows.c.id)
        .values({name: rows.c[name] for name in (*columns, "updated_at")})
    )
    return ArrayStatement(statement, keys)


def _connector_arrays() -> ArrayStatement:
    """The PostgreSQL form of :func:`_connector_upsert`."""
    columns = (*_CONNECTOR_KEY, *_CONNECTOR_STATE)
    statement, _ = insert_from_arrays(_CONNECTORS, columns)
    statement = statement.on_conflict_do_update(
        index_elements=list(_CONNECTOR_KEY),
        set_={name: statement.excluded[name] for name in _CONNECTOR_STATE},
    )
    return ArrayStatement(statement, columns)


def _missing_arrays() -> ArrayStatement:
    """The PostgreSQL form of :func:`_insert_missing`: a boot storm of stations the store has
    not seen registers a batch's in one execution, not one a station. The columns with a
    default in Python (``Station``) are given, since ``INSERT ... SELECT`` takes none."""
    columns = ("charge_box_id", "organization_id", "is_online", "created_at", "updated_at")
    statement, _ = insert_from_arrays(_STATIONS, columns)
    statement = statement.on_conflict_do_nothing(index_elements=["charge_box_id"])
    return ArrayStatement(statement, columns)


_MISSING_ARRAYS = _missing_arrays()
_CONNECTOR_ARRAYS = _connector_arrays()
_HISTORY_ARRAYS = insert_from_arrays(
    _HISTORY, ("station_id", "evse_id", "connector_id", "status", "error_code", "info", "at")
)[1]
