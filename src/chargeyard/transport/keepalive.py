"""One keepalive for all of a listener's connections: finds the stations gone without
closing their socket.

Why: ``websockets``' keepalive is a task per connection that sleeps, pings, and waits for the
pong under a timeout, every interval, whether or not the station spoke meanwhile: two task
wake-ups, a timer and a future a ping, several times what the ping itself costs. A boot storm
that lasts minutes pays that for every station booted so far (docs/benchmarks-scale.md, "What
a boot costs"). :class:`Keepalive` is one task for all of them, on a wheel of slots (a second
at most):

* a connection that has received nothing for ``interval`` seconds is sent a ping (a station
  that spoke, a Heartbeat or any other frame, is evidently there: it is not pinged);
* a connection that has received nothing ``timeout`` seconds after its ping, not even the
  pong, is closed with 1011 (RFC 6455 section 5.5.2: a pong answers a ping "as soon as is
  practical"; ``websockets`` closes so too);
* a connection is looked at only when it is due, never swept whole.

Keeping the connection alive is the station's part (OCPP-J 1.6 section 5.3, OCPP 2.0.1 part 4
section 5.3: WebSocketPingInterval); the central system's pings only find dead peers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from typing import Protocol

from chargeyard.protocol.keepalive import keepalive_step

logger = logging.getLogger(__name__)

SLOT_S = 1.0
"""The wheel's resolution at most (finer for short intervals: a tenth of them): a connection
is pinged or closed up to a slot late."""


class Pingable(Protocol):
    """What the keepalive needs of a connection (``transport/push.py`` has it)."""

    @property
    def heard_at(self) -> float:
        """The clock's time of the last bytes received (0.0: none yet)."""

    @property
    def reads(self) -> int:
        """How many times bytes were received so far (a pong is told by this count, not by
        the time: uvloop's clock has a millisecond's resolution, a pong on loopback less)."""

    def send_keepalive_ping(self) -> bool:
        """Send a ping now; False when the connection is no longer open."""

    def fail_keepalive(self) -> None:
        """Close the connection: its ping went unanswered."""


class Keepalive:
    """Pings the connections silent for ``interval`` seconds and closes those that do not
    answer within ``timeout`` (None: never closed for it).

    Args:
        interval: seconds of silence before a ping.
        timeout: seconds a ping waits for any bytes back.
        clock: the clock ``heard_at`` is read on (default: the running loop's).
    """

    def __init__(
        self,
        interval: float,
        timeout: float | None,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if interval <= 0 or (timeout is not None and timeout <= 0):
            raise ValueError("the keepalive interval and timeout must be positive")
        self.interval = interval
        self.timeout = timeout
        self.slot_s = min(SLOT_S, interval / 10, SLOT_S if timeout is None else timeout / 10)
        self._clock = clock
        # Each connection's pending ping (its ``reads`` when the ping went; None: no ping out)
        # and the slot of the wheel it is in: a connection is in one slot at a time, and
        # leaves it when it goes (the wheel holds no closed connection).
        self._state: dict[Pingable, tuple[int | None, int]] = {}
        self._wheel: dict[int, set[Pingable]] = {}
        self._task: asyncio.Task[None] | None = None
        self.pings_sent = 0
        """Pings sent since the start."""
        self.closed = 0
        """Connections closed because their ping went unanswered."""

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def __len__(self) -> int:
        return len(self._state)

    def add(self, connection: Pingable) -> None:
        """Watch ``connection`` from now on (due ``interval`` after the later of now and the
        last bytes it received)."""
        self._schedule(connection, None, max(connection.heard_at, self._now()) + self.interval)

    def discard(self, connection: Pingable) -> None:
        """Stop watching ``connection`` (its socket is gone)."""
        state = self._state.pop(connection, None)
        if state is not None:
            due = self._wheel.get(state[1])
            if due is not None:
                due.discard(connection)
                if not due:
                    del self._wheel[state[1]]

    def _schedule(self, connection: Pingable, pinged: int | None, due: float) -> None:
        slot = math.ceil(due / self.slot_s)
        self._state[connection] = (pinged, slot)
        self._wheel.setdefault(slot, set()).add(connection)

    def check(self) -> None:
        """Ping and close what is due by now (the task calls it every slot; a test with its
        own clock calls it directly)."""
        now = self._now()
        current = math.floor(now / self.slot_s)
        # The slots in use span at most interval + timeout: sorting them is cheaper than
        # walking every slot since the last check (a loop held up, a test's clock jumping).
        for slot in sorted(slot for slot in self._wheel if slot <= current):
            for connection in self._wheel.pop(slot):
                try:
                    self._due(connection, self._state[connection][0], now)
                except Exception:  # one bad connection must not end the keepalive of others
                    logger.exception("the keepalive of a connection failed")
                    self._state.pop(connection, None)

    def _due(self, connection: Pingable, pinged: int | None, now: float) -> None:
        reads = connection.reads
        step = keepalive_step(pinged, reads, connection.heard_at, now, self.interval)
        if step == "fail":
            del self._state[connection]
            self.closed += 1
            logger.info("a connection did not answer its keepalive ping in %s s", self.timeout)
            connection.fail_keepalive()
            return
        if step != "ping":  # it spoke (or answered the ping) since
            self._schedule(connection, None, step)
            return
        if not connection.send_keepalive_ping():
            del self._state[connection]  # closing: the server forgets it as its socket goes
            return
        self.pings_sent += 1
        if self.timeout is None:
            self._schedule(connection, None, now + self.interval)
        else:
            self._schedule(connection, reads, now + self.timeout)

    async def start(self) -> None:
        """Run the checks on the running loop, a slot apart, until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.slot_s)
            self.check()
