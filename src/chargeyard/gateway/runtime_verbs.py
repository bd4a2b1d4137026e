"""The runtime verbs as a fleet host serves them where its stations run (``FleetHost``'s
start, stop, restart, apply-changes and remove, and its resume at process start).

Each verb stores the charger's desired state, acts on its station (through the
:class:`~chargeyard.gateway.launcher.Launcher` when the station is to be built, rebuilt or
retired), stores the status the runtime reached (``running``, ``stopped``, ``failed``) and
answers a :class:`~chargeyard.gateway.runtimes.RuntimeReport`; each change is written in the
charger's log.
"""

from __future__ import annotations

from collections.abc import Sequence

from chargeyard.gateway.hosted import HostedStations, built_from
from chargeyard.gateway.launcher import REMOVED_STOP_REASON, Launcher
from chargeyard.gateway.outcomes import OutcomeWriter
from chargeyard.gateway.runtimes import (
    RUNNING,
    STOPPED,
    ChargerRuntimeError,
    RuntimeAction,
    RuntimeReport,
)
from chargeyard.store import Store
from chargeyard.store.models import DesiredState, SimulatedCharger


class RuntimeVerbs:
    """The verbs of ``FleetHost`` on the chargers' runtimes (see the module docstring).

    Args:
        store: where the chargers' rows are (their desired states and statuses).
        hosted: the host's table of hosted stations.
        launcher: what builds, starts and retires their stations.
        writer: where the chargers' log lines go.
        restart_delay_s: how long a restarted charger stays off before it boots again.
    """

    def __init__(
        self,
        store: Store,
        hosted: HostedStations,
        launcher: Launcher,
        writer: OutcomeWriter,
        *,
        restart_delay_s: float,
    ) -> None:
        self.store = store
        self._hosted = hosted
        self._launcher = launcher
        self._writer = writer
        self._restart_delay_s = restart_delay_s

    async def resume(self) -> list[str]:
        """Start every charger that wants to run; mark ``stopped`` those that said ``running``
        but are not wanted. Returns the ids of those started."""
        wanted: dict[str, list[SimulatedCharger]] = {}
        for charger in await self.store.chargers.all_desired(DesiredState.RUNNING):
            wanted.setdefault(charger.organization_id, []).append(charger)
        started: list[str] = []
        for organization_id, chargers in wanted.items():
            errors = await self._launcher.launch_all(organization_id, chargers)
            started += [charger.id for charger in chargers if charger.id not in errors]
        stale: dict[str, list[str]] = {}
        for charger in await self.store.chargers.all_desired(DesiredState.STOPPED):
            hosted = self._hosted.get(charger.id)
            if charger.status == RUNNING and not (hosted is not None and hosted.running):
                stale.setdefault(charger.organization_id, []).append(charger.id)
        for organization_id, ids in stale.items():
            await self.store.chargers.set_states(organization_id, ids, status=STOPPED)
        return started

    async def start_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Want it running, and run it."""
        charger = await self.store.chargers.set_desired_state(
            organization_id, charger_id, DesiredState.RUNNING
        )
        if (error := await self._launcher.run(charger)) is not None:
            raise ChargerRuntimeError(error)
        return self._report(charger, "start_charger", 1)

    async def start_chargers(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, RuntimeReport | str]:
        """Want many running, and run them: per charger id, its report or why it could not be
        built."""
        chargers = await self.store.chargers.set_states(
            organization_id, charger_ids, desired_state=DesiredState.RUNNING
        )
        errors = await self._launcher.launch_all(organization_id, chargers)
        return {
            charger.id: errors.get(charger.id) or self._report(charger, "start_charger", 1)
            for charger in chargers
        }

    async def stop_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Want it stopped, and take it offline."""
        charger = await self.store.chargers.set_desired_state(
            organization_id, charger_id, DesiredState.STOPPED
        )
        hosted = self._hosted.get(charger_id)
        if hosted is not None:
            await hosted.fleet.stop(hosted.identity)
        await self.store.chargers.set_status(organization_id, charger_id, STOPPED)
        self._launcher.log(charger, "runtime stopped")
        return self._report(charger, "stop_charger", 0)

    async def restart_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Want it running, and power-cycle it, rebuild it or start it."""
        charger = await self.store.chargers.set_desired_state(
            organization_id, charger_id, DesiredState.RUNNING
        )
        hosted = self._hosted.get(charger_id)
        if hosted is not None and built_from(hosted, charger):
            self._hosted.take_live_changes(charger_id, charger)
            hosted.fleet.restart(hosted.identity, self._restart_delay_s)
            await self.store.chargers.set_status(organization_id, charger_id, RUNNING)
            self._launcher.log(charger, "runtime restarted (power cycle)")
            return self._report(charger, "restart_charger", 1)
        if (error := await self._launcher.run(charger)) is not None:  # (rebuilt: launch)
            raise ChargerRuntimeError(error)
        return self._report(charger, "restart_charger", 1)

    async def apply_changes(self, charger: SimulatedCharger) -> RuntimeAction:
        """Apply a charger's changed row to its running station: taken live, or rebuilt."""
        hosted = self._hosted.running(charger.organization_id, charger.id)
        if hosted is None:
            return "next_start"
        if built_from(hosted, charger):
            taken = self._hosted.take_live_changes(charger.id, charger)
            if taken:
                self._launcher.log(charger, f"runtime took its changed {' and '.join(taken)}")
                return "applied"
            return "unchanged"
        if await self._launcher.run(charger) is not None:  # (rebuilt: launch)
            return "failed"
        self._launcher.log(charger, "runtime restarted with its changed definition")
        return "restarted"

    async def remove_charger(self, organization_id: str, charger_id: str) -> None:
        """Retire a charger's station for good (reason :data:`REMOVED_STOP_REASON`)."""
        hosted = self._hosted.get(charger_id)
        if hosted is not None and hosted.organization_id == organization_id:
            await self._launcher.retire(charger_id, REMOVED_STOP_REASON)

    def runtime_report(self, charger: SimulatedCharger, event_type: str) -> RuntimeReport:
        """The runtime as it stands."""
        desired = 1 if charger.desired_state == DesiredState.RUNNING else 0
        return self._report(charger, event_type, desired)

    def _report(self, charger: SimulatedCharger, event_type: str, desired: int) -> RuntimeReport:
        return RuntimeReport.of(charger, event_type, desired, active=charger.id in self._hosted)
