"""Stations as the CSMS and the API see them: registration, boot facts, presence.

Presence (``is_online``) is written by the listener when a WebSocket opens or closes. After a
crash nobody wrote "offline", so the CSMS calls :meth:`StationRepository.mark_all_offline` when
it starts, before it accepts connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from chargeyard.store import station_writer
from chargeyard.store.errors import NotFoundError
from chargeyard.store.hashing import hash_secret, verify_secret
from chargeyard.store.models import Station
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page
from chargeyard.store.types import utc_now


class StationRepository(Repository):
    async def register(
        self,
        charge_box_id: str,
        *,
        name: str | None = None,
        location: str | None = None,
        password: str | None = None,
        ocpp_version: str | None = None,
    ) -> Station:
        """Add a station the operator expects.

        Raises:
            ConflictError: a station with this chargeBoxId exists.
        """
        password_hash = await _hash(password)
        station = Station(
            charge_box_id=charge_box_id,
            name=name,
            location=location,
            password_hash=password_hash,
            ocpp_version=ocpp_version,
        )
        async with self._write() as session:
            session.add(station)
        return station

    async def get(self, charge_box_id: str) -> Station | None:
        async with self._read() as session:
            return await session.scalar(
                select(Station).where(Station.charge_box_id == charge_box_id)
            )

    async def list(
        self, *, online: bool | None = None, limit: int = 50, offset: int = 0
    ) -> Sequence[Station]:
        """Stations by chargeBoxId, optionally only those online (True) or offline (False)."""
        limit, offset = page(limit, offset)
        statement = select(Station).order_by(Station.charge_box_id).limit(limit).offset(offset)
        if online is not None:
            statement = statement.where(Station.is_online == online)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def count(self, *, online: bool | None = None) -> int:
        statement = select(func.count()).select_from(Station)
        if online is not None:
            statement = statement.where(Station.is_online == online)
        async with self._read() as session:
            return (await session.execute(statement)).scalar_one()

    async def update(
        self,
        charge_box_id: str,
        *,
        name: str | Unset | None = UNSET,
        location: str | Unset | None = UNSET,
    ) -> Station:
        """Change what the operator says about a station (not what the station reports)."""
        return await self._update(charge_box_id, changes(name=name, location=location))

    async def set_password(self, charge_box_id: str, password: str | None) -> None:
        """Set (or with None remove) the station's HTTP Basic password; stored hashed."""
        await self._update(charge_box_id, {"password_hash": await _hash(password)})

    async def verify_password(self, charge_box_id: str, password: str) -> bool:
        """Whether ``password`` is the station's; False if it has none or does not exist."""
        station = await self.get(charge_box_id)
        if station is None or station.password_hash is None:
            return False
        return await asyncio.to_thread(verify_secret, password, station.password_hash)

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
        ocpp_version: str,
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

    async def delete(self, charge_box_id: str) -> None:
        """Remove a station and, by cascade, its connectors, transactions, samples and data
        transfers. Its frames stay in the frame log, which is keyed by identity."""
        async with self._write() as session:
            deleted = await session.scalar(
                delete(Station).where(Station.charge_box_id == charge_box_id).returning(Station.id)
            )
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

    async def _update(self, charge_box_id: str, values: dict[str, object]) -> Station:
        async with self._write() as session:
            station: Station | None = await session.scalar(
                update(Station)
                .where(Station.charge_box_id == charge_box_id)
                .values(**values, updated_at=utc_now())
                .returning(Station),
                execution_options={"populate_existing": True},
            )
        if station is None:
            raise NotFoundError("station", charge_box_id)
        return station


async def _hash(password: str | None) -> str | None:
    # scrypt takes ~50 ms of CPU: off the event loop.
    return None if password is None else await asyncio.to_thread(hash_secret, password)
