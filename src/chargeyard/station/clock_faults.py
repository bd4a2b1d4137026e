"""A station whose real-time clock is wrong: an offset, a drift, a jump.

Theory of operation
-------------------
Every timestamp a station writes (StatusNotification, MeterValues, Start/StopTransaction,
TransactionEvent, SecurityEventNotification, NotifyEvent, NotifyReport, its log) is read from
its clock's ``now()`` (``clock.py``). A :class:`FaultyClock` stands in for that clock while a
:class:`ClockFault` is set: its ``now()`` is the true time moved by ``offset_s``, running fast
or slow by ``drift_ppm`` parts per million from the moment the fault is set, and reset to
``jump.to`` (1970-01-01T00:00:00Z, an RTC that lost its backup battery, or any other moment)
``jump.after_s`` seconds later. Its ``monotonic()`` is the true clock's: deadlines, timers and
call timeouts keep their length, as a station's tick counter does when its RTC is wrong.

The faulty time is a function of the true clock's readings alone, so it survives a reboot
(the RTC's error is the hardware's) and a jump happens at its moment whether or not the
station reads its clock then. What the station does by its wall clock follows the faulty time,
as a real station's would: its charging profiles' periods and its reservations come and go by
it, its clock-aligned readings align to it, and the certificates it checks (one it is asked to
install, 1.6 InstallCertificate and 2.0.1 M05; a signed firmware's, L01) are valid or not by
it: a station back in 1970 finds every certificate not yet valid. A station may set its clock
from the central system's ``currentTime`` (1.6 section 4.6 recommends it for Heartbeat.conf);
this one never does, so a fault stands until it is cleared.

``bad_days.py`` installs the clock on a station and clears it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chargeyard.station.clock import Clock

RTC_RESET = datetime(1970, 1, 1, tzinfo=UTC)
"""Where a real-time clock that lost its power starts again: the Unix epoch."""

MAX_OFFSET_S = 100 * 365 * 86400.0
"""The largest offset taken (a century): beyond it a timestamp may leave the years an RFC 3339
date-time can write."""

MAX_DRIFT_PPM = 100_000.0
"""The largest drift taken (10 %, a clock whose crystal is broken; a good one is within
20 ppm): a clock that ran backwards or stood still would not be a clock."""

Jumped = Callable[[datetime, datetime], None]
"""Told of a jump as it happens: the station's time just before it, and just after."""


@dataclass(frozen=True, slots=True)
class ClockJump:
    """The clock is set to ``to`` ``after_s`` seconds after the fault is set (0: at once).

    Raises:
        ValueError: ``to`` without a time zone, before 1970 or in the year 9999; ``after_s``
            negative or not finite.
    """

    to: datetime = RTC_RESET
    after_s: float = 0.0

    def __post_init__(self) -> None:
        if self.to.utcoffset() is None:
            raise ValueError(f"a clock jump goes to a moment with a time zone: {self.to!r}")
        if not RTC_RESET <= self.to < datetime(9999, 1, 1, tzinfo=UTC):
            raise ValueError(f"a clock jump goes to a moment from 1970 to 9998: {self.to}")
        if not (math.isfinite(self.after_s) and self.after_s >= 0):
            raise ValueError(f"a clock jump comes 0 s or more from now: {self.after_s!r}")


@dataclass(frozen=True, slots=True)
class ClockFault:
    """What is wrong with a station's real-time clock (see the module docstring).

    Attributes:
        offset_s: seconds the clock is ahead (negative: behind) from the moment it is set.
        drift_ppm: how fast it gains (negative: loses), in parts per million of the time
            passed since it was set: 100 ppm is 0.36 s an hour.
        jump: a reset of the clock to a given moment, at a given time; None: no jump.

    Raises:
        ValueError: an offset or a drift that is not finite or beyond :data:`MAX_OFFSET_S` /
            :data:`MAX_DRIFT_PPM`.
    """

    offset_s: float = 0.0
    drift_ppm: float = 0.0
    jump: ClockJump | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.offset_s) and abs(self.offset_s) <= MAX_OFFSET_S):
            raise ValueError(f"a clock offset is at most {MAX_OFFSET_S:.0f} s: {self.offset_s!r}")
        if not (math.isfinite(self.drift_ppm) and abs(self.drift_ppm) <= MAX_DRIFT_PPM):
            raise ValueError(
                f"a clock drift is at most {MAX_DRIFT_PPM:.0f} ppm: {self.drift_ppm!r}"
            )


class FaultyClock:
    """``true``'s time with ``fault`` in it (see the module docstring); a :class:`Clock`.

    Args:
        true: the clock the station had (the runner's or a test's).
        fault: what is wrong with it, from now on.
        jumped: told of the jump as it happens (in the first ``now()`` past its moment).
    """

    __slots__ = ("_base_at", "_jump_at", "_jumped", "_rate", "_reads_at", "fault", "true")

    def __init__(self, true: Clock, fault: ClockFault, jumped: Jumped | None = None) -> None:
        self.true = true
        self.fault = fault
        self._jumped = jumped
        # The station's time is _reads_at when the true clock reads _base_at, and runs at
        # _rate from there; a jump moves both anchors.
        self._base_at = true.now()
        self._reads_at = self._base_at + timedelta(seconds=fault.offset_s)
        self._rate = 1.0 + fault.drift_ppm / 1e6
        self._jump_at = None if fault.jump is None else true.monotonic() + fault.jump.after_s

    def monotonic(self) -> float:
        return self.true.monotonic()

    def now(self) -> datetime:
        true_now = self.true.now()
        if self._jump_at is not None:
            late = self.true.monotonic() - self._jump_at
            if late >= 0:
                self._jump(true_now - timedelta(seconds=late))
        return self._reading(true_now)

    def _reading(self, true_now: datetime) -> datetime:
        elapsed = (true_now - self._base_at).total_seconds()
        return self._reads_at + timedelta(seconds=elapsed * self._rate)

    def _jump(self, true_at: datetime) -> None:
        assert self.fault.jump is not None
        before = self._reading(true_at)
        self._jump_at = None
        self._base_at, self._reads_at = true_at, self.fault.jump.to
        if self._jumped is not None:
            self._jumped(before, self.fault.jump.to)

    @property
    def jump_in_s(self) -> float | None:
        """Seconds until the jump (0 when due and not read yet); None: none to come."""
        if self._jump_at is None:
            return None
        return max(0.0, self._jump_at - self.true.monotonic())

    @property
    def jumped(self) -> bool:
        """The jump happened (a clock read it)."""
        return self.fault.jump is not None and self._jump_at is None


__all__ = ["MAX_DRIFT_PPM", "MAX_OFFSET_S", "RTC_RESET", "ClockFault", "ClockJump", "FaultyClock"]
