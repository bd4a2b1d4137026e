"""The meter samples of charging transactions (1.6 MeterValues and StopTransaction
``transactionData``, 2.0.1 TransactionEvent ``meterValue``): kept in one multi-row insert per
message, read back in time order, and the last energy register of each transaction.

:class:`TransactionSamples` is the samples' side of
:class:`~chargeyard.store.repositories.transactions.TransactionRepository`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.store.errors import NotFoundError
from chargeyard.store.models import MeterSample
from chargeyard.store.repositories._base import Repository, page, station_pk
from chargeyard.store.repositories.transaction_power import latest_power
from chargeyard.store.repositories.transaction_queries import find_by_wire_id, require_transaction

ENERGY_REGISTER = "Energy.Active.Import.Register"


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


class TransactionSamples(Repository):
    """Meter samples, kept and read by their station and transaction."""

    async def latest_energy_wh(self, transaction_pks: Collection[int]) -> dict[int, float]:
        """The last Energy.Active.Import.Register reading received for each transaction (by
        row key, ``Transaction.id``), in Wh; transactions without one are left out. Only
        readings of the whole EVSE count (no ``phase``), as the meter start and stop are."""
        if not transaction_pks:
            return {}
        async with self._read() as session:
            return await latest_registers(session, transaction_pks)

    async def latest_power_w(self, transaction_pks: Collection[int]) -> dict[int, float]:
        """The power of each transaction now, in W, as its latest meter values tell (the
        last Power.Active.Import, else derived from the last two energy registers: see
        :mod:`~chargeyard.store.repositories.transaction_power`); transactions whose values
        tell none are left out."""
        if not transaction_pks:
            return {}
        async with self._read() as session:
            return await latest_power(session, transaction_pks)

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
            transaction = await find_by_wire_id(session, pk, str(transaction_id))
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
                transaction = await find_by_wire_id(session, pk, str(transaction_id))
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
            transaction = await require_transaction(session, charge_box_id, transaction_id)
            statement = select(MeterSample).where(MeterSample.transaction_pk == transaction.id)
            if measurand is not None:
                statement = statement.where(MeterSample.measurand == measurand)
            statement = statement.order_by(MeterSample.sampled_at, MeterSample.id).limit(limit)
            return (await session.scalars(statement)).all()


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


async def latest_registers(
    session: AsyncSession, transaction_pks: Collection[int]
) -> dict[int, float]:
    """The last whole-EVSE energy register of each transaction in ``transaction_pks``, in Wh."""
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


__all__ = ["ENERGY_REGISTER", "SampledValue", "TransactionSamples", "latest_registers"]
