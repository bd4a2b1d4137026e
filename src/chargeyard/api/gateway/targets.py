"""A ``CommandTarget`` (the gateway API reference's: one charger, a location, or a subset of
a location's chargers) resolved to chargers of the caller's organization: the commands'
routes and ``/ocpp/chaos`` share it."""

from __future__ import annotations

from chargeyard.api.gateway.schemas.commands import CommandTarget
from chargeyard.gateway.dispatch import Refused
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import SimulatedCharger


async def resolve_target(
    store: Store, organization_id: str, target: CommandTarget
) -> tuple[list[SimulatedCharger], list[Refused]]:
    """The chargers ``target`` names in the organization, each once, and the entries of
    ``charger_ids`` that name none of the location's (refusals like any other: ``failed``).

    Raises:
        NotFoundError: no such charger or location in this organization (404).
    """
    if target.charger_id is not None:
        charger = await store.chargers.get(organization_id, target.charger_id)
        if charger is None:
            raise NotFoundError("charger", target.charger_id)
        return [charger], []
    if target.identity is not None:
        charger = await store.chargers.get_by_identity(organization_id, target.identity)
        if charger is None:
            raise NotFoundError("charger with identity", target.identity)
        return [charger], []
    assert target.location_id is not None  # CommandTarget: exactly one of the two
    location_id = target.location_id
    if await store.locations.get(organization_id, location_id) is None:
        raise NotFoundError("location", location_id)
    chargers = await all_of_location(store, organization_id, location_id)
    if target.charger_ids is None:
        return chargers, []
    by_id = {charger.id: charger for charger in chargers}
    wanted = list(dict.fromkeys(target.charger_ids))
    missing = [
        Refused(None, f"charger {charger_id!r} not found in location {location_id!r}")
        for charger_id in wanted
        if charger_id not in by_id
    ]
    return [by_id[charger_id] for charger_id in wanted if charger_id in by_id], missing


async def all_of_location(
    store: Store, organization_id: str, location_id: str
) -> list[SimulatedCharger]:
    """Every charger of the location."""
    chargers: list[SimulatedCharger] = []
    page = 1000  # the store's largest page
    while True:
        rows = await store.chargers.list(
            organization_id, location_id=location_id, limit=page, offset=len(chargers)
        )
        chargers.extend(rows)
        if len(rows) < page:
            return chargers
