"""Tenants of the simulator gateway and their locations. Every location query names its
organization: a location id from another tenant is simply not found."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from chargeyard.store.errors import NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import Location, Organization
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page


class OrganizationRepository(Repository):
    async def create(self, name: str, *, organization_id: str | None = None) -> Organization:
        """Raises: ConflictError: the id is taken."""
        organization = Organization(id=organization_id or new_id("org-"), name=name)
        async with self._write() as session:
            session.add(organization)
        return organization

    async def get(self, organization_id: str) -> Organization | None:
        async with self._read() as session:
            return await session.get(Organization, organization_id)

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[Organization]:
        limit, offset = page(limit, offset)
        statement = select(Organization).order_by(Organization.id).limit(limit).offset(offset)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def delete(self, organization_id: str) -> None:
        """Remove a tenant and everything it owns. Raises: NotFoundError."""
        async with self._write() as session:
            deleted = await session.scalar(
                delete(Organization)
                .where(Organization.id == organization_id)
                .returning(Organization.id)
            )
        if deleted is None:
            raise NotFoundError("organization", organization_id)


class LocationRepository(Repository):
    async def create(
        self,
        organization_id: str,
        name: str,
        *,
        address: str | None = None,
        location_id: str | None = None,
    ) -> Location:
        """Raises: ConflictError: unknown organization or the id is taken."""
        location = Location(
            id=location_id or new_id("loc-"),
            organization_id=organization_id,
            name=name,
            address=address,
        )
        async with self._write() as session:
            session.add(location)
        return location

    async def get(self, organization_id: str, location_id: str) -> Location | None:
        async with self._read() as session:
            return await session.scalar(
                select(Location).where(
                    Location.organization_id == organization_id, Location.id == location_id
                )
            )

    async def list(
        self, organization_id: str, *, limit: int = 100, offset: int = 0
    ) -> Sequence[Location]:
        limit, offset = page(limit, offset)
        statement = (
            select(Location)
            .where(Location.organization_id == organization_id)
            .order_by(Location.name, Location.id)
            .limit(limit)
            .offset(offset)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def update(
        self,
        organization_id: str,
        location_id: str,
        *,
        name: str | Unset = UNSET,
        address: str | Unset | None = UNSET,
    ) -> Location:
        """Raises: NotFoundError: no such location in this organization."""
        values = changes(name=name, address=address)
        async with self._write() as session:
            location = await session.scalar(
                select(Location).where(
                    Location.organization_id == organization_id, Location.id == location_id
                )
            )
            if location is None:
                raise NotFoundError("location", location_id)
            for field, value in values.items():
                setattr(location, field, value)
        return location

    async def delete(self, organization_id: str, location_id: str) -> None:
        """Remove a location; its chargers stay, without a location. Raises: NotFoundError."""
        async with self._write() as session:
            deleted = await session.scalar(
                delete(Location)
                .where(Location.organization_id == organization_id, Location.id == location_id)
                .returning(Location.id)
            )
        if deleted is None:
            raise NotFoundError("location", location_id)
