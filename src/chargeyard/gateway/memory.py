"""A worker's stations keep their memory in their charger rows as it changes, so that a worker
that dies (``kill -9``, the machine going down) leaves each station's registers and open
transactions to the worker that adopts it (``gateway/leases.py``).

A real charge point writes its flash when what it must survive changes: a transaction
message goes out, or a power-loss report is answered (``station/power_loss.py``; ``chargeyard
sim --state-dir`` keeps the same memory in files, ``fleet/state_files.py``). Here each such
change marks the station, and a writer task stores the snapshots of the marked stations in one
transaction (``config["power_loss"]``, where a graceful power-down leaves them too,
``gateway/power.py``), a few milliseconds later. The adopting worker builds the station from
its row: its registers go on and its open transactions are reported ended with reason
PowerLoss once it has booted.

A charging station's register moves between its transaction messages (a MeterValues every
MeterValueSampleInterval, 1.6, or TxUpdatedInterval, 2.0.1: 60 s by default), and it is what
the adopter reports as the meter stop (1.6 StopTransaction meterStop, 2.0.1 Transaction.End
register). So every half :data:`REGISTER_EVERY_S` the writer also stores the snapshot of each
charging station that wrote none since the last pass: all of them in the same batched write,
never one write per station. The row's register is then at most ``register_every_s`` plus one
write old when a worker dies, and so is the energy its adopter cannot report: at most that
long of charging, under one meter-value interval's worth for any interval above it (below
it, each MeterValues writes the row as it leaves).

Only a worker keeps it (``FleetHost(keep_memory=True)``): ``chargeyard up`` writes its
stations' snapshots when it stops, and a crash of the one process loses their open
transactions, as it always did. A worker writes only the rows of the chargers it still holds
the lease of (``ChargerRepository.set_config_entries(holder=...)``): one that lost a charger
(it renewed too late) and has not noticed yet cannot write an old snapshot over the row its
new holder restored and cleared.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from chargeyard.gateway.power import SNAPSHOT_KEY, Powered
from chargeyard.station import power_loss
from chargeyard.store import Store

logger = logging.getLogger(__name__)

REGISTER_EVERY_S = 10.0
"""How often a charging station's register is stored even when it sends nothing (at most
this old, plus one write, when its worker dies)."""


class MemoryWriter:
    """Stores the memory of the stations it watches as it changes."""

    def __init__(
        self,
        store: Store,
        *,
        holder: str | None = None,
        register_every_s: float = REGISTER_EVERY_S,
    ) -> None:
        self.store = store
        self._holder = holder  # (the lease holder: a charger it lost is not written)
        self._register_every_s = register_every_s
        self._watched: dict[str, Powered] = {}
        self._changed: dict[str, Powered] = {}
        self._stored_since_pass: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._registers_task: asyncio.Task[None] | None = None
        self.written = 0
        """Snapshots stored so far."""

    def watch(self, powered: Powered) -> None:
        """Keep ``powered``'s memory from now on (and now)."""

        def changed() -> None:
            self._changed[powered.charger_id] = powered
            self._wake.set()

        powered.station.on_memory_changed = changed
        self._watched[powered.charger_id] = powered
        changed()

    def forget(self, charger_id: str, powered: Powered | None = None) -> None:
        """Stop keeping a station's memory (it went to another worker, or was removed)."""
        self._changed.pop(charger_id, None)
        self._watched.pop(charger_id, None)
        if powered is not None:
            powered.station.on_memory_changed = None

    def keep_registers(self) -> int:
        """Mark for the next write every charging station that stored nothing since the last
        pass (its register moved meanwhile); returns how many. Called every half
        ``register_every_s``: a station is stored at least every ``register_every_s``, whether
        its last write was a pass's or a transaction message's."""
        marked = 0
        for charger_id, powered in self._watched.items():
            if charger_id in self._stored_since_pass or charger_id in self._changed:
                continue
            station = power_loss.reporting(powered.station)
            if station is not None and power_loss.charging(station):
                self._changed[charger_id] = powered
                marked += 1
        self._stored_since_pass.clear()
        if marked:
            self._wake.set()
        return marked

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._run(), name="station memory")
        self._registers_task = loop.create_task(self._keep_registers(), name="station registers")

    async def close(self) -> None:
        """Store what changed last, then stop."""
        for task in (self._registers_task, self._task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = self._registers_task = None
        await self._store_changed()

    async def _keep_registers(self) -> None:
        while True:
            await asyncio.sleep(self._register_every_s / 2)
            self.keep_registers()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._store_changed()
            except Exception:  # the database away: the next change writes everything again
                logger.exception("could not store the stations' memory; retried at the next change")

    async def _store_changed(self) -> None:
        changed, self._changed = self._changed, {}
        if not changed:
            return
        snapshots = []
        for powered in changed.values():  # no await: the snapshots of one instant
            station = power_loss.reporting(powered.station)
            if station is not None:
                snapshot = power_loss.take(station, powered.station.clock.now())
                snapshots.append((powered.organization_id, powered.charger_id, snapshot.to_json()))
        # Taken since the last pass: the next one need not take them again (nor while this
        # write runs; one that fails puts them back in ``_changed``).
        self._stored_since_pass.update(changed)
        try:
            self.written += await self.store.chargers.set_config_entries(
                SNAPSHOT_KEY, snapshots, holder=self._holder
            )
        except Exception:
            self._changed = {**changed, **self._changed}  # written at the next change
            raise
