"""Reading charging transactions: one by its wire id, pages and counts filtered by station,
status, connector, idTag and start time, each with its station's chargeBoxId where asked.

A transaction belongs to its station's organization: ``organization_id`` narrows a query to
that organization's stations (None: every station, as the central system itself reads).

:class:`TransactionQueries` is the read side of
:class:`~chargeyard.store.repositories.transactions.TransactionRepository`; every call is one
read-only unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.protocol import VersionSpec
from chargeyard.store.errors import NotFoundError
from chargeyard.store.models import Station, Transaction, TransactionStatus
from chargeyard.store.repositories._base import Repository, page, station_pk


@dataclass(frozen=True, slots=True)
class StationTransaction:
    """A transaction with its station's chargeBoxId and OCPP version (the row holds only the
    station's key)."""

    charge_box_id: str
    ocpp_version: VersionSpec | None
    transaction: Transaction


class TransactionQueries(Repository):
    """Transactions as the API and the CSMS's commands look them up."""

    async def get(self, charge_box_id: str, transaction_id: str | int) -> Transaction | None:
        async with self._read() as session:
            return await find_for_station(session, charge_box_id, str(transaction_id))

    async def list(
        self,
        *,
        charge_box_id: str | None = None,
        status: str | None = None,
        connector_id: int | None = None,
        id_tag: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        organization_id: str | None = None,
    ) -> Sequence[Transaction]:
        """Transactions, newest start first, filtered by whatever is given (``since``
        inclusive, ``until`` exclusive, on the start time)."""
        limit, offset = page(limit, offset)
        statement = (
            select(Transaction)
            .where(
                *_conditions(charge_box_id, status, connector_id, id_tag, since, until),
                *_owned(organization_id),
            )
            .order_by(Transaction.started_at.desc(), Transaction.id.desc())
            .limit(limit)
            .offset(offset)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def count(
        self,
        *,
        charge_box_id: str | None = None,
        status: str | None = None,
        connector_id: int | None = None,
        id_tag: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        organization_id: str | None = None,
    ) -> int:
        statement = (
            select(func.count())
            .select_from(Transaction)
            .where(
                *_conditions(charge_box_id, status, connector_id, id_tag, since, until),
                *_owned(organization_id),
            )
        )
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def totals(
        self, *, since: datetime | None = None, organization_id: str | None = None
    ) -> tuple[int, float]:
        """How many transactions started since ``since`` (inclusive; None: ever), and the
        energy those that ended delivered, in Wh."""
        statement = select(func.count(), func.sum(Transaction.energy_wh)).where(
            *_conditions(None, None, None, None, since, None), *_owned(organization_id)
        )
        async with self._read() as session:
            count, energy = (await session.execute(statement)).one()
        return int(count), float(energy or 0.0)  # (SUM of no rows is NULL)

    async def count_active_for_tag(
        self, id_tag: str, *, excluding: int | None = None, organization_id: str | None = None
    ) -> int:
        """How many active transactions, on any station (of ``organization_id``, when given),
        were started by ``id_tag``; the transaction with row key ``excluding``
        (``Transaction.id``) does not count."""
        statement = (
            select(func.count())
            .select_from(Transaction)
            .where(
                Transaction.status == TransactionStatus.ACTIVE,
                Transaction.id_tag == id_tag,
                *_owned(organization_id),
            )
        )
        if excluding is not None:
            statement = statement.where(Transaction.id != excluding)
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def find(
        self,
        transaction_id: str | int,
        *,
        charge_box_id: str | None = None,
        organization_id: str | None = None,
    ) -> Sequence[StationTransaction]:
        """The transactions with this wire id, on any station or on ``charge_box_id``'s. A 1.6
        id names at most one; 2.0.1 ids are the stations' own and may repeat across stations."""
        statement = (
            select(Station.charge_box_id, Station.ocpp_version, Transaction)
            .join(Station, Transaction.station_id == Station.id)
            .where(Transaction.transaction_id == str(transaction_id))
            .order_by(Station.charge_box_id)
        )
        if charge_box_id is not None:
            statement = statement.where(Station.charge_box_id == charge_box_id)
        if organization_id is not None:
            statement = statement.where(Station.organization_id == organization_id)
        async with self._read() as session:
            rows = (await session.execute(statement)).all()
        return [StationTransaction(*row) for row in rows]

    async def page_with_station(
        self,
        *,
        charge_box_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
        organization_id: str | None = None,
    ) -> tuple[Sequence[StationTransaction], int]:
        """:meth:`list`'s page (newest start first), each with its station's chargeBoxId, and
        the count of every match, both read in one transaction so that they agree."""
        limit, offset = page(limit, offset)
        conditions = [
            *_conditions(charge_box_id, status, None, None, None, None),
            *_owned(organization_id),
        ]
        statement = (
            select(Station.charge_box_id, Station.ocpp_version, Transaction)
            .join(Station, Transaction.station_id == Station.id)
            .where(*conditions)
            .order_by(Transaction.started_at.desc(), Transaction.id.desc())
            .limit(limit)
            .offset(offset)
        )
        counting = select(func.count()).select_from(Transaction).where(*conditions)
        async with self._read() as session:
            rows = (await session.execute(statement)).all()
            total = (await session.execute(counting)).scalar_one()
        return [StationTransaction(*row) for row in rows], total


_BY_WIRE_ID = select(Transaction).where(
    Transaction.station_id == bindparam("station"),
    Transaction.transaction_id == bindparam("transaction_id"),
)
_BY_STATION_AND_WIRE_ID = (
    select(Transaction)
    .join(Station, Station.id == Transaction.station_id)
    .where(
        Station.charge_box_id == bindparam("charge_box_id"),
        Transaction.transaction_id == bindparam("transaction_id"),
    )
)
# (Built once, as _base.STATION_PK is.)


async def find_by_wire_id(
    session: AsyncSession, station: int, transaction_id: str
) -> Transaction | None:
    """The transaction of station row ``station`` whose wire id is ``transaction_id``."""
    return await session.scalar(_BY_WIRE_ID, {"station": station, "transaction_id": transaction_id})


async def find_for_station(
    session: AsyncSession, charge_box_id: str, transaction_id: str
) -> Transaction | None:
    """The transaction of the station named ``charge_box_id`` whose wire id is
    ``transaction_id``: one statement where it exists (every TransactionEvent asks).

    Raises:
        NotFoundError: no such station.
    """
    transaction = await session.scalar(
        _BY_STATION_AND_WIRE_ID, {"charge_box_id": charge_box_id, "transaction_id": transaction_id}
    )
    if transaction is None:
        await station_pk(session, charge_box_id)  # raises NotFoundError: no such station
    return transaction


async def require_transaction(
    session: AsyncSession, charge_box_id: str, transaction_id: str | int
) -> Transaction:
    """The station's transaction with this wire id.

    Raises:
        NotFoundError: no such station or transaction.
    """
    transaction = await find_for_station(session, charge_box_id, str(transaction_id))
    if transaction is None:
        raise NotFoundError("transaction", f"{charge_box_id}/{transaction_id}")
    return transaction


def _conditions(
    charge_box_id: str | None,
    status: str | None,
    connector_id: int | None,
    id_tag: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if charge_box_id is not None:
        station = select(Station.id).where(Station.charge_box_id == charge_box_id)
        conditions.append(Transaction.station_id == station.scalar_subquery())
    if status is not None:
        conditions.append(Transaction.status == status)
    if connector_id is not None:
        conditions.append(Transaction.connector_id == connector_id)
    if id_tag is not None:
        conditions.append(Transaction.id_tag == id_tag)
    if since is not None:
        conditions.append(Transaction.started_at >= since)
    if until is not None:
        conditions.append(Transaction.started_at < until)
    return conditions


def _owned(organization_id: str | None) -> list[ColumnElement[bool]]:
    if organization_id is None:
        return []
    stations = select(Station.id).where(Station.organization_id == organization_id)
    return [Transaction.station_id.in_(stations)]


__all__ = [
    "StationTransaction",
    "TransactionQueries",
    "find_by_wire_id",
    "find_for_station",
    "require_transaction",
]
