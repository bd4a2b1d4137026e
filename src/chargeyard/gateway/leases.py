"""A worker's share of the durable chargers, when the gateway runs as several processes
(``chargeyard worker``), kept by leases in the database (``store/repositories/leases.py``).

Theory of operation
-------------------
Every ``every_s`` seconds, :meth:`LeaseKeeper.keep` makes one pass:

1. the worker beats (it is alive for ``ttl_s`` more) and renews its leases for as long;
2. a charger whose lease it no longer holds (it renewed too late and another worker took it)
   stops here at once, silently: the other worker runs it now;
3. a charger it holds that no longer runs here (stopped through the API) is released;
4. it takes chargers that want to run and that nobody holds (never started, or their holder
   stopped renewing), up to its share: the chargers that want to run divided among the
   workers alive, rounded up. Each boots as after a power loss (``FleetHost.adopt``). A
   worker holding more than its share (another worker joined) hands the rest off: they go
   down as at a power loss, their snapshots written, and the others take them.

So a worker that dies (``kill -9``) loses its leases ``ttl_s`` after its last pass, and the
others adopt its chargers within ``ttl_s + every_s`` (9 + 3 s by default: within 15 s, with
the pass's own time). A charger started through the API goes to whichever worker takes the
request; that worker leases it before it runs it (``admit``), so two workers never run one
charger.

Bounded: one lease per charger and one beat per worker; a worker that stops
(:meth:`LeaseKeeper.stop`, its host closed, then :meth:`LeaseKeeper.leave`) deletes its rows,
a dead one's expire and are taken over or replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from chargeyard.gateway.host import FleetHost
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

TTL_S = 9.0
EVERY_S = 3.0


class LeaseKeeper:
    """Keeps ``host``'s share of the chargers under leases named ``worker``.

    Args:
        clock: the wall clock the leases are read and written on (injected in tests).
    """

    def __init__(
        self,
        host: FleetHost,
        store: Store,
        *,
        worker: str,
        ttl_s: float = TTL_S,
        every_s: float = EVERY_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if every_s >= ttl_s:
            raise ValueError("a lease must outlive the time between two passes")
        self.host = host
        self.store = store
        self.worker = worker
        self._ttl = timedelta(seconds=ttl_s)
        self._every_s = every_s
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    async def admit(self, chargers: Sequence[SimulatedCharger]) -> set[str]:
        """Lease what nobody holds among ``chargers`` (the host's ``admit``)."""
        now = self._clock()
        taken = await self.store.leases.take(
            self.worker,
            now=now,
            until=now + self._ttl,
            limit=len(chargers),
            charger_ids=[charger.id for charger in chargers],
        )
        return {charger.id for charger in taken}

    async def keep(self) -> None:
        """One pass (the module docstring's four steps)."""
        now = self._clock()
        until = now + self._ttl
        await self.store.leases.beat(self.worker, until=until)
        held = await self.store.leases.renew(self.worker, until=until, now=now)
        hosted = set(self.host.hosted())
        if lost := hosted - held:
            logger.warning("%d chargers now run on another worker: stopped here", len(lost))
            await self.host.drop(sorted(lost))
        idle = {charger_id for charger_id in held if not self.host.is_running(charger_id)}
        await self.store.leases.release(self.worker, sorted(idle))
        mine = sorted(held - idle)
        wanted = await self.store.leases.running_wanted()
        workers = max(await self.store.leases.live_workers(now), 1)
        share = math.ceil(wanted / workers)
        if len(mine) > share:
            handed = mine[share:]
            logger.info("handing %d chargers to the other workers", len(handed))
            await self.host.hand_off(handed)
            await self.store.leases.release(self.worker, handed)
        elif len(mine) < share:
            taken = await self.store.leases.take(
                self.worker, now=now, until=until, limit=share - len(mine)
            )
            if taken:
                logger.info("adopting %d chargers", len(taken))
                await self.host.adopt(taken)

    async def start(self) -> None:
        """The first pass now, then one every ``every_s`` seconds."""
        await self.keep()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="leases")

    async def stop(self) -> None:
        """Stop passing (before the host closes: its stations go down holding their leases)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def leave(self) -> None:
        """Give everything up, once the host has closed (its stations' snapshots are in their
        rows): the chargers are free for the other workers at once."""
        await self.store.leases.leave(self.worker)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every_s)
            try:
                await self.keep()
            except Exception:  # the database away for a while: the next pass tries again
                logger.exception("leases: a pass failed; the next one tries again")
