"""Durable simulated chargers (``dep-…``) of the simulator gateway.

Every method takes the organization first and filters on it, except
:meth:`SimulatedChargerRepository.all_desired`, the fleet supervisor's cross-tenant view of what
should be running after a restart (never exposed to a tenant).

A charger pointed at the built-in central system (the methods' ``built_in``) has its station
registered there, in the charger's organization, in the same transaction: the central system
admits it into that organization, and an identity that is another organization's station there
is refused (``_identity_owners.py``).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.protocol import VersionSpec
from chargeyard.store.errors import ConflictError, NotFoundError
from chargeyard.store.ids import new_id
from chargeyard.store.models import ChargerLease, DesiredState, Location, SimulatedCharger
from chargeyard.store.repositories._base import UNSET, Repository, Unset, changes, page
from chargeyard.store.repositories._identity_owners import (
    BuiltIn,
    check_not_used_elsewhere,
    register_at_built_in,
    register_many_at_built_in,
    used_elsewhere,
)

_MISSING = object()


class SimulatedChargerRepository(Repository):
    async def create(
        self,
        organization_id: str,
        *,
        identity: str,
        ocpp_version: VersionSpec,
        csms_url: str | None = None,
        location_id: str | None = None,
        template: str | None = None,
        config: dict[str, Any] | None = None,
        charger_id: str | None = None,
        built_in: BuiltIn | None = None,
        desired_state: DesiredState = DesiredState.STOPPED,
    ) -> SimulatedCharger:
        """A charger record, stopped unless ``desired_state`` says it wants to run (it runs
        once a fleet host starts it); with ``built_in``, its station registered at the
        built-in central system when it dials that one (see the module docstring).

        Raises:
            NotFoundError: ``location_id`` is not a location of this organization.
            ConflictError: the identity is taken in this organization (or the id anywhere), by
                another organization's charger that dials the same central system, or by
                another organization's station at the built-in central system.
        """
        charger = SimulatedCharger(
            id=charger_id or new_id("dep-"),
            organization_id=organization_id,
            location_id=location_id,
            identity=identity,
            ocpp_version=ocpp_version,
            csms_url=csms_url,
            template=template,
            config=config or {},
            desired_state=desired_state,
        )
        known_as = frozenset() if built_in is None else await built_in.known_as(identity, csms_url)
        async with self._write() as session:
            if location_id is not None:
                await _check_location(session, organization_id, location_id)
            await _check_identity_free(session, organization_id, identity)
            await check_not_used_elsewhere(session, organization_id, identity, csms_url)
            if charger_id is not None and (
                await session.get(SimulatedCharger, charger_id) is not None
            ):
                raise ConflictError(f"charger_id {charger_id!r} is already used")
            await register_at_built_in(session, organization_id, known_as, csms_url)
            session.add(charger)
        return charger

    async def create_many(
        self,
        organization_id: str,
        chargers: Sequence[dict[str, Any]],
        *,
        built_in: BuiltIn | None = None,
    ) -> tuple[builtins.list[SimulatedCharger], builtins.list[str], builtins.list[str]]:
        """Stopped charger records in one transaction (a bulk creation): each dict holds
        :meth:`create`'s keyword arguments, and those that dial the built-in central system
        have their stations registered there (``built_in``, as :meth:`create`). An identity
        already taken in the organization, or by another organization at the same central
        system (its charger, or its station at the built-in one), is skipped rather than
        failing the batch.

        Returns:
            The chargers created, the identities skipped because they were taken in the
            organization, and those skipped because another organization uses them there.

        Raises:
            NotFoundError: a ``location_id`` is not a location of this organization.
            ConflictError: a concurrent writer took an identity meanwhile (nothing created).
        """
        identities = [str(values["identity"]) for values in chargers]
        known_as = (
            [frozenset[str]() for _ in chargers]
            if built_in is None
            else await built_in.known_as_many(
                [(str(v["identity"]), v.get("csms_url")) for v in chargers]
            )
        )
        created: builtins.list[SimulatedCharger] = []
        async with self._write() as session:
            for location_id in {values.get("location_id") for values in chargers} - {None}:
                await _check_location(session, organization_id, str(location_id))
            taken: set[str] = set()
            for start in range(0, len(identities), 500):  # bound the IN list
                taken.update(
                    (
                        await session.scalars(
                            select(SimulatedCharger.identity).where(
                                SimulatedCharger.organization_id == organization_id,
                                SimulatedCharger.identity.in_(identities[start : start + 500]),
                            )
                        )
                    ).all()
                )
            elsewhere = await used_elsewhere(
                session,
                organization_id,
                [
                    (str(v["identity"]), v.get("csms_url"))
                    for v in chargers
                    if v["identity"] not in taken
                ],
            )
            elsewhere |= await register_many_at_built_in(
                session,
                organization_id,
                [
                    (str(v["identity"]), names)
                    for v, names in zip(chargers, known_as, strict=True)
                    if v["identity"] not in taken and v["identity"] not in elsewhere and names
                ],
            )
            for values in chargers:
                if values["identity"] in taken or values["identity"] in elsewhere:
                    continue
                charger_id = values.get("charger_id")
                created.append(
                    SimulatedCharger(
                        id=charger_id or new_id("dep-"),
                        organization_id=organization_id,
                        location_id=values.get("location_id"),
                        identity=values["identity"],
                        ocpp_version=values["ocpp_version"],
                        csms_url=values.get("csms_url"),
                        template=values.get("template"),
                        config=values.get("config") or {},
                        desired_state=DesiredState.STOPPED,
                    )
                )
            session.add_all(created)
        return (
            created,
            [identity for identity in identities if identity in taken],
            [identity for identity in identities if identity in elsewhere],
        )

    async def get(self, organization_id: str, charger_id: str) -> SimulatedCharger | None:
        async with self._read() as session:
            return await _find(session, organization_id, charger_id)

    async def any_in(self, organization_id: str) -> bool:
        """Whether the organization has a simulated charger."""
        async with self._read() as session:
            found = await session.scalar(
                select(SimulatedCharger.id)
                .where(SimulatedCharger.organization_id == organization_id)
                .limit(1)
            )
        return found is not None

    async def get_by_identity(self, organization_id: str, identity: str) -> SimulatedCharger | None:
        async with self._read() as session:
            return await session.scalar(
                select(SimulatedCharger).where(
                    SimulatedCharger.organization_id == organization_id,
                    SimulatedCharger.identity == identity,
                )
            )

    async def list(
        self,
        organization_id: str,
        *,
        location_id: str | None = None,
        charger_ids: Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[SimulatedCharger]:
        """The organization's chargers by id, optionally those of one location and/or a
        subset of ids (the ``CommandTarget`` of the gateway's command API)."""
        limit, offset = page(limit, offset)
        statement = select(SimulatedCharger).where(
            SimulatedCharger.organization_id == organization_id
        )
        if location_id is not None:
            statement = statement.where(SimulatedCharger.location_id == location_id)
        if charger_ids is not None:
            statement = statement.where(SimulatedCharger.id.in_(list(charger_ids)))
        statement = statement.order_by(SimulatedCharger.id).limit(limit).offset(offset)
        async with self._read() as session:
            return (await session.scalars(statement)).all()

    async def count(
        self,
        organization_id: str,
        *,
        location_id: str | None = None,
        charger_ids: Sequence[str] | None = None,
    ) -> int:
        """How many chargers :meth:`list` would page through with the same filter."""
        statement = (
            select(func.count())
            .select_from(SimulatedCharger)
            .where(SimulatedCharger.organization_id == organization_id)
        )
        if location_id is not None:
            statement = statement.where(SimulatedCharger.location_id == location_id)
        if charger_ids is not None:
            statement = statement.where(SimulatedCharger.id.in_(list(charger_ids)))
        async with self._read() as session:
            return (await session.scalar(statement)) or 0

    async def update(
        self,
        organization_id: str,
        charger_id: str,
        *,
        identity: str | Unset = UNSET,
        ocpp_version: VersionSpec | Unset = UNSET,
        csms_url: str | Unset | None = UNSET,
        location_id: str | Unset | None = UNSET,
        template: str | Unset | None = UNSET,
        config: dict[str, Any] | Unset = UNSET,
        built_in: BuiltIn | None = None,
    ) -> SimulatedCharger:
        """Change the given fields; a new identity or central system that is the built-in one
        has its station registered there (``built_in``, as :meth:`create`).

        Raises:
            NotFoundError: no such charger (or location) in this organization.
            ConflictError: the new identity is another charger's in this organization, or the
                new identity or central system makes it one another organization's charger
                uses, or another organization's station at the built-in central system.
        """
        values = changes(
            identity=identity,
            ocpp_version=ocpp_version,
            csms_url=csms_url,
            location_id=location_id,
            template=template,
            config=config,
        )
        moves = "identity" in values or "csms_url" in values
        resolved: tuple[str, str | None, frozenset[str]] | None = None
        if moves and built_in is not None:
            # Resolved before the write transaction (host names may take seconds).
            async with self._read() as session:
                before = await require_charger(session, organization_id, charger_id)
                identity_then = values.get("identity", before.identity)
                url_then = values.get("csms_url", before.csms_url)
            resolved = (
                identity_then,
                url_then,
                await built_in.known_as(identity_then, url_then),
            )
        async with self._write() as session:
            if isinstance(location_id, str):
                await _check_location(session, organization_id, location_id)
            charger = await require_charger(session, organization_id, charger_id)
            if "identity" in values and values["identity"] != charger.identity:
                await _check_identity_free(session, organization_id, values["identity"])
            if moves:
                identity_then = values.get("identity", charger.identity)
                url_then = values.get("csms_url", charger.csms_url)
                await check_not_used_elsewhere(session, organization_id, identity_then, url_then)
                if resolved is not None:
                    if resolved[:2] != (identity_then, url_then):
                        raise ConflictError(
                            f"charger {charger_id!r} changed while this change was checked;"
                            " try again"
                        )
                    await register_at_built_in(session, organization_id, resolved[2], url_then)
            for field, value in values.items():
                setattr(charger, field, value)
        return charger

    async def set_desired_state(
        self, organization_id: str, charger_id: str, state: DesiredState
    ) -> SimulatedCharger:
        """What the operator wants (start/stop); the fleet converges on it."""
        async with self._write() as session:
            charger = await require_charger(session, organization_id, charger_id)
            charger.desired_state = state
        return charger

    async def set_status(
        self, organization_id: str, charger_id: str, status: str
    ) -> SimulatedCharger:
        """What the runtime reports (``running``, ``stopped``, ``error``, ...)."""
        async with self._write() as session:
            charger = await require_charger(session, organization_id, charger_id)
            charger.status = status
        return charger

    async def set_config_entries(
        self, key: str, values: Sequence[tuple[str, str, Any]], *, holder: str | None = None
    ) -> int:
        """Set ``config[key]`` of many chargers in one transaction; each item is
        ``(organization_id, charger_id, value)``. Chargers deleted meanwhile are skipped;
        returns how many were written. (The power-loss snapshots of a whole fleet at
        shutdown: one write instead of one per charger.)

        With ``holder``, only the chargers whose lease ``holder`` holds are written (a lease
        that ran out but that nobody took yet counts: the next holder reads the row after this
        write). Their lease rows are locked until the write commits, so a worker taking one over
        (``LeaseRepository.take``) waits for it and then reads what it wrote; a worker that
        lost a charger never writes over the row of its new holder.
        """
        wanted = {(org, charger_id): value for org, charger_id, value in values}
        ids = sorted({charger_id for _, charger_id in wanted})
        written = 0
        async with self._write() as session:
            if holder is not None:
                ids = await _held(session, ids, holder)
            for start in range(0, len(ids), 500):  # bound the IN list (SQLite's variables)
                statement = select(SimulatedCharger).where(
                    SimulatedCharger.id.in_(ids[start : start + 500])
                )
                for charger in (await session.scalars(statement)).all():
                    value = wanted.get((charger.organization_id, charger.id), _MISSING)
                    if value is _MISSING:
                        continue
                    # A new dict: the JSON column notices assignment, not mutation.
                    charger.config = {**(charger.config or {}), key: value}
                    written += 1
        return written

    async def set_states(
        self,
        organization_id: str,
        charger_ids: Sequence[str],
        *,
        desired_state: DesiredState | None = None,
        status: str | None = None,
    ) -> builtins.list[SimulatedCharger]:
        """:meth:`set_desired_state` and/or :meth:`set_status` for many chargers in one
        transaction (a location's chargers started together); the chargers in id order.

        Raises:
            NotFoundError: a charger is not one of this organization's (nothing changes).
        """
        ids = sorted(set(charger_ids))
        found: builtins.list[SimulatedCharger] = []
        async with self._write() as session:
            for start in range(0, len(ids), 500):  # bound the IN list (SQLite's variables)
                statement = select(SimulatedCharger).where(
                    SimulatedCharger.organization_id == organization_id,
                    SimulatedCharger.id.in_(ids[start : start + 500]),
                )
                found.extend((await session.scalars(statement)).all())
            if len(found) != len(ids):
                missing = set(ids) - {charger.id for charger in found}
                raise NotFoundError("charger", sorted(missing)[0])
            for charger in found:
                if desired_state is not None:
                    charger.desired_state = desired_state
                if status is not None:
                    charger.status = status
        return sorted(found, key=lambda charger: charger.id)

    async def delete(self, organization_id: str, charger_id: str) -> None:
        """Remove a charger with its commands and logs. Raises: NotFoundError."""
        async with self._write() as session:
            deleted = await session.scalar(
                delete(SimulatedCharger)
                .where(
                    SimulatedCharger.organization_id == organization_id,
                    SimulatedCharger.id == charger_id,
                )
                .returning(SimulatedCharger.id)
            )
        if deleted is None:
            raise NotFoundError("charger", charger_id)

    async def all_desired(self, state: DesiredState) -> Sequence[SimulatedCharger]:
        """Every organization's chargers wanting ``state`` (for the fleet supervisor only)."""
        statement = (
            select(SimulatedCharger)
            .where(SimulatedCharger.desired_state == state)
            .order_by(SimulatedCharger.id)
        )
        async with self._read() as session:
            return (await session.scalars(statement)).all()


async def _find(
    session: AsyncSession, organization_id: str, charger_id: str
) -> SimulatedCharger | None:
    return await session.scalar(
        select(SimulatedCharger).where(
            SimulatedCharger.organization_id == organization_id,
            SimulatedCharger.id == charger_id,
        )
    )


async def require_charger(
    session: AsyncSession, organization_id: str, charger_id: str
) -> SimulatedCharger:
    charger = await _find(session, organization_id, charger_id)
    if charger is None:
        raise NotFoundError("charger", charger_id)
    return charger


async def _check_identity_free(session: AsyncSession, organization_id: str, identity: str) -> None:
    # The unique constraint decides in a race (``conflicts.py`` words it); this check names
    # the identity in the common case.
    taken = await session.scalar(
        select(SimulatedCharger.id).where(
            SimulatedCharger.organization_id == organization_id,
            SimulatedCharger.identity == identity,
        )
    )
    if taken is not None:
        raise ConflictError(
            f"identity {identity!r} is already used by charger {taken} in this organization"
        )


async def _check_location(session: AsyncSession, organization_id: str, location_id: str) -> None:
    found = await session.scalar(
        select(Location.id).where(
            Location.organization_id == organization_id, Location.id == location_id
        )
    )
    if found is None:
        raise NotFoundError("location", location_id)


async def _held(session: AsyncSession, charger_ids: list[str], holder: str) -> list[str]:
    """Those of ``charger_ids`` whose lease ``holder`` holds, their lease rows locked for the
    rest of the transaction (PostgreSQL's ``FOR UPDATE``; SQLite has one writer at a time)."""
    held: list[str] = []
    for start in range(0, len(charger_ids), 500):
        statement = (
            select(ChargerLease.charger_id)
            .where(
                ChargerLease.charger_id.in_(charger_ids[start : start + 500]),
                ChargerLease.worker == holder,
            )
            .order_by(ChargerLease.charger_id)
            .with_for_update()
        )
        held += (await session.scalars(statement)).all()
    return held
