"""The fleet host: this process's runtime provider for the durable chargers of the gateway.

Theory of operation
-------------------
A durable charger (``simulated_chargers`` row) says what to run (template, OCPP version, CSMS
URL, configuration: ``gateway/definitions.py``) and whether it should run
(``desired_state``). The host converges on it:

* :meth:`FleetHost.start_charger` / :meth:`~FleetHost.stop_charger` /
  :meth:`~FleetHost.restart_charger` store the desired state, act on the station in this
  process's :class:`~chargeyard.fleet.fleet.Fleet`, store the status the runtime reached
  (``running``, ``stopped``, ``failed``) and answer a :class:`RuntimeReport` (the API reference's
  ``{provider, runtime_kind, service_name, desired_count, status}``);
* :meth:`FleetHost.resume`, at process start, starts every charger whose desired state is
  running (and marks ``stopped`` those that said ``running`` but are not wanted);
* it serves the runtime requests the bus brings it (``gateway/runtime_service.py``: the same
  verbs, a command's precheck and the live status, asked by the API's
  :class:`~chargeyard.gateway.runtime_client.RuntimeClient`), and holds on the bus every
  charger it hosts, so that a charger's requests and commands come to this host;
* its :class:`~chargeyard.gateway.command_runner.CommandRunner` takes commands off the bus,
  applies each with the :class:`~chargeyard.gateway.executor.Executor` and hands the outcome
  to the :class:`~chargeyard.gateway.outcomes.OutcomeWriter`, which records outcomes in
  batches (a command fanned out to a thousand chargers costs a few writes, not a thousand)
  and then reports them on the bus;
* every frame of a hosted charger goes to the store's batched frame log under its charger id
  (``gateway/frames.py``).

Stations live in one fleet per organization (``gateway/hosted.py``: an OCPP identity is unique
within an organization only).

A stopped station keeps its state (meters, a transaction not yet reported) and reconnects
without a new boot when started again; a restart power-cycles it (it boots again). A running
station whose row changed (template, version, URL, identity, password, configuration) is
replaced as a real station is restarted into new firmware or settings
(:meth:`FleetHost.apply_changes`, after a PUT, and a restart): it ends its transactions
(reason ``Reboot``, both versions), finishes its conversation and switches off
(``SimulatedStation.switch_off``), then a station built from the new row starts and boots.
What a running station takes without a restart, its DataTransfer replies
(``gateway/vendor_replies.py``) and its drivers (``gateway/drivers.py``), is set on it at once
instead. A deleted charger's station
goes down the same way for good, its transactions ending with reason ``Other``
(:data:`~chargeyard.gateway.launcher.REMOVED_STOP_REASON`); what it could not report (it was
offline) its central system closes, when that is the built-in one (``csms/orphans.py``).
Closing the host stops the stations without touching their desired state: the next process
resumes them.

The host owns its parts and composes them: ``gateway/runtime_verbs.py`` serves the verbs
above; ``gateway/launcher.py`` builds, starts, replaces and retires the stations;
``gateway/handoffs.py`` takes and gives away chargers between the workers of a cluster;
``gateway/hosted_chaos.py`` applies faults to a running station.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import uuid4

from chargeyard.bus import CommandBus, CommandMessage
from chargeyard.fleet.autogen import AutogenConfig
from chargeyard.fleet.fleet import Fleet, StationStatus
from chargeyard.gateway.command_runner import NOT_RUNNING, CommandRunner
from chargeyard.gateway.deferrals import Deferrals
from chargeyard.gateway.definitions import definition_of
from chargeyard.gateway.drivers import APP_DRIVERS, AppDrivers
from chargeyard.gateway.executor import Executor, Outcome
from chargeyard.gateway.handoffs import Handoffs
from chargeyard.gateway.hosted import HostedStations
from chargeyard.gateway.hosted_chaos import apply_chaos
from chargeyard.gateway.launcher import Admit, Launcher
from chargeyard.gateway.memory import REGISTER_EVERY_S, MemoryWriter
from chargeyard.gateway.outcomes import OutcomeWriter, stored_status
from chargeyard.gateway.power import power_down
from chargeyard.gateway.runtime_service import RuntimeService
from chargeyard.gateway.runtime_verbs import RuntimeVerbs
from chargeyard.gateway.runtimes import (
    ChaosAnswer,
    ChargerRuntimeError,
    RuntimeAction,
    RuntimeReport,
)
from chargeyard.station.core import SimulatedStation
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

__all__ = [
    "NOT_RUNNING",
    "ChargerRuntimeError",
    "FleetHost",
    "RuntimeAction",
    "RuntimeReport",
    "definition_of",
]


class FleetHost:
    """The ``local`` runtime provider: chargers run as stations on this event loop.

    Use ``async with FleetHost(store, bus) as host:`` (or :meth:`start` / :meth:`close`).

    Args:
        store: where chargers, commands, logs and frames are.
        bus: where commands and runtime requests come from: those of the chargers this host
            holds, and of the chargers no host holds when it is the bus's placement node.
        node: this host's name on the bus (default: made up, unique).
        fleet_factory: makes the fleet of an organization (default: ``Fleet()``; tests pass
            fast reconnection policies).
        executor: applies commands (default: ``Executor()``).
        record_frames: write every frame of every hosted charger to the frame log.
        restart_delay_s: how long a restarted charger stays off before it boots again.
        outcome_batch: outcomes written per transaction at most.
        on_command: told ``(event_type, "succeeded" | "failed")`` of every command applied
            (the process's metrics; the gateway itself imports no metrics library).
        on_fleet: told of each organization's fleet when it is made (metrics attach to it).
        admit: in a cluster of workers, which of the chargers about to start this host may
            run (those its lease keeper could lease, ``gateway/leases.py``); the others run
            on the worker holding them. None: every charger runs here.
        keep_memory: store each station's memory in its row as it changes
            (``gateway/memory.py``), for the worker that adopts it after this one dies.
        register_every_s: with ``keep_memory``, how often a charging station's register is
            stored even when it sends nothing (``memory.REGISTER_EVERY_S``).
        leased: the host's chargers are leased under its ``node`` name (a cluster's worker,
            ``gateway/leases.py``): snapshots are written only into the rows of the chargers it
            still holds.
        app_drivers: how the app drivers of the chargers that have them behave
            (``gateway/drivers.py``).
    """

    def __init__(
        self,
        store: Store,
        bus: CommandBus,
        *,
        fleet_factory: Callable[[], Fleet] | None = None,
        executor: Executor | None = None,
        record_frames: bool = True,
        restart_delay_s: float = 1.0,
        outcome_batch: int = 500,
        on_command: Callable[[str, str], None] | None = None,
        on_fleet: Callable[[Fleet], None] | None = None,
        node: str | None = None,
        admit: Admit | None = None,
        keep_memory: bool = False,
        leased: bool = False,
        register_every_s: float = REGISTER_EVERY_S,
        app_drivers: AutogenConfig = APP_DRIVERS,
    ) -> None:
        self.store = store
        self.node = node or f"host-{uuid4().hex[:12]}"
        self._holder = self.node if leased else None
        self._memory = (
            MemoryWriter(store, holder=self._holder, register_every_s=register_every_s)
            if keep_memory
            else None
        )
        self._on_command = on_command
        self.bus = bus
        self.executor = executor or Executor()
        self._frame_log = store.frame_log() if record_frames else None
        self._hosted = HostedStations(
            fleet_factory or Fleet, on_fleet, self._frame_log, AppDrivers(app_drivers)
        )
        self._writer = OutcomeWriter(store, bus, batch=outcome_batch)
        self._deferrals = Deferrals(self._writer)
        self._launcher = Launcher(
            store,
            bus,
            self.node,
            self._hosted,
            self._writer,
            self._deferrals,
            memory=self._memory,
            admit=admit,
        )
        self._handoffs = Handoffs(store, self._hosted, self._launcher, holder=self._holder)
        self._verbs = RuntimeVerbs(
            store, self._hosted, self._launcher, self._writer, restart_delay_s=restart_delay_s
        )
        self._commands = CommandRunner(
            bus,
            self.node,
            self.executor,
            self._writer,
            self._station_for,
            self._finish,
            self._deferrals,
            self._handoffs.in_transit,
        )
        self._started = False
        self._service = RuntimeService(self)
        self.applied = 0
        """Commands taken off the bus and applied (or refused) so far."""

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start consuming the bus and writing outcomes and frames."""
        if self._started:
            raise RuntimeError("the fleet host is already started")
        self._started = True
        if self._frame_log is not None:
            await self._frame_log.start()
        self._writer.start()
        if self._memory is not None:
            await self._memory.start()
        self._commands.start()
        self._service.start()

    async def close(self) -> None:
        """Stop consuming, stop every station (their desired state stays), write what waits."""
        await self._service.close()
        await self._commands.close()
        self._started = False
        # The process ending is the stations' power going (gateway/power.py).
        for fleet in self._hosted.fleets():
            fleet.stop_autogen()
        self._hosted.drivers.stop()
        if self._memory is not None:
            await self._memory.close()  # (the power-down writes the last snapshots)
        await power_down(self.store, self._hosted.powered(), holder=self._holder)
        for fleet in self._hosted.fleets():
            await fleet.stop_all()
        # Its chargers released and what it had not taken handed on: a command for one of them
        # now reaches a node that is there to answer, never this closed one.
        await self.bus.leave(self.node)
        self._deferrals.expire_all()  # (nothing here sees their stations online again)
        self._hosted.clear()
        await self._writer.close()
        if self._frame_log is not None:
            await self._frame_log.stop()

    async def __aenter__(self) -> FleetHost:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def resume(self) -> list[str]:
        """Start every charger whose desired state is running (after a process restart);
        returns their ids. One that cannot be built is marked ``failed`` with a log line."""
        return await self._verbs.resume()

    # -- a cluster's workers (gateway/leases.py, gateway/handoffs.py) --------------------------

    async def adopt(self, chargers: Sequence[SimulatedCharger]) -> None:
        """Run chargers this worker just leased: each boots as after a power loss (the snapshot
        in its row, if the last holder left one, is restored)."""
        await self._handoffs.adopt(chargers)

    async def drop(self, charger_ids: Sequence[str]) -> None:
        """Stop running chargers whose lease this worker lost (another worker runs them now):
        their stations go silent here, and nothing is written (the row is the new holder's)."""
        await self._handoffs.drop(charger_ids)

    async def hand_off(self, charger_ids: Sequence[str]) -> None:
        """Stop running chargers this worker gives to another (it holds more than its share):
        each goes down as at a power loss, its snapshot written into its row for the worker
        that takes it next."""
        await self._handoffs.hand_off(charger_ids)

    # -- runtimes (start-charger, stop-charger, restart-charger) -----------------------------------

    async def start_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Want it running, and run it.

        Raises:
            NotFoundError: no such charger in this organization.
            ChargerRuntimeError: it cannot be built (its status says ``failed`` too).
        """
        return await self._verbs.start_charger(organization_id, charger_id)

    async def start_chargers(
        self, organization_id: str, charger_ids: Sequence[str]
    ) -> dict[str, RuntimeReport | str]:
        """:meth:`start_charger` for many chargers at once (a location's, a bulk creation):
        a few writes in all, not a few per charger.

        Returns:
            Per charger id, its report, or why it could not be built (its status: ``failed``).

        Raises:
            NotFoundError: a charger is not this organization's (none is started).
        """
        return await self._verbs.start_chargers(organization_id, charger_ids)

    async def stop_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Want it stopped, and take it offline (its state is kept for the next start).

        Raises:
            NotFoundError: no such charger in this organization.
        """
        return await self._verbs.stop_charger(organization_id, charger_id)

    async def restart_charger(self, organization_id: str, charger_id: str) -> RuntimeReport:
        """Want it running, and power-cycle it (it boots again); a charger whose row changed
        is rebuilt, one not running is started.

        Raises:
            NotFoundError: no such charger in this organization.
            ChargerRuntimeError: it cannot be built.
        """
        return await self._verbs.restart_charger(organization_id, charger_id)

    async def apply_changes(self, charger: SimulatedCharger) -> RuntimeAction:
        """Apply a charger's changed row (a PUT) to its running station: when what the station
        is built from changed, it is replaced (see the module docstring) and the new one
        starts; its status is stored. A charger not running here gets it at its next start.
        """
        return await self._verbs.apply_changes(charger)

    async def remove_charger(self, organization_id: str, charger_id: str) -> None:
        """Switch a charger's station off for good and forget it (before its row is deleted):
        a running one ends its transactions (reason
        :data:`~chargeyard.gateway.launcher.REMOVED_STOP_REASON`) and goes down as a station
        does, so that its central system hears them end. Idempotent."""
        await self._verbs.remove_charger(organization_id, charger_id)

    def runtime_report(self, charger: SimulatedCharger, event_type: str) -> RuntimeReport:
        """The runtime as it stands, in the shape of the runtime answers."""
        return self._verbs.runtime_report(charger, event_type)

    # -- looking ------------------------------------------------------------------------------

    def is_running(self, charger_id: str) -> bool:
        hosted = self._hosted.get(charger_id)
        return hosted is not None and hosted.running

    def station(self, charger_id: str) -> SimulatedStation | None:
        """The hosted station of a charger (running or not), or None."""
        hosted = self._hosted.get(charger_id)
        return None if hosted is None else hosted.station

    def station_status(self, charger_id: str) -> StationStatus | None:
        return self._hosted.station_status(charger_id)

    def hosted(self) -> list[str]:
        return list(self._hosted)

    def fleet_of(self, organization_id: str) -> Fleet | None:
        """The fleet running the organization's stations (e.g. to drive it with automatic
        sessions), or None before its first charger is started."""
        return self._hosted.fleet_of(organization_id)

    # -- commands -----------------------------------------------------------------------------

    def chaos(
        self,
        organization_id: str,
        charger_id: str,
        faults: Sequence[dict[str, Any]] | None,
        seed: int | None = None,
    ) -> ChaosAnswer:
        """Add faults (``fleet/chaos/``: network, station and crowd faults, as
        ``fault_to_dict`` writes them; a crowd's spread already) to the charger's running
        station, seeded with ``seed``; ``faults`` None clears them (a stopped station has
        none: they end with its runtime). What it has now, or why nothing was done."""
        hosted = self._hosted.get(charger_id)
        return apply_chaos(hosted, self._writer, organization_id, charger_id, faults, seed)

    def precheck(
        self, organization_id: str, charger_id: str, event_type: str, payload: dict[str, Any]
    ) -> str | None:
        """Why the charger cannot take the command now (not running, no such connector, wrong
        state...), or None: the API queues it or lists it as failed with this reason.

        It reads the station this host runs: the API asks it over the bus
        (``gateway/runtime_service.py``), and a charger no host runs is asked of the bus's
        placement node, which answers that it does not run.
        """
        hosted = self._hosted.running(organization_id, charger_id)
        if hosted is None:
            return NOT_RUNNING
        return self.executor.precheck(hosted.station, event_type, payload)

    async def wait_idle(self) -> None:
        """Return once every command published so far has its outcome written (tests, bench;
        bound the wait with ``asyncio.timeout``)."""
        while await self._commands.busy() or not self._writer.idle:
            await self._writer.written()

    def _station_for(self, message: CommandMessage) -> SimulatedStation | None:
        hosted = self._hosted.running(message.organization_id, message.charger_id)
        return None if hosted is None else hosted.station

    def _finish(self, message: CommandMessage, outcome: Outcome, deferred: bool) -> None:
        self.applied += 1
        if self._on_command is not None:
            self._on_command(message.event_type, "succeeded" if outcome.ok else "failed")
        self._writer.finish(message, outcome, stored_status(outcome, deferred=deferred))
