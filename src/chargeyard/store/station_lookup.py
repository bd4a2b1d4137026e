"""Looking up the stations that are connecting, many in one query.

A central system reads a station's row when its WebSocket handshake arrives: whether it is
known, its password hash (security profile 1), what it last connected and booted as, and
whether it has a transaction open (``csms/known.py``). When thousands of stations connect at
once (a node restarted, a network came back), one query each is most of what a handshake
costs. :class:`StationLookup` queues the identities asked for and answers them with one
``SELECT ... WHERE charge_box_id IN (...)`` per batch, the way
:class:`~chargeyard.store.station_writer.StationWriter` commits their writes
(``group_commit.py``). Under light load a batch holds one identity and costs what one query
always did.

Without a running lookup, :func:`read_connecting` answers at once with the same query.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, exists, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chargeyard.protocol import VersionSpec
from chargeyard.store.engine import reading
from chargeyard.store.group_commit import GroupCommit
from chargeyard.store.models import Station, Transaction, TransactionStatus
from chargeyard.store.spelling import ONE_OF, one_of_texts_param

_STATIONS: Table = Station.__table__  # type: ignore[assignment]  # a Table, typed FromClause
_TRANSACTIONS: Table = Transaction.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ConnectingStation:
    """What a central system needs of a station as it connects."""

    identity: str
    organization_id: str
    password_hash: str | None
    ocpp_version: VersionSpec | None
    vendor: str | None
    model: str | None
    open_transactions: bool
    # The last BootNotification answer (None: never booted).
    registration_status: str | None = None
    # The registration an operator set (None: the central system's default) and the calls
    # made while it is Pending (csms/registration.py), read with the rest so that the
    # connection's first boot asks nothing of the store.
    registration: str | None = None
    pending_calls: tuple[dict[str, Any], ...] | None = None


async def read_connecting(
    engine: AsyncEngine, identities: Collection[str]
) -> dict[str, ConnectingStation]:
    """The stations among ``identities`` the store knows, by identity (``engine``: the
    store's, or its :func:`~chargeyard.store.engine.reading` form, which the lookup makes once
    rather than per query)."""
    if not identities:
        return {}
    statement = _lookup(engine.dialect.name)
    async with engine.connect() as connection:
        rows = await connection.execute(statement, {ONE_OF: list(identities)})
        return {
            row.charge_box_id: ConnectingStation(
                row.charge_box_id,
                row.organization_id,
                row.password_hash,
                row.ocpp_version,
                row.vendor,
                row.model,
                bool(row.open_transactions),
                row.registration_status,
                row.registration,
                None if row.pending_calls is None else tuple(row.pending_calls),
            )
            for row in rows
        }


@functools.lru_cache(maxsize=4)
def _lookup(dialect: str) -> Any:
    """The lookup's statement, built once per dialect (its identities come as
    :data:`~chargeyard.store.spelling.ONE_OF`)."""
    active = (
        exists()
        .where(_TRANSACTIONS.c.station_id == _STATIONS.c.id)
        .where(_TRANSACTIONS.c.status == TransactionStatus.ACTIVE)
    )
    return select(
        _STATIONS.c.charge_box_id,
        _STATIONS.c.organization_id,
        _STATIONS.c.password_hash,
        _STATIONS.c.ocpp_version,
        _STATIONS.c.vendor,
        _STATIONS.c.model,
        active.label("open_transactions"),
        _STATIONS.c.registration_status,
        _STATIONS.c.registration,
        _STATIONS.c.pending_calls,
    ).where(one_of_texts_param(_STATIONS.c.charge_box_id, dialect))


LINGER_S = 0.03
"""How long a busy lookup waits at most for more handshakes before its query (as long as its
last query took, up to this: ``group_commit.py``). A boot storm over six CSMS nodes on two
cores queried about 11 identities at a time; with the wait the nodes spent about a tenth less
CPU on the boot. A handshake waits for its lookup, so under load a connection may open up to
this much later."""


class StationLookup(GroupCommit[str, ConnectingStation | None]):
    """Answers :meth:`get` for many identities with one query (``group_commit.py``; the module
    docstring says why).

    Args:
        engine: the store's engine.
        max_batch: identities per query at most.
        linger_s: how long a busy lookup waits for more identities (:data:`LINGER_S`).
    """

    def __init__(
        self, engine: AsyncEngine, *, max_batch: int = 1_000, linger_s: float = LINGER_S
    ) -> None:
        # Waiters all woken at once: what a handshake does next (a check, the 101 answer) is
        # small beside what a station's message handler does.
        super().__init__(
            "station lookup",
            max_size=max_batch,
            max_size_name="max_batch",
            wake_slice=max_batch,
            linger_s=linger_s,
        )
        self._engine = reading(engine)

    @property
    def queries(self) -> int:
        """Queries made so far (the batches)."""
        return self.batches

    async def get(self, identity: str) -> ConnectingStation | None:
        """The station named ``identity``, or None if the store does not know it (queried on
        its own when the lookup is not running)."""
        if not self.running:
            return (await read_connecting(self._engine, [identity])).get(identity)
        return await self._submit(identity)

    async def _handle(self, items: Sequence[str]) -> list[ConnectingStation | None]:
        found = await read_connecting(self._engine, set(items))
        return [found.get(identity) for identity in items]
