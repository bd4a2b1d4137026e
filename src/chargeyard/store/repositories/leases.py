"""The leases of the gateway's workers: which worker runs which durable charger, each lease
renewed by its holder before it expires (``gateway/leases.py`` keeps them).

A charger is taken when it wants to run and nobody holds a live lease on it: never held, its
holder's lease expired (the holder died or lost the database), or released. Taking is one
statement per batch (``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` the lease expired), so two
workers taking at once never both get a charger: the row lock of the conflicting insert
decides, and the loser's ``WHERE`` finds the lease live.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from chargeyard.store.models import ChargerLease, DesiredState, FleetWorker, SimulatedCharger
from chargeyard.store.repositories._base import Repository, upsert


class LeaseRepository(Repository):
    async def beat(self, worker: str, *, until: datetime) -> None:
        """``worker`` is alive until ``until``."""
        async with self._write() as session:
            await session.execute(
                upsert(
                    session,
                    FleetWorker,
                    {"name": worker, "seen_until": until},
                    ["name"],
                    {"seen_until": until},
                )
            )

    async def live_workers(self, now: datetime) -> int:
        """Workers whose last beat has not run out at ``now``."""
        statement = select(func.count()).where(FleetWorker.seen_until > now)
        async with self._read() as session:
            return int(await session.scalar(statement) or 0)

    async def leave(self, worker: str) -> None:
        """``worker`` stops: its beat and its leases go (its chargers are free at once)."""
        async with self._write() as session:
            await session.execute(delete(ChargerLease).where(ChargerLease.worker == worker))
            await session.execute(delete(FleetWorker).where(FleetWorker.name == worker))

    async def running_wanted(self) -> int:
        """Chargers that want to run, in every organization."""
        statement = select(func.count()).where(
            SimulatedCharger.desired_state == DesiredState.RUNNING
        )
        async with self._read() as session:
            return int(await session.scalar(statement) or 0)

    async def renew(self, worker: str, *, until: datetime, now: datetime) -> set[str]:
        """Extend ``worker``'s live leases to ``until``; returns the chargers it still holds (a
        lease that ran out may have been taken by another worker meanwhile: not returned)."""
        statement = (
            update(ChargerLease)
            .where(ChargerLease.worker == worker, ChargerLease.expires_at > now)
            .values(expires_at=until)
            .returning(ChargerLease.charger_id)
        )
        async with self._write() as session:
            return set((await session.scalars(statement)).all())

    async def take(
        self,
        worker: str,
        *,
        now: datetime,
        until: datetime,
        limit: int,
        charger_ids: Sequence[str] | None = None,
    ) -> list[SimulatedCharger]:
        """Lease to ``worker`` until ``until`` at most ``limit`` chargers that want to run and
        that nobody holds at ``now``, oldest first; returns them. With ``charger_ids``, only
        among those, and the ones ``worker`` holds already count as taken (their leases
        extended)."""
        if limit <= 0:
            return []
        # Free: never leased, or its lease ran out; with ``charger_ids``, also one of this
        # worker's own (a start asked of the worker that runs the charger already).
        takeable = (ChargerLease.charger_id.is_(None)) | (ChargerLease.expires_at <= now)
        if charger_ids is not None:
            takeable = takeable | (ChargerLease.worker == worker)
        free = (
            select(
                SimulatedCharger.id,
                literal(worker, ChargerLease.worker.type),
                literal(until, ChargerLease.expires_at.type),
            )
            .outerjoin(ChargerLease, ChargerLease.charger_id == SimulatedCharger.id)
            .where(SimulatedCharger.desired_state == DesiredState.RUNNING, takeable)
            .order_by(SimulatedCharger.created_at, SimulatedCharger.id)
            .limit(limit)
        )
        if charger_ids is not None:
            free = free.where(SimulatedCharger.id.in_(list(charger_ids)))
        async with self._write() as session:
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            rows = insert(ChargerLease).from_select(["charger_id", "worker", "expires_at"], free)
            # Another worker's live lease is left alone: only an expired one changes hands (and
            # one of this worker's own is extended).
            taking = rows.on_conflict_do_update(
                index_elements=["charger_id"],
                set_={"worker": worker, "expires_at": until},
                where=(ChargerLease.expires_at <= now) | (ChargerLease.worker == worker),
            ).returning(ChargerLease.charger_id)
            taken = set((await session.scalars(taking)).all())
            if not taken:
                return []
            chargers = await session.scalars(
                select(SimulatedCharger)
                .where(SimulatedCharger.id.in_(taken))
                .order_by(SimulatedCharger.created_at, SimulatedCharger.id)
            )
            return list(chargers.all())

    async def release(self, worker: str, charger_ids: Sequence[str]) -> None:
        """``worker`` gives up these chargers (stopped, removed)."""
        if not charger_ids:
            return
        async with self._write() as session:
            await session.execute(
                delete(ChargerLease).where(
                    ChargerLease.worker == worker, ChargerLease.charger_id.in_(list(charger_ids))
                )
            )

    async def holder(self, charger_id: str, now: datetime) -> str | None:
        """The worker holding a live lease on ``charger_id``, if any."""
        statement = select(ChargerLease.worker).where(
            ChargerLease.charger_id == charger_id, ChargerLease.expires_at > now
        )
        async with self._read() as session:
            return await session.scalar(statement)
