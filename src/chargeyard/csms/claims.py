"""The organization a station of this deployment's simulator gateway belongs to, checked as it
connects.

A central system knows a station by the identity in its URL alone (OCPP-J 1.6 section 3.1.1,
OCPP 2.0.1 part 4 section 3.1.1). The gateway runs the simulated chargers of every
organization, and its stations say whose they are in their opening handshake
(``protocol/station_organization.py``). The gateway checks a charger's URL when it stores it
(``gateway/built_in_csms.py``); this is the check that holds whatever the URL: a name that
resolved elsewhere then, a network profile (B09, B10) that moved the station here, a path this
listener reads otherwise. So:

* a station whose organization is known here comes only as its own organization's: a claim of
  another is refused with 403;
* an unknown station let in by auto-registration is registered in the organization it claims
  rather than in the listener's (``CsmsSettings.register_into``), so that it is not refused
  as another organization's station the next time it connects.

A claim counts only when it names an organization that has simulated chargers in this
deployment's store: a gateway of another deployment, whose organizations are not ours, dials
this listener as any central system's stations do. A claim never lets a station in that would
not be let in without it: it refuses, or chooses the organization of a station that anyone
may register (auto-registration) among those that run simulated chargers.
"""

from __future__ import annotations

from http import HTTPStatus

from websockets.datastructures import Headers

from chargeyard.csms.admission import Refusal
from chargeyard.csms.known import KnownStation
from chargeyard.protocol.station_organization import ORGANIZATION_HEADER, claimed_organization
from chargeyard.store import Store
from chargeyard.store.station_lookup import ConnectingStation


async def placed(
    store: Store, identity: str, station: ConnectingStation | None, headers: Headers
) -> KnownStation | Refusal:
    """What the connection knows of a station let in (``station``: its row, None when it is
    registered as it connects), or why a station of the gateway may not come as it."""
    claims = {claimed_organization(value) for value in headers.get_all(ORGANIZATION_HEADER)}
    if station is not None:
        others = claims - {station.organization_id}
        if others and await _ours(store, others):
            return Refusal(
                HTTPStatus.FORBIDDEN,
                f"{identity!r} is a station of another organization than the simulated"
                " charger's that dialed in as it",
            )
        return KnownStation.of(station)
    ours = await _ours(store, claims)
    return KnownStation.new(ours.pop() if len(ours) == 1 else None)


async def _ours(store: Store, organizations: set[str]) -> set[str]:
    """Those of ``organizations`` that run simulated chargers in this deployment."""
    return {o for o in sorted(organizations) if await store.chargers.any_in(o)}
