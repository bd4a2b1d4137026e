"""A worker's stations keep their memory in their charger rows as it changes, so that a worker
that dies (``kill -9``, the machine going down) leaves each station's registers and open
transactions to the worker that adopts it (``gateway/leases.py``).

A real charge point writes its flash when what it must survive changes: a transaction
message goes out, or a power-loss report is answered (``station/power_loss.py``; ``chargeyard
sim --state-dir`` keeps the same memory in files, ``station/state_files.py``). Here each such
change marks the station, and a writer task stores the snapshots of the marked stations in one
transaction (``config["power_loss"]``, where a graceful power-down leaves them too,
``gateway/power.py``), a few milliseconds later. The adopting worker builds the station from
its row: its registers go on and its open transactions are reported ended with reason
PowerLoss once it has booted.

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


class MemoryWriter:
    """Stores the memory of the stations it watches as it changes."""

    def __init__(self, store: Store, *, holder: str | None = None) -> None:
        self.store = store
        self._holder = holder  # (the lease holder: a charger it lost is not written)
        self._changed: dict[str, Powered] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.written = 0
        """Snapshots stored so far."""

    def watch(self, powered: Powered) -> None:
        """Keep ``powered``'s memory from now on (and now)."""

        def changed() -> None:
            self._changed[powered.charger_id] = powered
            self._wake.set()

        powered.station.on_memory_changed = changed
        changed()

    def forget(self, charger_id: str, powered: Powered | None = None) -> None:
        """Stop keeping a station's memory (it went to another worker, or was removed)."""
        self._changed.pop(charger_id, None)
        if powered is not None:
            powered.station.on_memory_changed = None

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="station memory")

    async def close(self) -> None:
        """Store what changed last, then stop."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._store_changed()

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
        try:
            self.written += await self.store.chargers.set_config_entries(
                SNAPSHOT_KEY, snapshots, holder=self._holder
            )
        except Exception:
            self._changed = {**changed, **self._changed}  # written at the next change
            raise
