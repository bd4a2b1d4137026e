"""Bringing a hosted charger's station up and taking it down, for the fleet host.

A charger is launched when its station is built from its row (if it is not built yet), held on
the bus under the host's node and started; :meth:`Launcher.run` and :meth:`Launcher.launch_all`
store the status it reached too. In a cluster of workers, only the chargers the host is admitted
to run (``FleetHost(admit=...)``, ``gateway/leases.py``) are launched: another worker runs the
others.

A station built from an old row is retired before the new one is built
(:data:`REPLACED_STOP_REASON`), a deleted charger's for good (:data:`REMOVED_STOP_REASON`): a
running one ends its transactions and goes down as a station does, then it is forgotten (its
deferred commands no longer followed, its memory no longer written, released on the bus and
removed from its fleet).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from websockets.exceptions import InvalidURI

from chargeyard.bus import CommandBus
from chargeyard.gateway.deferrals import Deferrals
from chargeyard.gateway.hosted import HostedStations, built_from
from chargeyard.gateway.memory import MemoryWriter
from chargeyard.gateway.outcomes import OutcomeWriter
from chargeyard.gateway.power import Powered, without_snapshot
from chargeyard.gateway.runtimes import FAILED, RUNNING, ChargerRuntimeError
from chargeyard.station.core import DRAIN_BEFORE_REBOOT_S
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

Admit = Callable[[Sequence[SimulatedCharger]], Awaitable[set[str]]]
"""Which of these chargers this host may run now (their ids)."""

REPLACED_STOP_REASON = "Reboot"
"""Why a replaced station's running transactions end (1.6 Reason and 2.0.1 ReasonEnumType:
a reboot the station itself decided)."""

RETIRE_WAIT_S = 20.0
"""How long a retired station (replaced or deleted) may take to finish its conversation
before it is forgotten anyway: less than a runtime request's deadline
(``runtime_client.DEADLINE_S``)."""

REMOVED_STOP_REASON = "Other"
"""Why a deleted charger's running transactions end. Neither 1.6 Reason (section 7.39) nor
2.0.1 ReasonEnumType has a value for a station taken out of service: ``PowerLoss`` is what a
station reports after an unplanned loss of power, once it is back; ``Reboot`` says it comes
back; ``Local`` and ``Remote`` say a driver or the central system asked. So ``Other``, "any
other reason", the value both enumerations keep for the rest."""


class Launcher:
    """Builds, starts and retires the stations of a fleet host's chargers.

    Args:
        store: where the chargers' rows are (their statuses, a restored snapshot removed).
        bus: where a launched charger is held, and a forgotten one released.
        node: the host's name on the bus.
        hosted: the host's table of hosted stations.
        writer: where the chargers' log lines go.
        deferrals: the deferred commands, which a forgotten station's no longer follow.
        memory: with ``keep_memory``, the writer of the stations' memory, else None.
        admit: which of the chargers about to start this host may run (``FleetHost``'s
            ``admit``); None: every charger runs here.
    """

    def __init__(
        self,
        store: Store,
        bus: CommandBus,
        node: str,
        hosted: HostedStations,
        writer: OutcomeWriter,
        deferrals: Deferrals,
        *,
        memory: MemoryWriter | None = None,
        admit: Admit | None = None,
    ) -> None:
        self.store = store
        self.bus = bus
        self.node = node
        self._hosted = hosted
        self._writer = writer
        self._deferrals = deferrals
        self._memory = memory
        self._admit = admit

    async def admitted(self, chargers: Sequence[SimulatedCharger]) -> list[SimulatedCharger]:
        """The chargers this host may run: those it runs already, and those ``admit`` lets it."""
        if self._admit is None:
            return list(chargers)
        hosted = [charger for charger in chargers if charger.id in self._hosted]
        others = [charger for charger in chargers if charger.id not in self._hosted]
        allowed = await self._admit(others) if others else set()
        return hosted + [charger for charger in others if charger.id in allowed]

    async def run(self, charger: SimulatedCharger) -> str | None:
        """Build (if needed) and start the charger's station; store the status it reached.
        Returns why it could not be built, or None (also when another worker runs it)."""
        if not await self.admitted([charger]):
            return None  # another worker holds it, and runs it
        error = await self.launch(charger)
        status = FAILED if error is not None else RUNNING
        await self.store.chargers.set_status(charger.organization_id, charger.id, status)
        return error

    async def launch_all(
        self, organization_id: str, chargers: list[SimulatedCharger]
    ) -> dict[str, str]:
        """Launch many chargers of one organization and store their statuses in two writes;
        returns why each that failed could not be built."""
        errors: dict[str, str] = {}
        chargers = await self.admitted(chargers)
        for charger in chargers:
            if (error := await self.launch(charger)) is not None:
                errors[charger.id] = error
        started = [charger.id for charger in chargers if charger.id not in errors]
        if started:
            await self.store.chargers.set_states(organization_id, started, status=RUNNING)
        if errors:
            await self.store.chargers.set_states(organization_id, list(errors), status=FAILED)
        return errors

    async def launch(self, charger: SimulatedCharger) -> str | None:
        """Build (if needed) and start the charger's station, without storing its status;
        returns why it could not be built, or None."""
        hosted = self._hosted.get(charger.id)
        if hosted is not None and not built_from(hosted, charger):
            await self.replace(charger.id)
            hosted = None
        if hosted is not None:
            self._hosted.take_live_changes(charger.id, charger)  # (changed while it was stopped)
        if hosted is None:
            try:
                hosted = self._hosted.build(charger)
            except (ChargerRuntimeError, ValueError, InvalidURI) as error:
                self.log(charger, f"runtime failed: {error}", "error")
                return str(error)
            await self.bus.hold(self.node, [charger.id])
            if (config := without_snapshot(charger.config)) is not None:
                # Restored into the station (station_setup): its reports are queued now.
                await self.store.chargers.update(charger.organization_id, charger.id, config=config)
            if self._memory is not None:  # (after the restored snapshot left the row)
                self._memory.watch(Powered(charger.organization_id, charger.id, hosted.station))
        hosted.fleet.start(hosted.identity)
        self.log(charger, "runtime started", data={"csms_url": hosted.definition.csms_url})
        return None

    async def forget(self, charger_id: str) -> None:
        """Take the charger's station out of the host at once: no longer followed, written,
        held on the bus, nor in its fleet."""
        self._deferrals.expire(charger_id)  # (its station is not followed from now on)
        hosted = self._hosted.pop(charger_id)
        if self._memory is not None:
            powered = Powered(hosted.organization_id, charger_id, hosted.station)
            self._memory.forget(charger_id, powered)
        await self.bus.release(self.node, [charger_id])
        await hosted.fleet.remove(hosted.identity)

    async def replace(self, charger_id: str) -> None:
        """Retire a station built from an old row (see :meth:`retire`)."""
        await self.retire(charger_id, REPLACED_STOP_REASON)

    async def retire(self, charger_id: str, reason: str) -> None:
        """Switch a station off and forget it. A running one ends its transactions with
        ``reason`` and goes down gracefully first, so that its central system hears them end
        and nothing it answered is sent again (a stopped one has no connection to say
        anything on: the central system closes what it left open, ``csms/orphans.py``)."""
        hosted = self._hosted[charger_id]
        if hosted.running:
            hosted.station.stop_transactions(reason)
            # (Within the runtime request's deadline, whatever the central system does: a
            # station whose answers do not come is switched off by its forgetting.)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RETIRE_WAIT_S):
                    await hosted.fleet.switch_off(hosted.identity, drain_s=DRAIN_BEFORE_REBOOT_S)
        await self.forget(charger_id)

    def log(
        self,
        charger: SimulatedCharger,
        text: str,
        level: str = "info",
        data: dict[str, Any] | None = None,
    ) -> None:
        """A line of ``charger``'s runtime log (``charger_logs``)."""
        self._writer.log(charger.organization_id, charger.id, text, level=level, data=data)
