"""Keeping the meter samples one connected station reports (OCPP 1.6 MeterValues section 4.7,
StopTransaction transactionData; 2.0.1 MeterValues J01, TransactionEvent E02).

With the listener's :class:`~chargeyard.store.sample_writer.SampleWriter` in the context, the
rows go through its group commit: the handler still answers only after its rows are committed,
but many stations' messages share one transaction. The row keys the rows need (the station's,
the transaction's) are looked up once per connection and kept: a station sends hundreds of
samples per transaction. If the database refuses the rows (the station or the transaction was
deleted meanwhile), the keys are forgotten and the message takes the repository's path, which
says what is missing (:class:`~chargeyard.store.NotFoundError`). Without a writer (handlers
built outside the listener), every message is its own unit of work, as the repository does it.
"""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.csms.context import StationContext
from chargeyard.store.errors import IntegrityViolation
from chargeyard.store.repositories import SampledValue
from chargeyard.store.sample_writer import SampleRow

_KEPT_TRANSACTIONS = 16


class MeterSamples:
    """One connection's sample keeper; :meth:`add` behaves as the repository's
    ``TransactionRepository.add_samples``."""

    def __init__(self, context: StationContext) -> None:
        self._context = context
        self._station_pk: int | None = None
        self._transaction_pks: dict[str, int] = {}

    async def add(
        self,
        samples: Sequence[SampledValue],
        *,
        transaction_id: str | int | None = None,
        evse_id: int = 0,
        connector_id: int = 0,
        skip_kept: bool = False,
    ) -> int:
        """Store one message's sampled values; returns the count, once committed.
        ``skip_kept`` (a transaction's summary, which may repeat what was kept) reads before it
        writes, so it takes the repository's path.

        Raises:
            NotFoundError: no such station, or a ``transaction_id`` it does not have.
        """
        writer, transactions = self._context.sample_writer, self._context.store.transactions
        if not samples:
            return 0
        if writer is None or skip_kept:
            return await transactions.add_samples(
                self._context.identity,
                samples,
                transaction_id=transaction_id,
                evse_id=evse_id,
                connector_id=connector_id,
                skip_kept=skip_kept,
            )
        station, transaction = await self._keys(transaction_id)
        keys = (station, transaction, evse_id, connector_id)
        rows: list[SampleRow] = [keys + sample for sample in samples]
        try:
            await writer.write(rows)
        except IntegrityViolation:
            self._station_pk, self._transaction_pks = None, {}
            return await transactions.add_samples(
                self._context.identity,
                samples,
                transaction_id=transaction_id,
                evse_id=evse_id,
                connector_id=connector_id,
            )
        return len(rows)

    def opened(self, transaction_id: str, *, station_pk: int, transaction_pk: int) -> None:
        """The connection opened this transaction: its rows' keys are known without a lookup
        (a burst of starts is followed by a burst of first MeterValues)."""
        self._station_pk = station_pk
        self._remember(transaction_id, transaction_pk)

    def _remember(self, transaction_id: str, transaction_pk: int) -> None:
        if len(self._transaction_pks) >= _KEPT_TRANSACTIONS:
            self._transaction_pks.clear()  # a long-lived connection's old transactions
        self._transaction_pks[transaction_id] = transaction_pk

    async def _keys(self, transaction_id: str | int | None) -> tuple[int, int | None]:
        if transaction_id is None and self._station_pk is not None:
            return self._station_pk, None
        if transaction_id is not None and self._station_pk is not None:
            cached = self._transaction_pks.get(str(transaction_id))
            if cached is not None:
                return self._station_pk, cached
        station, transaction = await self._context.store.transactions.sample_keys(
            self._context.identity, transaction_id
        )
        self._station_pk = station
        if transaction is not None:
            self._remember(str(transaction_id), transaction)
        return station, transaction
