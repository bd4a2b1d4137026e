"""Charging transactions and their meter samples.

Every call here commits before it returns: the CSMS answers StartTransaction/StopTransaction/
MeterValues (1.6) and TransactionEvent (2.0.1) only after the call returned, so a station that
got its answer can rely on the central system having kept what it reported (see
``chargeyard.store.engine`` for what "kept" means on SQLite).

Ids: ``transaction_id`` is the id the wire carries, as text; pass ints from 1.6 as they come.
:meth:`TransactionRepository.start` without a ``transaction_id`` is the 1.6 case and allocates
the next number from the durable ``"transaction"`` counter (see ``models/transactions.py``).
Re-sent messages are idempotent where OCPP lets a station re-send them: starting a 2.0.1
transaction id that exists returns the existing row, stopping a completed one returns it as is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.store.errors import NotFoundError
from chargeyard.store.models import (
    CsmsCloseReason,
    MeterSample,
    Station,
    Transaction,
    TransactionStatus,
)
from chargeyard.store.repositories._base import (
    UNSET,
    Repository,
    Unset,
    changes,
    next_counter_value,
    page,
    station_pk,
)

TRANSACTION_COUNTER = "transaction"
ENERGY_REGISTER = "Energy.Active.Import.Register"
CSMS_STOP_REASON = "Other"
"""The stop reason of a transaction the central system closed (:meth:`close_orphans`)."""


class SampledValue(NamedTuple):
    """One value of a MeterValues / TransactionEvent meterValue, as :meth:`add_samples` takes
    it (the message's timestamp copied onto each of its values).

    A named tuple, not a dataclass: the CSMS builds one per value of every MeterValues, and
    its fields are the last columns of a ``meter_samples`` row in order, so the sample writer's
    row is the row's keys plus the tuple, joined in C (``sample_writer.SAMPLE_COLUMNS`` ends
    with these fields)."""

    sampled_at: datetime
    value: float
    measurand: str = "Energy.Active.Import.Register"
    phase: str | None = None
    unit: str | None = None
    context: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class StationTransaction:
    """A transaction with its station's chargeBoxId and OCPP version (the row holds only the
    station's key)."""

    charge_box_id: str
    ocpp_version: str | None
    transaction: Transaction


class TransactionRepository(Repository):
    async def start(
        self,
        charge_box_id: str,
        *,
        connector_id: int,
        meter_start_wh: float,
        started_at: datetime,
        id_tag: str | None = None,
        evse_id: int = 0,
        transaction_id: str | int | None = None,
        remote_started: bool = False,
        charging_state: str | None = None,
    ) -> Transaction:
        """Open a transaction; ``transaction_id=None`` allocates a 1.6 integer id
        (``int(result.transaction_id)``).

        Raises:
            NotFoundError: no such station.
        """
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            if transaction_id is None:
                transaction_id = await next_counter_value(session, TRANSACTION_COUNTER)
            else:
                existing = await _find(session, pk, str(transaction_id))
                if existing is not None:
                    return existing
            transaction = Transaction(
                transaction_id=str(transaction_id),
                station_id=pk,
                evse_id=evse_id,
                connector_id=connector_id,
                id_tag=id_tag,
                meter_start_wh=meter_start_wh,
                started_at=started_at,
                remote_started=remote_started,
                charging_state=charging_state,
                status=TransactionStatus.ACTIVE,
            )
            session.add(transaction)
        return transaction

    async def note_seq_no(self, charge_box_id: str, transaction_id: str, seq_no: int) -> None:
        """Record that the 2.0.1 TransactionEvent ``seq_no`` of a transaction is stored (the
        highest one is kept), after what it reported is: a copy re-sent after its answer was
        lost (E13) is then recognised by it. A crash in between makes a copy stored twice
        rather than lost.

        Raises:
            NotFoundError: no such station.
        """
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            await session.execute(
                sa_update(Transaction)
                .where(
                    Transaction.station_id == pk,
                    Transaction.transaction_id == transaction_id,
                    (Transaction.last_seq_no.is_(None)) | (Transaction.last_seq_no < seq_no),
                )
                .values(last_seq_no=seq_no)
                .execution_options(synchronize_session=False)
            )

    async def find_start(
        self,
        charge_box_id: str,
        *,
        connector_id: int,
        id_tag: str | None,
        started_at: datetime,
        meter_start_wh: float,
    ) -> Transaction | None:
        """The transaction a start with exactly these facts opened, if one did: a 1.6
        StartTransaction re-sent after its answer was lost (TransactionMessageAttempts) names
        no id, so its facts are its identity.

        Raises:
            NotFoundError: no such station.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            statement = (
                select(Transaction)
                .where(
                    Transaction.station_id == pk,
                    Transaction.started_at == started_at,
                    Transaction.connector_id == connector_id,
                    Transaction.meter_start_wh == meter_start_wh,
                    Transaction.id_tag == id_tag
                    if id_tag is not None
                    else Transaction.id_tag.is_(None),
                )
                .order_by(Transaction.id)
                .limit(1)
            )
            return (await session.scalars(statement)).first()

    async def update(
        self,
        charge_box_id: str,
        transaction_id: str | int,
        *,
        id_tag: str | Unset | None = UNSET,
        evse_id: int | Unset = UNSET,
        connector_id: int | Unset = UNSET,
        charging_state: str | Unset | None = UNSET,
        remote_started: bool | Unset = UNSET,
    ) -> Transaction:
        """Change what a 2.0.1 TransactionEvent(Updated) says changed.

        Raises:
            NotFoundError: no such station or transaction.
        """
        values = changes(
            id_tag=id_tag,
            evse_id=evse_id,
            connector_id=connector_id,
            charging_state=charging_state,
            remote_started=remote_started,
        )
        async with self._write() as session:
            transaction = await self._require(session, charge_box_id, transaction_id)
            for name, value in values.items():
                setattr(transaction, name, value)
        return transaction

    async def stop(
        self,
        charge_box_id: str,
        transaction_id: str | int,
        *,
        meter_stop_wh: float,
        stopped_at: datetime,
        reason: str | None = None,
        id_tag: str | None = None,
        charging_state: str | None = None,
    ) -> Transaction:
        """Close a transaction: meter stop, energy (stop - start), time, reason, and the
        charging state its end reported (2.0.1; None: no state, the transaction being over).

        A stop of a transaction already closed is a re-sent stop when it reports the same
        register (nothing changes) or a later one that corrects it: the final register the
        station reports is the one kept, with that stop's time and reason. A register below
        the start, or below the stop reported before, is kept as reported and flagged
        (``register_went_backwards``), never dropped. A stop of a transaction the central
        system closed (:meth:`close_orphans`) is the station's own account: it is kept whole.

        Raises:
            NotFoundError: no such station or transaction.
        """
        async with self._write() as session:
            transaction = await self._require(session, charge_box_id, transaction_id)
            if transaction.csms_close_reason is not None:
                # Closed by the central system (close_orphans) and now reported by its
                # station: the station's word replaces the central system's guess whole.
                transaction.csms_close_reason = None
                transaction.register_went_backwards = False
            elif transaction.status == TransactionStatus.COMPLETED:
                previous = transaction.meter_stop_wh
                if previous is None or meter_stop_wh == previous:
                    return transaction
                if meter_stop_wh < previous:
                    transaction.register_went_backwards = True
            if meter_stop_wh < transaction.meter_start_wh:
                transaction.register_went_backwards = True
            transaction.meter_stop_wh = meter_stop_wh
            transaction.energy_wh = meter_stop_wh - transaction.meter_start_wh
            transaction.stopped_at = stopped_at
            transaction.stop_reason = reason
            transaction.stop_id_tag = id_tag
            transaction.charging_state = charging_state
            transaction.status = TransactionStatus.COMPLETED
        return transaction

    async def close_orphans(
        self,
        charge_box_id: str,
        *,
        reason: CsmsCloseReason,
        at: datetime,
        connector_id: int | None = None,
        evse_id: int | None = None,
        started_before: datetime | None = None,
        excluding: int | None = None,
    ) -> list[Transaction]:
        """Close the active transactions of one connector (``connector_id``, 1.6) or EVSE
        (``evse_id``, 2.0.1; with ``connector_id`` too, that connector's) that can no longer
        be running, and return them.

        The station never reported their end (it lost its memory in a crash, or its stop was
        lost), so the central system closes them with what it knows: the last
        Energy.Active.Import.Register reading it received (the start register without one),
        ``at`` as the stop time (never before the start), stop reason ``Other`` (a value of
        both versions' Reason enumerations, 1.6 section 7.39, 2.0.1 ReasonEnumType) and
        ``csms_close_reason`` saying why. Only transactions started at or before
        ``started_before`` are closed (a message about an older transaction arriving late
        never closes a newer one), and never the one with row key ``excluding``. A stop the
        station reports afterwards still replaces all of it (:meth:`stop`).

        Raises:
            NotFoundError: no such station.
        """

        def stale_ones(pk: int) -> list[ColumnElement[bool]]:
            conditions = [
                Transaction.station_id == pk,
                Transaction.status == TransactionStatus.ACTIVE,
            ]
            if evse_id is not None:
                conditions.append(Transaction.evse_id == evse_id)
                if connector_id is not None:
                    # Within an EVSE, a transaction whose connector was never named (0) is
                    # on whichever one it is.
                    conditions.append(Transaction.connector_id.in_([connector_id, 0]))
            elif connector_id is not None:
                conditions.append(Transaction.connector_id == connector_id)
            if started_before is not None:
                conditions.append(Transaction.started_at <= started_before)
            if excluding is not None:
                conditions.append(Transaction.id != excluding)
            return conditions

        # Looked for first without a write: every start and boot report asks, almost never
        # with an orphan to close, and a write transaction would wait for the writer's lock.
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            found = await session.scalar(select(Transaction.id).where(*stale_ones(pk)).limit(1))
        if found is None:
            return []
        async with self._write() as session:
            stale = list((await session.scalars(select(Transaction).where(*stale_ones(pk)))).all())
            if not stale:
                return []
            registers = await _latest_registers(session, [t.id for t in stale])
            for transaction in stale:
                register = registers.get(transaction.id, transaction.meter_start_wh)
                transaction.meter_stop_wh = register
                transaction.energy_wh = register - transaction.meter_start_wh
                transaction.register_went_backwards = register < transaction.meter_start_wh
                transaction.stopped_at = max(at, transaction.started_at)
                transaction.stop_reason = CSMS_STOP_REASON
                transaction.csms_close_reason = reason
                transaction.charging_state = None
                transaction.status = TransactionStatus.COMPLETED
        return stale

    async def get(self, charge_box_id: str, transaction_id: str | int) -> Transaction | None:
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            return await _find(session, pk, str(transaction_id))

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
    ) -> Sequence[Transaction]:
        """Transactions, newest start first, filtered by whatever is given (``since``
        inclusive, ``until`` exclusive, on the start time)."""
        limit, offset = page(limit, offset)
        statement = (
            select(Transaction)
            .where(*_conditions(charge_box_id, status, connector_id, id_tag, since, until))
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
    ) -> int:
        statement = (
            select(func.count())
            .select_from(Transaction)
            .where(*_conditions(charge_box_id, status, connector_id, id_tag, since, until))
        )
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def count_active_for_tag(self, id_tag: str, *, excluding: int | None = None) -> int:
        """How many active transactions, on any station, were started by ``id_tag``; the
        transaction with row key ``excluding`` (``Transaction.id``) does not count."""
        statement = (
            select(func.count())
            .select_from(Transaction)
            .where(Transaction.status == TransactionStatus.ACTIVE, Transaction.id_tag == id_tag)
        )
        if excluding is not None:
            statement = statement.where(Transaction.id != excluding)
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def find(
        self, transaction_id: str | int, *, charge_box_id: str | None = None
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
    ) -> tuple[Sequence[StationTransaction], int]:
        """:meth:`list`'s page (newest start first), each with its station's chargeBoxId, and
        the count of every match, both read in one transaction so that they agree."""
        limit, offset = page(limit, offset)
        conditions = _conditions(charge_box_id, status, None, None, None, None)
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

    async def latest_energy_wh(self, transaction_pks: Collection[int]) -> dict[int, float]:
        """The last Energy.Active.Import.Register reading received for each transaction (by
        row key, ``Transaction.id``), in Wh; transactions without one are left out. Only
        readings of the whole EVSE count (no ``phase``), as the meter start and stop are."""
        if not transaction_pks:
            return {}
        async with self._read() as session:
            return await _latest_registers(session, transaction_pks)

    async def sample_keys(
        self, charge_box_id: str, transaction_id: str | int | None = None
    ) -> tuple[int, int | None]:
        """The row keys a sample of this station (and transaction) refers to:
        ``(station pk, transaction pk or None)``, for writers that build ``meter_samples``
        rows themselves (:class:`~chargeyard.store.sample_writer.SampleWriter`).

        Raises:
            NotFoundError: no such station, or a ``transaction_id`` it does not have.
        """
        async with self._read() as session:
            pk = await station_pk(session, charge_box_id)
            if transaction_id is None:
                return pk, None
            transaction = await _find(session, pk, str(transaction_id))
        if transaction is None:
            raise NotFoundError("transaction", f"{charge_box_id}/{transaction_id}")
        return pk, transaction.id

    async def add_samples(
        self,
        charge_box_id: str,
        samples: Sequence[SampledValue],
        *,
        transaction_id: str | int | None = None,
        evse_id: int = 0,
        connector_id: int = 0,
        skip_kept: bool = False,
    ) -> int:
        """Store one message's sampled values in one multi-row insert; returns the count.

        With ``skip_kept``, a value of the transaction already kept at the same time with the
        same measurand, phase, location and context is not kept again: a transaction's
        summary (2.0.1 TransactionEvent Ended with TxEndedMeasurands, J02/E06; 1.6
        StopTransaction ``transactionData``, section 4.10) may repeat readings its earlier
        messages carried, Transaction.Begin first of all. Read and written in one unit of work.

        Raises:
            NotFoundError: no such station, or a ``transaction_id`` it does not have.
        """
        if not samples:
            return 0
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            transaction_pk = None
            if transaction_id is not None:
                transaction = await _find(session, pk, str(transaction_id))
                if transaction is None:
                    raise NotFoundError("transaction", f"{charge_box_id}/{transaction_id}")
                transaction_pk = transaction.id
                if skip_kept:
                    samples = await _not_kept(session, transaction_pk, samples)
                    if not samples:
                        return 0
            common = {
                "station_id": pk,
                "transaction_pk": transaction_pk,
                "evse_id": evse_id,
                "connector_id": connector_id,
            }
            rows = [{**common, **sample._asdict()} for sample in samples]
            await session.execute(insert(MeterSample), rows)
        return len(rows)

    async def samples(
        self,
        charge_box_id: str,
        transaction_id: str | int,
        *,
        measurand: str | None = None,
        limit: int = 1000,
    ) -> Sequence[MeterSample]:
        """A transaction's samples in time order, optionally of one measurand.

        Raises:
            NotFoundError: no such station or transaction.
        """
        limit, _ = page(limit)
        async with self._read() as session:
            transaction = await self._require(session, charge_box_id, transaction_id)
            statement = select(MeterSample).where(MeterSample.transaction_pk == transaction.id)
            if measurand is not None:
                statement = statement.where(MeterSample.measurand == measurand)
            statement = statement.order_by(MeterSample.sampled_at, MeterSample.id).limit(limit)
            return (await session.scalars(statement)).all()

    @staticmethod
    async def _require(
        session: AsyncSession, charge_box_id: str, transaction_id: str | int
    ) -> Transaction:
        transaction = await _find(
            session, await station_pk(session, charge_box_id), str(transaction_id)
        )
        if transaction is None:
            raise NotFoundError("transaction", f"{charge_box_id}/{transaction_id}")
        return transaction


_Reading = tuple[datetime, str, str | None, str | None, str | None]


def _reading(sample: SampledValue) -> _Reading:
    """What names one reading: two values with the same key are the same reading sent again."""
    return (sample.sampled_at, sample.measurand, sample.phase, sample.location, sample.context)


async def _not_kept(
    session: AsyncSession, transaction_pk: int, samples: Sequence[SampledValue]
) -> list[SampledValue]:
    """``samples`` less the readings the transaction already has (and less repeats within)."""
    times = {sample.sampled_at for sample in samples}
    statement = select(
        MeterSample.sampled_at,
        MeterSample.measurand,
        MeterSample.phase,
        MeterSample.location,
        MeterSample.context,
    ).where(MeterSample.transaction_pk == transaction_pk, MeterSample.sampled_at.in_(times))
    rows = (await session.execute(statement)).all()
    seen: set[_Reading] = {
        (at, measurand, phase, location, context)
        for at, measurand, phase, location, context in rows
    }
    fresh = []
    for sample in samples:
        key = _reading(sample)
        if key not in seen:
            seen.add(key)
            fresh.append(sample)
    return fresh


async def _latest_registers(
    session: AsyncSession, transaction_pks: Collection[int]
) -> dict[int, float]:
    newest = (
        select(func.max(MeterSample.id))
        .where(
            MeterSample.transaction_pk.in_(list(transaction_pks)),
            MeterSample.measurand == ENERGY_REGISTER,
            MeterSample.phase.is_(None),
        )
        .group_by(MeterSample.transaction_pk)
    )
    statement = select(MeterSample.transaction_pk, MeterSample.value, MeterSample.unit).where(
        MeterSample.id.in_(newest)
    )
    rows = (await session.execute(statement)).all()
    # 1.6 keeps the value in the unit the station named (Wh or kWh, section 7.31).
    return {pk: value * 1000 if unit == "kWh" else value for pk, value, unit in rows if pk}


async def _find(session: AsyncSession, station: int, transaction_id: str) -> Transaction | None:
    return await session.scalar(
        select(Transaction).where(
            Transaction.station_id == station, Transaction.transaction_id == transaction_id
        )
    )


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
