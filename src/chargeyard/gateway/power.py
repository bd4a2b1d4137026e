"""The host process as the stations' power supply: what a process exit does to them.

A hosted station is a charger on a site; this process ending is its power going. So that
nothing a charger would have kept is lost (see ``station/power_loss.py``):

* :func:`power_down`, on the host's close: every station goes down as a real one does
  (``SimulatedStation.switch_off``): it waits for the answers to what it already sent and
  sends its queued transaction messages for a short while (a StopTransaction just sent should
  not need a power-loss report, and a StartTransaction answered must not be sent again after
  the restart); then the power goes for every station at one instant (its snapshot taken, the
  station silent from then on, so the central system never sees energy beyond the register
  kept), and each snapshot is written into its charger row (``config["power_loss"]``);
* :func:`restore`, when the next process builds the station again: the registers go on and
  the open transactions are reported ended with reason PowerLoss once it has booted; the
  snapshot then leaves the row (:func:`without_snapshot`), and one not yet reported when the
  power goes again is part of the next snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chargeyard.station import power_loss
from chargeyard.station.core import SimulatedStation
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

logger = logging.getLogger(__name__)

SNAPSHOT_KEY = "power_loss"
"""Where a charger row's ``config`` keeps the snapshot of its last power loss."""


@dataclass(frozen=True, slots=True)
class Powered:
    """One hosted station, and the charger row it belongs to."""

    organization_id: str
    charger_id: str
    station: SimulatedStation


async def power_down(
    store: Store,
    stations: Sequence[Powered],
    drain_s: float = 3.0,
    drain_cap_s: float = 20.0,
    *,
    holder: str | None = None,
) -> int:
    """Let every station go down gracefully, then cut the power: every station's snapshot is
    taken and the station goes silent at the same instant, and the snapshots are stored.
    Returns how many open transactions were kept for the next boot.

    Each station sends its queued transaction messages for ``drain_s`` and waits for the
    answers to what it sent (each within its call timeout); the whole wait lasts
    ``drain_cap_s`` at most (a central system that answers nobody). With ``holder`` (a
    worker's lease name), a station whose charger another worker took meanwhile keeps no
    snapshot (``ChargerRepository.set_config_entries``).
    """
    for powered in stations:
        powered.station.switch_off(drain_s=drain_s)
    deadline = time.monotonic() + drain_cap_s
    waiting = [p for p in stations if p.station.powered]
    while waiting and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        waiting = [p for p in waiting if p.station.powered]
    taken: list[tuple[Powered, power_loss.PowerLossSnapshot]] = []
    unsent = 0
    for powered in stations:  # no await in this loop: one instant for the whole fleet
        station = power_loss.reporting(powered.station)
        if station is not None:
            taken.append((powered, power_loss.take(station, powered.station.clock.now())))
        unsent += len(powered.station.transaction_queue)
        powered.station.go_offline()  # nothing more leaves it
    if unsent:
        # Mostly samples taken while the queues drained (MeterValues, TransactionEvent
        # Updated): the register in each snapshot, reported at the next boot, covers them.
        logger.info("power down: %d queued transaction messages not sent", unsent)
    kept = sum(len(snapshot.transactions) for _, snapshot in taken)
    await store.chargers.set_config_entries(
        SNAPSHOT_KEY,
        [
            (powered.organization_id, powered.charger_id, snapshot.to_json())
            for powered, snapshot in taken
        ],
        holder=holder,
    )
    logger.info("power down: %d open transactions kept for the next boot", kept)
    return kept


def restore(charger: SimulatedCharger, station: SimulatedStation) -> bool:
    """Give a freshly built station the memory its row kept; returns whether there was one."""
    data = (charger.config or {}).get(SNAPSHOT_KEY)
    reporting = power_loss.reporting(station)
    if not isinstance(data, dict) or reporting is None:
        return False
    try:
        snapshot = power_loss.PowerLossSnapshot.from_json(data)
    except (KeyError, TypeError, ValueError) as error:
        logger.warning("%s: unreadable power-loss snapshot ignored: %s", charger.id, error)
        return False
    power_loss.restore(reporting, snapshot)
    return True


def without_snapshot(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """``config`` without the snapshot, or None when it has none (nothing to write)."""
    if not config or SNAPSHOT_KEY not in config:
        return None
    return {key: value for key, value in config.items() if key != SNAPSHOT_KEY}
