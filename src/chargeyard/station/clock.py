"""The station's sense of time, injected so that a simulated hour can pass in milliseconds.

Two readings: ``monotonic()`` for deadlines (never jumps) and ``now()`` for the wall-clock
timestamps OCPP messages carry. A station never reads time any other way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from chargeyard import loop_clock


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    """Real time: the running event loop's clock and UTC wall time (``loop_clock``: the same as
    ``time.monotonic`` and the wall clock, unless the loop fast-forwards)."""

    def monotonic(self) -> float:
        # asyncio's loop and its timers use time.monotonic as well.
        return loop_clock.monotonic()

    def now(self) -> datetime:
        return loop_clock.now()


class ManualClock:
    """Time that moves only when told to: tests and fast-forward simulations."""

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._elapsed = 0.0

    def monotonic(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time does not run backwards")
        self._elapsed += seconds


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision and a "Z", as OCPP timestamps are written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
