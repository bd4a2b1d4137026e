"""Deleting simulated chargers: ``DELETE /ocpp/chargers/{charger_id}`` and a location's
chargers in bulk.

A charger is a station: deleted, it goes down as one. Its host ends its running transactions
with a reason and switches it off, so that its central system hears them end
(``FleetHost.remove_charger``); then its row goes. A station that could not say so (stopped,
offline, its central system silent) never will, for its memory goes with it: when it dialled
the built-in central system, what that still holds open for it is closed there
(``csms/orphans.py``, ``csmsCloseReason`` SimulatedChargerDeleted), unless a station is
connected there under its identity now (another one: the deleted charger's own connection is
closed by then), whose transactions are its own to report.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chargeyard.api.gateway.chargers_shared import BuiltInCsmsDep, host_answers
from chargeyard.csms import orphans
from chargeyard.csms.context import utc_now
from chargeyard.csms.events import EventHub, StationEvents
from chargeyard.csms.station_calls import StationsUnreachable
from chargeyard.csms.station_link import StationDirectory
from chargeyard.gateway.built_in_csms import BuiltInCsms
from chargeyard.gateway.runtimes import ChargerRuntimes
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

logger = logging.getLogger(__name__)


async def get_events(request: Request) -> EventHub:
    """Where the built-in central system tells what happened (webhooks, the live stream)."""
    events: EventHub = request.app.state.events
    return events


EventsDep = Annotated[EventHub, Depends(get_events)]


async def get_directory(request: Request) -> StationDirectory:
    """Which stations are connected to the built-in central system (any node of it)."""
    directory: StationDirectory = request.app.state.registry
    return directory


DirectoryDep = Annotated[StationDirectory, Depends(get_directory)]


@dataclass(frozen=True, slots=True)
class BuiltInCentral:
    """The built-in central system as a deletion sees it: which URLs reach it, who is
    connected to it, and where it tells what happened."""

    endpoints: BuiltInCsms
    directory: StationDirectory
    events: EventHub


async def get_built_in_central(
    built_in: BuiltInCsmsDep, directory: DirectoryDep, events: EventsDep
) -> BuiltInCentral:
    return BuiltInCentral(built_in, directory, events)


BuiltInCentralDep = Annotated[BuiltInCentral, Depends(get_built_in_central)]


async def delete_chargers(
    store: Store,
    host: ChargerRuntimes | None,
    central: BuiltInCentral,
    organization_id: str,
    chargers: Sequence[SimulatedCharger],
) -> None:
    """Switch each charger's station off for good, delete its row, and close at the built-in
    central system what it left open (see the module docstring).

    Raises:
        HTTPException: 504, a charger's host did not answer in time (that charger and those
            after it are kept).
        NotFoundError: a charger is gone already.
    """
    for charger in chargers:
        if host is not None:
            with host_answers():  # (a station that may run on is not forgotten)
                await host.remove_charger(organization_id, charger.id)
        await store.chargers.delete(organization_id, charger.id)
        if await central.endpoints.serves(charger.csms_url):
            await _close_left_open(store, central, organization_id, charger.identity)


async def _close_left_open(
    store: Store, central: BuiltInCentral, organization_id: str, identity: str
) -> None:
    try:
        if await central.directory.is_connected(identity):
            return  # another station under its identity: its transactions are its own
    except StationsUnreachable as error:  # cannot tell: left open, as before the deletion
        logger.warning("%s: transactions left open at deletion: %s", identity, error)
        return
    events = StationEvents(central.events, organization_id)
    await orphans.close_deleted(
        store, events, identity, organization_id=organization_id, at=utc_now()
    )
