"""Charging transactions and their meter samples (read in ``transaction_queries.py``, samples
in ``transaction_samples.py``; every name stays importable from here).

Every call here commits before it returns: the CSMS answers StartTransaction/StopTransaction/
MeterValues (1.6) and TransactionEvent (2.0.1) only after the call returned, so a station that
got its answer can rely on the central system having kept what it reported (see
``chargeyard.store.engine`` for what "kept" means on SQLite).

Ids: ``transaction_id`` is the id the wire carries, as text; pass ints from 1.6 as they come.
:meth:`TransactionRepository.start` without a ``transaction_id`` is the 1.6 case and allocates
a number from the durable ``"transaction"`` counter (see ``models/transactions.py``). On SQLite
the counter moves in the transaction's own unit of work: the ids have no gaps. On PostgreSQL a
process takes :data:`ID_BLOCK` numbers at a time and hands them out itself: the counter row is
locked until the unit of work that moved it commits, so when every start took one, ten
thousand StartTransactions from a fleet's charging tenth queued on that lock across every
central system node (a holder descheduled on a busy machine held them all), and stations gave
up after three 30 s attempts. The ids stay unique and increasing within a process; a process
that stops leaves the rest of its block unused (1.6 asks only for a unique integer,
section 6.46).
Re-sent messages are idempotent where OCPP lets a station re-send them: starting a 2.0.1
transaction id that exists returns the existing row, stopping a completed one returns it as is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy import update as sa_update

from chargeyard.store.engine import Sessions, is_sqlite
from chargeyard.store.models import CsmsCloseReason, Transaction, TransactionStatus
from chargeyard.store.repositories._base import (
    STATION_PK,
    UNSET,
    Unset,
    changes,
    next_counter_value,
    station_pk,
)
from chargeyard.store.repositories.transaction_queries import (
    StationTransaction,
    TransactionQueries,
    find_by_wire_id,
    require_transaction,
)
from chargeyard.store.repositories.transaction_samples import (
    ENERGY_REGISTER,
    SampledValue,
    TransactionSamples,
    latest_registers,
)

TRANSACTION_COUNTER = "transaction"

ID_BLOCK = 100
"""1.6 transaction ids a process takes from the counter at a time, on PostgreSQL."""

CSMS_STOP_REASON = "Other"
"""The stop reason of a transaction the central system closed (:meth:`close_orphans`)."""


_NOTE_SEQ_NO = (
    sa_update(Transaction)
    .where(
        Transaction.station_id == STATION_PK.scalar_subquery(),
        Transaction.transaction_id == bindparam("wire_id"),
        Transaction.last_seq_no.is_(None) | (Transaction.last_seq_no < bindparam("seq_no")),
    )
    .values(last_seq_no=bindparam("seq_no"))
    .execution_options(synchronize_session=False)
)
"""Every TransactionEvent's last write, in one statement (built once, as ``STATION_PK``;
``wire_id``: an update's parameter may not take a column's name)."""


class TransactionRepository(TransactionQueries, TransactionSamples):
    """Charging transactions: opened, updated and closed here (see the module docstring); read
    by :class:`TransactionQueries`, their meter samples by :class:`TransactionSamples`."""

    def __init__(self, sessions: Sessions) -> None:
        super().__init__(sessions)
        # This process's block of 1.6 ids on PostgreSQL: next to hand out, and the end.
        self._id_next = self._id_end = 0
        self._id_lock = asyncio.Lock()

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
        allocated = transaction_id is None and not is_sqlite(self._sessions.engine)
        if allocated:
            transaction_id = await self._next_id()
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            if transaction_id is None:
                transaction_id = await next_counter_value(session, TRANSACTION_COUNTER)
            elif not allocated:
                existing = await find_by_wire_id(session, pk, str(transaction_id))
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

    async def _next_id(self) -> int:
        """The next 1.6 transaction id of this process's block, taking a new block of
        :data:`ID_BLOCK` from the counter (in a unit of work of its own) when it is used up."""
        async with self._id_lock:
            if self._id_next >= self._id_end:
                async with self._write() as session:
                    last = await next_counter_value(session, TRANSACTION_COUNTER, ID_BLOCK)
                self._id_next, self._id_end = last - ID_BLOCK + 1, last + 1
            value = self._id_next
            self._id_next += 1
            return value

    async def note_seq_no(self, charge_box_id: str, transaction_id: str, seq_no: int) -> None:
        """Record that the 2.0.1 TransactionEvent ``seq_no`` of a transaction is stored (the
        highest one is kept), after what it reported is: a copy re-sent after its answer was
        lost (E13) is then recognised by it. A crash in between makes a copy stored twice
        rather than lost.

        Raises:
            NotFoundError: no such station.
        """
        async with self._write() as session:
            noted = await session.execute(
                _NOTE_SEQ_NO,
                {"charge_box_id": charge_box_id, "wire_id": transaction_id, "seq_no": seq_no},
            )
            if not getattr(noted, "rowcount", 0):
                await station_pk(session, charge_box_id)  # raises NotFoundError: no such station

    async def start_once(
        self,
        charge_box_id: str,
        *,
        connector_id: int,
        meter_start_wh: float,
        started_at: datetime,
        id_tag: str | None,
        remote_started: Callable[[], bool] = lambda: False,
    ) -> tuple[Transaction, bool]:
        """Open a 1.6 transaction, unless a start with exactly these facts opened one already:
        then that one. Returns the transaction and whether it is new. A 1.6 StartTransaction
        re-sent after its answer was lost (TransactionMessageAttempts, section 4.10) names no
        id, so its facts are its identity. Looked for and opened in one unit of work;
        ``remote_started`` is asked only when a transaction is opened.

        Raises:
            NotFoundError: no such station.
        """
        # Taken before the unit of work: a new block takes a unit of its own (_next_id), and
        # one unit waiting on another's connection could exhaust the pool. A copy leaves its
        # number unused, as a stopping process leaves its block's rest.
        transaction_id = None if is_sqlite(self._sessions.engine) else await self._next_id()
        async with self._write() as session:
            pk = await station_pk(session, charge_box_id)
            same = (
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
            existing = (await session.scalars(same)).first()
            if existing is not None:
                return existing, False
            if transaction_id is None:
                transaction_id = await next_counter_value(session, TRANSACTION_COUNTER)
            transaction = Transaction(
                transaction_id=str(transaction_id),
                station_id=pk,
                evse_id=0,
                connector_id=connector_id,
                id_tag=id_tag,
                meter_start_wh=meter_start_wh,
                started_at=started_at,
                remote_started=remote_started(),
                status=TransactionStatus.ACTIVE,
            )
            session.add(transaction)
        return transaction, True

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
            transaction = await require_transaction(session, charge_box_id, transaction_id)
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
            transaction = await require_transaction(session, charge_box_id, transaction_id)
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
            registers = await latest_registers(session, [t.id for t in stale])
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


__all__ = [
    "CSMS_STOP_REASON",
    "ENERGY_REGISTER",
    "TRANSACTION_COUNTER",
    "SampledValue",
    "StationTransaction",
    "TransactionRepository",
]
