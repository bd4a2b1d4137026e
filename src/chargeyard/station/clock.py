"""The station's sense of time, injected so that a simulated hour can pass in milliseconds.

Two readings: ``monotonic()`` for deadlines (never jumps) and ``now()`` for the wall-clock
timestamps OCPP messages carry. A station never reads time any other way.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    """Real time: the event loop's monotonic clock and UTC wall time."""

    def monotonic(self) -> float:
        # asyncio's default loop and its timers use time.monotonic as well.
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


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
