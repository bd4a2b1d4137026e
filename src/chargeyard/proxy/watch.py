"""What the proxy relays, as it passes, for a person or a program watching: the latest frames of
each charger and a live feed of every frame (the proxy's HTTP API, ``api.py``, serves both).

The trace files (``recording.py``) keep every frame; this keeps a window of the latest
(``KEPT_PER_CHARGER`` a charger) in memory and hands each new frame to the watchers as it is
read. A watcher that falls behind by ``WATCHER_QUEUE`` frames loses the oldest it had not
read, and is told how many (``missed``): a slow browser never slows the relay, which only
appends to a queue and never waits.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chargeyard.protocol.passwords import masked_call
from chargeyard.trace.format import Direction

__all__ = ["KEPT_PER_CHARGER", "WATCHER_QUEUE", "FrameFeed", "ProxiedFrame", "Watcher"]

KEPT_PER_CHARGER = 500
WATCHER_QUEUE = 1000


@dataclass(frozen=True, slots=True)
class ProxiedFrame:
    """One frame as the proxy read it: ``seq`` counts every frame the proxy saw, from 1."""

    seq: int
    identity: str
    direction: Direction
    at: datetime
    text: str
    fault: str | None = None

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "seq": self.seq,
            "identity": self.identity,
            "direction": self.direction.value,
            "at": self.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "frame": self.text,
        }
        if self.fault is not None:
            shown["fault"] = self.fault
        return shown


class Watcher:
    """A live feed's reader: :meth:`next_frame` gives each frame as it passed; ``missed``
    counts the frames it fell too far behind to get."""

    def __init__(self, feed: FrameFeed, identity: str | None) -> None:
        self._feed = feed
        self.identity = identity
        self._queue: deque[ProxiedFrame] = deque(maxlen=WATCHER_QUEUE)
        self._arrived = asyncio.Event()
        self.missed = 0

    def offer(self, frame: ProxiedFrame) -> None:
        if self.identity is not None and frame.identity != self.identity:
            return
        if len(self._queue) == WATCHER_QUEUE:
            self.missed += 1  # (the deque drops its oldest)
        self._queue.append(frame)
        self._arrived.set()

    def close(self) -> None:
        self._feed.forget(self)

    async def next_frame(self) -> ProxiedFrame:
        """The next frame, once one has passed (safe to cancel: nothing is lost)."""
        while not self._queue:
            self._arrived.clear()
            await self._arrived.wait()
        return self._queue.popleft()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FrameFeed:
    """The latest frames of each charger and the watchers of every new one. ``clock`` times
    the frames (injected for tests)."""

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._latest: dict[str, deque[ProxiedFrame]] = {}
        self._watchers: set[Watcher] = set()
        self._count = itertools.count(1)

    def frame(
        self, identity: str, direction: Direction, data: str | bytes, fault: str | None = None
    ) -> None:
        """Keep and hand out ``data`` as it passed now; a password a central system sets is
        masked, as in the traces."""
        text = data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")
        if direction is Direction.CSMS_TO_STATION:
            text = masked_call(text)
        frame = ProxiedFrame(next(self._count), identity, direction, self._clock(), text, fault)
        latest = self._latest.get(identity)
        if latest is None:
            latest = self._latest[identity] = deque(maxlen=KEPT_PER_CHARGER)
        latest.append(frame)
        for watcher in self._watchers:
            watcher.offer(frame)

    def latest(
        self, identity: str, limit: int = KEPT_PER_CHARGER, after: int | None = None
    ) -> list[ProxiedFrame]:
        """``identity``'s latest frames, at most ``limit``, newest first; with ``after``, only
        those that came after the frame of that ``seq`` (a reader asking for what is new)."""
        kept = reversed(self._latest.get(identity, ()))
        if after is not None:
            kept = itertools.takewhile(lambda frame: frame.seq > after, kept)
        return list(itertools.islice(kept, limit))

    def identities(self) -> list[str]:
        """The chargers with frames kept, in the order each was first seen."""
        return list(self._latest)

    def watch(self, identity: str | None = None) -> Watcher:
        """A live feed of every frame from now on (of ``identity``'s only, when given); close
        it when done."""
        watcher = Watcher(self, identity)
        self._watchers.add(watcher)
        return watcher

    def forget(self, watcher: Watcher) -> None:
        self._watchers.discard(watcher)
