"""Deleting simulated chargers: ``DELETE /ocpp/chargers/{charger_id}`` and a location's
chargers in bulk.

A charger is a station: deleted, it goes down as one. Its host ends its running transactions
with a reason and switches it off, so that its central system hears them end
(``FleetHost.remove_charger``); then its row goes. A station that could not say so (stopped,
offline, its central system silent) never will, for its memory goes with it: when it dialled
the built-in central system, what that still holds open for it is closed there
(``csms/orphans.py``, ``csmsCloseReason`` SimulatedChargerDeleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request

from chargeyard.api.gateway.chargers_shared import host_answers
from chargeyard.csms import orphans
from chargeyard.csms.context import utc_now
from chargeyard.csms.events import EventHub, StationEvents
from chargeyard.gateway.built_in_csms import BuiltInCsms
from chargeyard.gateway.runtimes import ChargerRuntimes
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger


async def get_events(request: Request) -> EventHub:
    """Where the built-in central system tells what happened (webhooks, the live stream)."""
    events: EventHub = request.app.state.events
    return events


EventsDep = Annotated[EventHub, Depends(get_events)]


async def delete_chargers(
    store: Store,
    host: ChargerRuntimes | None,
    built_in: BuiltInCsms,
    events: EventHub,
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
        if built_in.serves(charger.csms_url):
            await orphans.close_deleted(
                store,
                StationEvents(events, organization_id),
                charger.identity,
                organization_id=organization_id,
                at=utc_now(),
            )
