"""Named one-shot timers on the station's monotonic clock.

A station owns its timers; it never sleeps. Whoever runs the station (the asyncio runtime, or a
test advancing a :class:`~chargeyard.station.clock.ManualClock`) asks :meth:`Timers.next_deadline`
and calls :meth:`Timers.fire_due` when that time comes. Setting a timer under a name that is
already set replaces it, so "restart the heartbeat" is one call. Cancelling everything (a
reboot, a lost connection) is :meth:`Timers.cancel_all`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chargeyard.station.clock import Clock

# The shortest wait of a timer set for a wall-clock moment (set_at).
_MIN_TIMER_STEP_S = 0.001


class Timers:
    def __init__(self) -> None:
        self._due: dict[str, tuple[float, Callable[[], None]]] = {}

    def set(self, name: str, at: float, callback: Callable[[], None]) -> None:
        self._due[name] = (at, callback)

    def set_at(
        self, clock: Clock, name: str, when: datetime | None, callback: Callable[[], None]
    ) -> None:
        """Set the timer ``name`` for the moment ``clock``'s wall clock reads ``when`` (timers
        run on the monotonic clock: the delay is taken now); None cancels it. A moment already
        past, or due within float rounding, runs a millisecond from now, so that the station
        always makes progress (an expiry, a charging profile's next period)."""
        if when is None:
            self.cancel(name)
            return
        delay = max((when - clock.now()).total_seconds(), _MIN_TIMER_STEP_S)
        self.set(name, clock.monotonic() + delay, callback)

    def cancel(self, name: str) -> None:
        self._due.pop(name, None)

    def cancel_all(self, *, keep: frozenset[str] = frozenset()) -> None:
        for name in [name for name in self._due if name not in keep]:
            del self._due[name]

    def is_set(self, name: str) -> bool:
        return name in self._due

    def deadline(self, name: str) -> float | None:
        entry = self._due.get(name)
        return None if entry is None else entry[0]

    def next_deadline(self) -> float | None:
        if not self._due:
            return None
        return min(at for at, _ in self._due.values())

    def fire_due(self, now: float) -> int:
        """Run every timer due at ``now``, earliest first; returns how many ran.

        A callback may set timers again (even its own name); those run on a later call.
        """
        due = sorted(
            ((at, name) for name, (at, _) in self._due.items() if at <= now), key=lambda e: e[0]
        )
        fired = 0
        for at, name in due:
            entry = self._due.get(name)
            if entry is None or entry[0] != at:
                continue  # cancelled or re-set by an earlier callback
            del self._due[name]
            entry[1]()
            fired += 1
        return fired
