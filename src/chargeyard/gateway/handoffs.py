"""Chargers passing between the workers of a cluster, on the fleet host's side: the ones its
lease keeper (``gateway/leases.py``) took, lost or gives away.

A charger taken boots as after a power loss; one lost goes silent here at once (another worker
runs it); one handed off goes down as at a power loss, its snapshot written into its row for
the worker that takes it next. While a charger is on its way, a command for it is passed on
(``command_runner.py``) instead of failing: :meth:`Handoffs.in_transit` says which.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from chargeyard.bus import CommandMessage
from chargeyard.gateway.hosted import HostedStations
from chargeyard.gateway.launcher import Launcher
from chargeyard.gateway.power import power_down
from chargeyard.gateway.runtimes import FAILED
from chargeyard.store import Store
from chargeyard.store.models import DesiredState, SimulatedCharger

logger = logging.getLogger(__name__)


class Handoffs:
    """The chargers a fleet host adopts, drops and hands off.

    Args:
        store: where the chargers' rows are (the snapshots of those handed off).
        hosted: the host's table of hosted stations.
        launcher: what launches and forgets their stations.
        holder: the host's lease name, when its chargers are leased (``FleetHost``'s
            ``leased``): a snapshot is written only into the row of a charger it still holds.
    """

    def __init__(
        self,
        store: Store,
        hosted: HostedStations,
        launcher: Launcher,
        *,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self._hosted = hosted
        self._launcher = launcher
        self._holder = holder
        self._handing_off: set[str] = set()

    async def adopt(self, chargers: Sequence[SimulatedCharger]) -> None:
        """Launch the chargers this worker just leased, each organization's in a few writes."""
        by_organization: dict[str, list[SimulatedCharger]] = {}
        for charger in chargers:
            by_organization.setdefault(charger.organization_id, []).append(charger)
        for organization_id, own in by_organization.items():
            errors = await self._launcher.launch_all(organization_id, own)
            for charger_id, error in errors.items():
                logger.warning("adopted charger %s cannot run: %s", charger_id, error)

    async def drop(self, charger_ids: Sequence[str]) -> None:
        """Forget the chargers whose lease this worker lost, writing nothing."""
        for charger_id in charger_ids:
            if charger_id in self._hosted:
                await self._launcher.forget(charger_id)

    async def hand_off(self, charger_ids: Sequence[str]) -> None:
        """Power down the chargers this worker gives away, then forget them; commands for
        them meanwhile are passed on (:meth:`in_transit`)."""
        handed = [charger_id for charger_id in charger_ids if charger_id in self._hosted]
        powered = self._hosted.powered(set(handed))
        # Commands for them meanwhile go on to the worker that takes them (command_runner.py).
        self._handing_off.update(handed)
        try:
            # Short: the lease keeper waits for it, and must renew its other leases in time.
            await power_down(self.store, powered, drain_s=1.0, drain_cap_s=3.0, holder=self._holder)
            for charger_id in handed:
                await self._launcher.forget(charger_id)
        finally:
            self._handing_off.difference_update(handed)

    async def in_transit(self, message: CommandMessage) -> bool:
        """Whether a command's charger is on its way to another host: this one hands it off
        now, or no host runs it though it wants to run (handed off, not adopted yet)."""
        if message.charger_id in self._handing_off:
            return True
        if message.charger_id in self._hosted:
            return False  # here, stopped or going down for good
        charger = await self.store.chargers.get(message.organization_id, message.charger_id)
        return (
            charger is not None
            and charger.desired_state == DesiredState.RUNNING
            and charger.status != FAILED
        )
