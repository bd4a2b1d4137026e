"""Stations as the CSMS and the API see them: registration, boot facts, presence.

A station belongs to one organization (``Station``). The API names the caller's organization
in every query (``organization_id``): a station of another organization is not found. The
central system itself, which knows a station by the identity it connected with, leaves it out
(``None``: whatever organization).

Presence (``is_online``) is written by the listener when a WebSocket opens or closes. After a
crash nobody wrote "offline": a central system alone on its store calls
:meth:`StationRepository.mark_all_offline` when it starts, before it accepts connections; in a
cluster, the node that finds another's presence expired marks that node's stations
(:meth:`StationRepository.mark_offline`, ``csms/cluster/redis_presence.py``).
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Delete, Select, Update, delete, func, select, update

from chargeyard.protocol import VersionSpec
from chargeyard.store import station_writer
from chargeyard.store.engine import Sessions
from chargeyard.store.errors import ConflictError, NotFoundError
from chargeyard.store.hashing import hash_password, verify_secret
from chargeyard.store.models import DEFAULT_ORGANIZATION_ID, Station
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page
from chargeyard.store.repositories._station_owners import StationOwners
from chargeyard.store.types import utc_now

_PRESENCE_BATCH = 1_000
"""Stations per statement when a node's stations are marked at once (a bound on the SQL's
parameters: SQLite's default limit is 32,766)."""


class StationRepository(Repository):
    def __init__(self, sessions: Sessions) -> None:
        super().__init__(sessions)
        self._owners = StationOwners()

    async def register(
        self,
        charge_box_id: str,
        *,
        name: str | None = None,
        location: str | None = None,
        password: str | None = None,
        ocpp_version: VersionSpec | None = None,
        organization_id: str = DEFAULT_ORGANIZATION_ID,
    ) -> Station:
        """Add a station the operator expects, in ``organization_id``.

        Raises:
            ConflictError: a station with this chargeBoxId exists (in any organization: the
                identity is the central system's, see ``Station``).
        """
        password_hash = await _hash(password)
        station = Station(
            charge_box_id=charge_box_id,
            organization_id=organization_id,
            name=name,
            location=location,
            password_hash=password_hash,
            ocpp_version=ocpp_version,
        )
        async with self._write() as session:
            session.add(station)
        self._owners.forget(charge_box_id)
        return station

    async def get(
        self, charge_box_id: str, *, organization_id: str | None = None
    ) -> Station | None:
        statement = select(Station).where(Station.charge_box_id == charge_box_id)
        async with self._read() as session:
            station: Station | None = await session.scalar(_owned_by(statement, organization_id))
        return station

    async def organization_of(self, charge_box_id: str) -> str | None:
        """The organization the station belongs to; None if it is not registered. Read once
        in :data:`~chargeyard.store.repositories._station_owners.OWNER_TTL` seconds
        (``_station_owners.py`` says why, and what that means for a cluster)."""
        known = self._owners.get(charge_box_id)
        if known is not None:
            return known
        statement = select(Station.organization_id).where(Station.charge_box_id == charge_box_id)
        async with self._read() as session:
            organization_id: str | None = await session.scalar(statement)
        if organization_id is not None:
            self._owners.add(charge_box_id, organization_id)
        return organization_id

    def connected(self, charge_box_id: str, organization_id: str) -> None:
        """The listener of this process admitted the station, of ``organization_id``: its
        organization is known until :meth:`disconnected` (``_station_owners.py``)."""
        self._owners.hold(charge_box_id, organization_id)

    def disconnected(self, charge_box_id: str) -> None:
        """The station's connection to this process's listener closed."""
        self._owners.forget(charge_box_id)

    async def move(
        self, charge_box_ids: Sequence[str], *, from_organization: str, to_organization: str
    ) -> builtins.list[str]:
        """Give those of ``charge_box_ids`` that are ``from_organization``'s to
        ``to_organization``, with their history (a platform's own doing, for stations that
        joined the wrong organization as they connected: no API route moves a station);
        returns the chargeBoxIds moved. Meant for stations not connected at the moment: a
        connected one's organization is the one it was admitted with until it reconnects."""
        ids = sorted(set(charge_box_ids))
        moved: builtins.list[str] = []
        async with self._write() as session:
            for start in range(0, len(ids), 500):  # bound the IN list
                moved += (
                    await session.scalars(
                        update(Station)
                        .where(
                            Station.organization_id == from_organization,
                            Station.charge_box_id.in_(ids[start : start + 500]),
                        )
                        .values(organization_id=to_organization, updated_at=utc_now())
                        .returning(Station.charge_box_id)
                    )
                ).all()
        for charge_box_id in moved:
            self._owners.forget(charge_box_id)
        return sorted(moved)

    async def list(
        self,
        *,
        online: bool | None = None,
        limit: int = 50,
        offset: int = 0,
        organization_id: str | None = None,
    ) -> Sequence[Station]:
        """Stations by chargeBoxId, optionally only those online (True) or offline (False)."""
        limit, offset = page(limit, offset)
        statement = select(Station).order_by(Station.charge_box_id).limit(limit).offset(offset)
        if online is not None:
            statement = statement.where(Station.is_online == online)
        async with self._read() as session:
            return (await session.scalars(_owned_by(statement, organization_id))).all()

    async def count(self, *, online: bool | None = None, organization_id: str | None = None) -> int:
        statement = select(func.count()).select_from(Station)
        if online is not None:
            statement = statement.where(Station.is_online == online)
        async with self._read() as session:
            count: int = (await session.execute(_owned_by(statement, organization_id))).scalar_one()
        return count

    async def update(
        self,
        charge_box_id: str,
        *,
        name: str | Unset | None = UNSET,
        location: str | Unset | None = UNSET,
        organization_id: str | None = None,
    ) -> Station:
        """Change what the operator says about a station (not what the station reports).

        Raises:
            NotFoundError: no such station (in ``organization_id``, when given).
        """
        return await self._update(
            charge_box_id, changes(name=name, location=location), organization_id
        )

    async def set_registration(
        self,
        charge_box_id: str,
        status: str | None,
        pending_calls: builtins.list[dict[str, Any]] | None = None,
        *,
        organization_id: str | None = None,
    ) -> Station:
        """Set how the station's boots are answered (None: the central system's default) and
        the CALLs sent to it when that is Pending (``csms/registration.py``).

        Raises:
            NotFoundError: no such station (in ``organization_id``, when given).
        """
        calls = pending_calls if status == "Pending" and pending_calls else None
        values: dict[str, object] = {"registration": status, "pending_calls": calls}
        return await self._update(charge_box_id, values, organization_id)

    async def registration_of(
        self, charge_box_id: str
    ) -> tuple[str | None, builtins.list[dict[str, Any]] | None]:
        """The station's own registration status and pending calls ((None, None): none, or no
        such station)."""
        statement = select(Station.registration, Station.pending_calls).where(
            Station.charge_box_id == charge_box_id
        )
        async with self._read() as session:
            row = (await session.execute(statement)).one_or_none()
        return (None, None) if row is None else (row[0], row[1])

    async def accept_pending(self, charge_box_id: str) -> bool:
        """Make a Pending registration Accepted (its pending calls were answered); whether it
        was still Pending (an operator may have changed it meanwhile)."""
        statement = (
            update(Station)
            .where(Station.charge_box_id == charge_box_id, Station.registration == "Pending")
            .values(registration="Accepted", pending_calls=None, updated_at=utc_now())
        )
        async with self._write() as session:
            result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def set_password(self, charge_box_id: str, password: str | None) -> None:
        """Set (or with None remove) the station's HTTP Basic password; stored hashed."""
        await self._update(charge_box_id, {"password_hash": await _hash(password)})

    async def verify_password(self, charge_box_id: str, password: str) -> bool:
        """Whether ``password`` is the station's; False if it has none or does not exist."""
        station = await self.get(charge_box_id)
        if station is None or station.password_hash is None:
            return False
        return await asyncio.to_thread(verify_secret, password, station.password_hash)

    async def keep_first_password(
        self, charge_box_id: str, password_hash: str, *, organization_id: str
    ) -> str:
        """Give the station ``password_hash`` if it has no password yet, registering it in
        ``organization_id`` if the store does not know it; returns the station's password hash
        afterwards: ``password_hash``, or the one another caller set first (of two at once,
        one sets it and the other reads it)."""
        for attempt in range(2):
            try:
                return await self._keep_first_password(
                    charge_box_id, password_hash, organization_id
                )
            except ConflictError:  # registered by another caller between the read and the add
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _keep_first_password(
        self, charge_box_id: str, password_hash: str, organization_id: str
    ) -> str:
        named = Station.charge_box_id == charge_box_id
        async with self._write() as session:
            if await session.scalar(select(Station.id).where(named)) is None:
                session.add(
                    Station(
                        charge_box_id=charge_box_id,
                        organization_id=organization_id,
                        password_hash=password_hash,
                    )
                )
                await session.flush()
            else:
                # Only where none is set: of two callers, the second finds the first's.
                await session.execute(
                    update(Station)
                    .where(named, Station.password_hash.is_(None))
                    .values(password_hash=password_hash, updated_at=utc_now())
                )
            stored: str | None = await session.scalar(select(Station.password_hash).where(named))
        self._owners.forget(charge_box_id)
        return password_hash if stored is None else stored

    async def update_boot_info(
        self,
        charge_box_id: str,
        *,
        vendor: str,
        model: str,
        registration_status: str,
        serial_number: str | None = None,
        firmware_version: str | None = None,
    ) -> Station:
        """Keep what a BootNotification reported and how it was answered."""
        facts = station_writer.boot_facts(
            charge_box_id,
            vendor=vendor,
            model=model,
            serial_number=serial_number,
            firmware_version=firmware_version,
            registration_status=registration_status,
        )
        return await self._written(facts)

    async def heartbeat(self, charge_box_id: str, at: datetime | None = None) -> Station:
        """Note a Heartbeat (the station is evidently online)."""
        return await self._written(station_writer.heartbeat(charge_box_id, at or utc_now()))

    async def set_online(
        self,
        charge_box_id: str,
        *,
        ocpp_version: VersionSpec,
        at: datetime | None = None,
        create: bool = True,
    ) -> Station:
        """Mark the station connected (speaking ``ocpp_version``), adding it first if it is
        unknown and ``create`` is true (whether unknown stations are welcome is the CSMS's
        policy, not the store's).

        Raises:
            NotFoundError: the station is unknown and ``create`` is false.
        """
        online = station_writer.online(charge_box_id, ocpp_version, at or utc_now(), create=create)
        return await self._written(online)

    async def set_offline(self, charge_box_id: str) -> Station:
        return await self._written(station_writer.offline(charge_box_id))

    async def mark_all_offline(self) -> int:
        """Mark every station offline; returns how many were online."""
        async with self._write() as session:
            connection = await session.connection()
            result = await connection.execute(
                update(Station)
                .where(Station.is_online.is_(True))
                .values(is_online=False, updated_at=utc_now())
            )
            return result.rowcount

    async def mark_offline(self, identities: Sequence[str], *, connected_before: datetime) -> int:
        """Mark ``identities`` offline, but a station that connected at ``connected_before`` or
        later (to another node, since); returns how many were online."""
        marked = 0
        for start in range(0, len(identities), _PRESENCE_BATCH):
            async with self._write() as session:
                connection = await session.connection()
                result = await connection.execute(
                    update(Station)
                    .where(
                        Station.charge_box_id.in_(identities[start : start + _PRESENCE_BATCH]),
                        Station.is_online.is_(True),
                        (Station.connected_at.is_(None))
                        | (Station.connected_at < connected_before),
                    )
                    .values(is_online=False, updated_at=utc_now())
                )
                marked += result.rowcount
        return marked

    async def mark_online(self, identities: Sequence[str]) -> int:
        """Mark ``identities`` online again (their node came back); returns how many were
        offline."""
        marked = 0
        for start in range(0, len(identities), _PRESENCE_BATCH):
            async with self._write() as session:
                connection = await session.connection()
                result = await connection.execute(
                    update(Station)
                    .where(
                        Station.charge_box_id.in_(identities[start : start + _PRESENCE_BATCH]),
                        Station.is_online.is_(False),
                    )
                    .values(is_online=True, updated_at=utc_now())
                )
                marked += result.rowcount
        return marked

    async def delete(self, charge_box_id: str, *, organization_id: str | None = None) -> None:
        """Remove a station and, by cascade, its connectors, transactions, samples and data
        transfers. Its frames stay in the frame log, which is keyed by identity.

        Raises:
            NotFoundError: no such station (in ``organization_id``, when given).
        """
        statement = delete(Station).where(Station.charge_box_id == charge_box_id)
        async with self._write() as session:
            deleted = await session.scalar(
                _owned_by(statement, organization_id).returning(Station.id)
            )
        self._owners.forget(charge_box_id)
        if deleted is None:
            raise NotFoundError("station", charge_box_id)

    async def _written(self, fact: station_writer.StationChange) -> Station:
        """Write ``fact`` with the statements the central system's group commit uses (one
        unit of work of its own here), and return the station as it now is."""
        await station_writer.write_now(self._sessions.engine, [fact])
        station = await self.get(fact.identity)
        if station is None:  # deleted in between
            raise NotFoundError("station", fact.identity)
        return station

    async def _update(
        self, charge_box_id: str, values: dict[str, object], organization_id: str | None = None
    ) -> Station:
        statement = update(Station).where(Station.charge_box_id == charge_box_id)
        async with self._write() as session:
            station: Station | None = await session.scalar(
                _owned_by(statement, organization_id)
                .values(**values, updated_at=utc_now())
                .returning(Station),
                execution_options={"populate_existing": True},
            )
        if station is None:
            raise NotFoundError("station", charge_box_id)
        return station


_Statement = TypeVar("_Statement", Select[Any], Update, Delete)


def _owned_by(statement: _Statement, organization_id: str | None) -> _Statement:
    """``statement`` narrowed to one organization's stations (all of them for None)."""
    if organization_id is None:
        return statement
    return statement.where(Station.organization_id == organization_id)


async def _hash(password: str | None) -> str | None:
    # scrypt takes ~50 ms of CPU: off the event loop.
    return None if password is None else await asyncio.to_thread(hash_password, password)
