"""An identity is one organization's at each central system.

A central system knows a station by the identity in its WebSocket URL alone (OCPP-J 1.6
section 3.1.1, OCPP 2.0.1 part 4 section 3.1.1): two stations of one identity dialing it
replace each other's connection and are stored as one station, whatever organization each
belongs to. So the simulator gateway keeps an identity one organization's at each central
system its chargers dial:

* against any central system, among the gateway's own chargers (:func:`used_elsewhere`;
  a check, not a constraint: rows made before it may already share identities);
* at the built-in central system, whose stations live in this store, also against its
  stations: a charger pointed there has its station registered in the charger's organization
  before it ever connects, so that the central system admits it into that organization, and
  an identity that is another organization's station there is refused
  (:func:`register_at_built_in`). Whether a URL reaches the built-in central system, and under
  which identity, is the caller's to say (:class:`BuiltIn`), asked before the transaction opens:
  it resolves host names, which must not hold the store's write lock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chargeyard.store.errors import ConflictError
from chargeyard.store.models import SimulatedCharger, Station


class BuiltIn(Protocol):
    """The built-in central system, whose stations live in this store
    (``gateway/built_in_csms.py``: ``BuiltInCsms``)."""

    async def known_as(self, identity: str, csms_url: str | None) -> frozenset[str]:
        """The identities under which the built-in central system would know a charger of
        ``identity`` dialing ``csms_url`` (its listener reads the identity from the path);
        empty when it dials another central system."""
        ...

    async def known_as_many(
        self, chargers: Sequence[tuple[str, str | None]]
    ) -> list[frozenset[str]]:
        """:meth:`known_as` of each (identity, CSMS URL)."""
        ...


def _endpoint(csms_url: str | None) -> str | None:
    """The central system a URL names, as the station dials it: its identity is appended
    after a slash, so a trailing slash names the same endpoint."""
    return None if csms_url is None else csms_url.rstrip("/")


async def used_elsewhere(
    session: AsyncSession, organization_id: str, chargers: Sequence[tuple[str, str | None]]
) -> set[str]:
    """The identities of ``chargers`` (identity, CSMS URL) that another organization's charger
    uses against the same central system."""
    wanted = {(identity, _endpoint(url)) for identity, url in chargers if url is not None}
    found: set[str] = set()
    names = sorted({identity for identity, _ in wanted})
    for start in range(0, len(names), 500):  # bound the IN list
        rows = await session.execute(
            select(SimulatedCharger.identity, SimulatedCharger.csms_url).where(
                SimulatedCharger.organization_id != organization_id,
                SimulatedCharger.identity.in_(names[start : start + 500]),
            )
        )
        found.update(
            identity for identity, url in rows.all() if (identity, _endpoint(url)) in wanted
        )
    return found


async def check_not_used_elsewhere(
    session: AsyncSession, organization_id: str, identity: str, csms_url: str | None
) -> None:
    if await used_elsewhere(session, organization_id, [(identity, csms_url)]):
        raise ConflictError(
            f"identity {identity!r} is used by another organization's charger against the same"
            f" central system ({csms_url}): a central system knows a station by its identity"
            " alone, so the two would replace each other there; choose another identity"
        )


def _registered_elsewhere(identity: str, csms_url: str | None) -> ConflictError:
    return ConflictError(
        f"identity {identity!r} is a charger of another organization at the built-in central"
        f" system ({csms_url}): a central system knows a station by its identity alone, so"
        " this charger would be taken for that one there; choose another identity"
    )


async def _station_owners(session: AsyncSession, identities: Sequence[str]) -> dict[str, str]:
    """The organization of each of ``identities`` that is a station of the built-in central
    system."""
    owners: dict[str, str] = {}
    for start in range(0, len(identities), 500):  # bound the IN list
        rows = await session.execute(
            select(Station.charge_box_id, Station.organization_id).where(
                Station.charge_box_id.in_(identities[start : start + 500])
            )
        )
        owners.update((identity, owner) for identity, owner in rows.all())
    return owners


async def register_at_built_in(
    session: AsyncSession,
    organization_id: str,
    known_as: Collection[str],
    csms_url: str | None,
) -> None:
    """Register the station of a charger that dials the built-in central system, under each
    identity it would be known by there (:meth:`BuiltIn.known_as`; none: it dials elsewhere),
    unless it is registered already, in this organization, so that the central system admits
    it into the charger's organization: a station that registers itself as it connects joins
    the organization the central system's settings name instead
    (``CsmsSettings.register_into``), whoever made the charger.

    Raises:
        ConflictError: an identity is another organization's station there.
    """
    if not known_as:
        return
    identities = sorted(known_as)
    owners = await _station_owners(session, identities)
    for identity in identities:
        if owners.get(identity, organization_id) != organization_id:
            raise _registered_elsewhere(identity, csms_url)
    session.add_all(
        Station(charge_box_id=identity, organization_id=organization_id)
        for identity in identities
        if identity not in owners
    )


async def register_many_at_built_in(
    session: AsyncSession, organization_id: str, chargers: Sequence[tuple[str, Collection[str]]]
) -> set[str]:
    """:func:`register_at_built_in` for many chargers, each (its identity, the identities it
    would be known by there); returns the identities of the chargers one of whose identities
    there is another organization's station (none of theirs registered)."""
    wanted = sorted({name for _, known_as in chargers for name in known_as})
    owners = await _station_owners(session, wanted)
    refused = {
        identity
        for identity, known_as in chargers
        if any(owners.get(name, organization_id) != organization_id for name in known_as)
    }
    fresh = {
        name
        for identity, known_as in chargers
        if identity not in refused
        for name in known_as
        if name not in owners
    }
    session.add_all(
        Station(charge_box_id=name, organization_id=organization_id) for name in sorted(fresh)
    )
    return refused
