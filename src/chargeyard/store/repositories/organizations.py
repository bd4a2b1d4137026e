"""Tenants of the simulator gateway and their locations. Every location query names its
organization: a location id from another tenant is simply not found."""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.store.errors import ConflictError, NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import Location, LocationStatus, Organization
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page


class OrganizationRepository(Repository):
    async def create(self, name: str, *, organization_id: str | None = None) -> Organization:
        """Raises: ConflictError: the id is taken."""
        organization = Organization(id=organization_id or new_id("org-"), name=name)
        async with self._write() as session:
            if organization_id is not None and (
                await session.get(Organization, organization_id) is not None
            ):
                raise ConflictError(f"organization id {organization_id!r} is already used")
            session.add(organization)
        return organization

    async def get(self, organization_id: str) -> Organization | None:
        async with self._read() as session:
            return await session.get(Organization, organization_id)

    async def ensure(self, organization_id: str) -> None:
        """Make the organization (named after its id) unless it exists: a tenant a signed
        token, an API key or the central system's settings name exists from its first use."""
        if await self.get(organization_id) is None:
            with contextlib.suppress(ConflictError):  # another request made it first
                await self.create(organization_id, organization_id=organization_id)

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
        slug: str | None = None,
        city: str | None = None,
        country: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        timezone: str = "UTC",
        owner_name: str | None = None,
        public: bool = False,
        status: str = LocationStatus.ACTIVE,
    ) -> Location:
        """A new location; without ``slug``, one made from the name (``la-defense-hub``),
        with a short random suffix only when another location of the organization has that
        slug already (``la-defense-hub-1a2b``), so that two sites of the same name both get
        one.

        Raises:
            ConflictError: unknown organization, the id is taken, or the slug is used in
                this organization.
        """
        location = Location(
            id=location_id or new_id("loc-"),
            organization_id=organization_id,
            slug=slug or "",
            name=name,
            address=address,
            city=city,
            country=country,
            latitude=latitude,
            longitude=longitude,
            timezone=timezone,
            owner_name=owner_name,
            public=public,
            status=status,
        )
        async with self._write() as session:
            if location_id is not None and await session.get(Location, location_id) is not None:
                raise ConflictError(f"location id {location_id!r} is already used")
            if slug is None:
                location.slug = await _free_slug(session, organization_id, name)
            else:
                await _check_slug_free(session, organization_id, slug)
            session.add(location)
        return location

    async def get(self, organization_id: str, location_id: str) -> Location | None:
        async with self._read() as session:
            return await session.scalar(
                select(Location).where(
                    Location.organization_id == organization_id, Location.id == location_id
                )
            )

    async def get_by_slug(self, organization_id: str, slug: str) -> Location | None:
        async with self._read() as session:
            return await session.scalar(
                select(Location).where(
                    Location.organization_id == organization_id, Location.slug == slug
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

    async def count(self, organization_id: str) -> int:
        """How many locations the organization has."""
        statement = (
            select(func.count())
            .select_from(Location)
            .where(Location.organization_id == organization_id)
        )
        async with self._read() as session:
            return (await session.scalar(statement)) or 0

    async def update(
        self,
        organization_id: str,
        location_id: str,
        *,
        name: str | Unset = UNSET,
        address: str | Unset | None = UNSET,
        slug: str | Unset = UNSET,
        city: str | Unset | None = UNSET,
        country: str | Unset | None = UNSET,
        latitude: float | Unset | None = UNSET,
        longitude: float | Unset | None = UNSET,
        timezone: str | Unset = UNSET,
        owner_name: str | Unset | None = UNSET,
        public: bool | Unset = UNSET,
        status: str | Unset = UNSET,
    ) -> Location:
        """Change the given fields (``None`` clears a field that may be empty).

        Raises:
            NotFoundError: no such location in this organization.
            ConflictError: the new slug is used by another location of the organization.
        """
        values = changes(
            name=name,
            address=address,
            slug=slug,
            city=city,
            country=country,
            latitude=latitude,
            longitude=longitude,
            timezone=timezone,
            owner_name=owner_name,
            public=public,
            status=status,
        )
        async with self._write() as session:
            location = await session.scalar(
                select(Location).where(
                    Location.organization_id == organization_id, Location.id == location_id
                )
            )
            if location is None:
                raise NotFoundError("location", location_id)
            if "slug" in values and values["slug"] != location.slug:
                await _check_slug_free(session, organization_id, values["slug"])
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


def slug_from(name: str) -> str:
    """A URL slug made of ``name``'s letters and digits: accents dropped, lowercase, words
    joined by "-" (``"Gare de l'Est"`` -> ``"gare-de-l-est"``); "location" when none is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return "-".join(words)[:100].strip("-") or "location"


async def _free_slug(session: AsyncSession, organization_id: str, name: str) -> str:
    """The slug made of ``name`` if no location of the organization has it, else that slug
    with a short random suffix that none has."""
    base = slug_from(name)
    candidate = base
    while await _slug_taken(session, organization_id, candidate):
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


async def _slug_taken(session: AsyncSession, organization_id: str, slug: str) -> bool:
    taken = await session.scalar(
        select(Location.id).where(
            Location.organization_id == organization_id, Location.slug == slug
        )
    )
    return taken is not None


async def _check_slug_free(session: AsyncSession, organization_id: str, slug: str) -> None:
    # The unique index decides in a race; this check gives the common case a clear message.
    if await _slug_taken(session, organization_id, slug):
        raise ConflictError(f"location slug {slug!r} is already used in this organization")
