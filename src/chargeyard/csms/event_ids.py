"""Event ids: unique across every process of a cluster without asking anyone, and in time
order, so that a consumer can de-duplicate and order the events it is told.

An id is a UUIDv7 (RFC 9562 section 5.7) in its canonical text form: 48 bits of Unix
milliseconds, a 12-bit counter that orders the ids one process makes within one millisecond
(section 6.2, method 1), and 62 random bits, which two processes making ids in the same
millisecond do not share but by a chance of 2**-62 per pair. The text sorts as the ids were
made: strictly increasing within a process (a process that makes more than 4,096 ids in a
millisecond, or whose clock steps back, counts on from its last id rather than repeat one),
and by time to the millisecond across the nodes of a cluster (as far as their clocks agree).

One event keeps its id everywhere it is told: the webhook body, the live stream of every node
(``cluster/redis_events.py`` relays it), a retry of its delivery.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable

_COUNTER_BITS = 12
_COUNTER_LIMIT = 1 << _COUNTER_BITS
_RANDOM_BITS = 62
_VERSION = 0x7
_VARIANT = 0b10


def _milliseconds() -> int:
    return time.time_ns() // 1_000_000


class EventIds:
    """Makes event ids (``next(ids)`` or ``ids.new()``).

    Args:
        clock: Unix time in milliseconds (injected by tests).
        random_bits: ``random_bits(n)``, n random bits as an int (injected by tests).
    """

    def __init__(
        self,
        clock: Callable[[], int] = _milliseconds,
        random_bits: Callable[[int], int] = secrets.randbits,
    ) -> None:
        self._clock = clock
        self._random_bits = random_bits
        self._last_ms = -1
        self._counter = 0

    def new(self) -> str:
        """A new id, greater than every id this instance made before."""
        ms = self._clock()
        if ms > self._last_ms:
            self._last_ms, self._counter = ms, 0
        else:  # the same millisecond, or a clock stepped back: count on from the last id
            self._counter += 1
            if self._counter == _COUNTER_LIMIT:
                self._last_ms, self._counter = self._last_ms + 1, 0
        value = (
            (self._last_ms & ((1 << 48) - 1)) << 80
            | _VERSION << 76
            | self._counter << 64
            | _VARIANT << 62
            | self._random_bits(_RANDOM_BITS)
        )
        return str(uuid.UUID(int=value))

    def __next__(self) -> str:
        return self.new()


_process_ids = EventIds()


def new_event_id() -> str:
    """A new event id from this process's :class:`EventIds`."""
    return _process_ids.new()


__all__ = ["EventIds", "new_event_id"]
