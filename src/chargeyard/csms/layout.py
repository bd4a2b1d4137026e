"""A station's connector set belongs to the station that reported it: when the station is no
longer that station, the set is forgotten and the statuses it reports next make the new one.

Why: the stored connectors are the latest StatusNotification of each ``(evse, connector)`` the
station ever named (``store/repositories/connectors.py``), and nothing in OCPP says that a
connector is gone. Two things tell that the layout may have changed:

- The station connects speaking another OCPP version than it last did. The versions number
  connectors differently (1.6: ``connectorId``, 0 the whole charge point, section 4.9; 2.0.1:
  ``evseId`` and ``connectorId``, G01), so the old rows name connectors that no longer exist.
- It boots as another vendor or model (BootNotification, 1.6 section 4.2.1, 2.0.1 B01): other
  hardware, whose connectors are its own.

Either way the station reports each of its connectors after the boot (1.6 section 4.9; 2.0.1
B01.FR.05), which rebuilds the set. The history of status changes and the transactions stay:
they are what happened, and a transaction names its connector by number, not by row.
"""

from __future__ import annotations

import logging

from chargeyard.csms.known import KnownStation
from chargeyard.protocol import VersionSpec
from chargeyard.store import Store

logger = logging.getLogger(__name__)


async def on_connect(
    store: Store, identity: str, version: VersionSpec, known: KnownStation | None = None
) -> None:
    """Forget ``identity``'s connectors if it last spoke another version than ``version``
    (``known``: the station as read at the handshake; read now without it).

    Called before the new version is written, so that a crash in between forgets them again
    at the next connection rather than never.
    """
    if known is None:
        station = await store.stations.get(identity)
        known = None if station is None else KnownStation(station.ocpp_version)
    last = None if known is None else known.ocpp_version
    if last is None or last is version:
        return
    forgotten = await store.connectors.forget(identity)
    if forgotten:
        logger.info(
            "%s now speaks OCPP %s (was %s): its %d connectors are reported afresh",
            identity,
            version.name,
            last.name,
            forgotten,
        )


async def on_boot(
    store: Store, identity: str, vendor: str, model: str, known: KnownStation | None = None
) -> None:
    """Forget ``identity``'s connectors if it boots as another vendor or model than it last
    did (before the boot facts are written, as in :func:`on_connect`; ``known`` likewise)."""
    last = known
    if last is None:
        station = await store.stations.get(identity)
        last = None if station is None else KnownStation(None, station.vendor, station.model)
    if last is None or last.model is None:
        return  # its first boot: nothing to compare with
    if (last.vendor, last.model) == (vendor, model):
        return
    forgotten = await store.connectors.forget(identity)
    if forgotten:
        logger.info(
            "%s boots as %s %s (was %s %s): its %d connectors are reported afresh",
            identity,
            vendor,
            model,
            last.vendor,
            last.model,
            forgotten,
        )
