"""The network work a station hands to its runner: file transfers for firmware and logs.

A station has no I/O of its own (``core.py``). When a central system asks it to fetch firmware
(OCPP 1.6 UpdateFirmware, 2.0.1 L01) or to upload diagnostics (1.6 GetDiagnostics, 2.0.1 N01),
it asks its :class:`StationIO`, which reports back through the callbacks; the runner then wakes
the station. Tests pass a fake that answers at once or on command.

``transfers.py`` is the real one, for the asyncio runtime. :class:`Retrying` is the sans-I/O
part every version shares: a transfer's retries on the station's timers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar, runtime_checkable

from chargeyard.station.clock import Clock
from chargeyard.station.timers import Timers

T = TypeVar("T")


class StationIO(Protocol):
    def download(
        self, url: str, on_done: Callable[[bytes], None], on_error: Callable[[str], None]
    ) -> None:
        """Fetch ``url``; call exactly one of the callbacks, later (never re-entrantly)."""

    def upload(
        self,
        url: str,
        filename: str,
        content: bytes,
        on_done: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        """Send ``content`` as ``filename`` to ``url`` (HTTP(S) PUT/POST or FTP as the URL
        says); call exactly one of the callbacks, later."""


class UnavailableIO:
    """For a station run without network I/O: every transfer fails, and says why."""

    def __init__(self, schedule: Callable[[Callable[[], None]], None] | None = None) -> None:
        self._schedule = schedule or (lambda work: work())

    def download(
        self, url: str, on_done: Callable[[bytes], None], on_error: Callable[[str], None]
    ) -> None:
        self._schedule(lambda: on_error("this station has no network I/O"))

    def upload(
        self,
        url: str,
        filename: str,
        content: bytes,
        on_done: Callable[[], None],
        on_error: Callable[[str], None],
    ) -> None:
        self._schedule(lambda: on_error("this station has no network I/O"))


@runtime_checkable
class HasStationIO(Protocol):
    """A station that hands file transfers to a :class:`StationIO` (its ``io``)."""

    io: StationIO


class Retrying(Generic[T]):
    """One file transfer, tried until it succeeds or its attempts run out.

    The ``retries`` / ``retryInterval`` of OCPP 1.6 UpdateFirmware and GetDiagnostics (sections
    5.19 and 5.9; 2.0.1 L01 and N01 have the same fields): ``attempts`` tries, ``interval_s``
    apart, on the station's own timers so that a simulated clock runs them too. Only the first
    callback of the current try counts: a late answer of a cancelled try, or a second one, is
    ignored.

    Args:
        timers: the station's timers; the wait between tries is the timer ``name``.
        clock: the station's clock.
        attempts: tries in all (at least one is made).
        attempt: starts one try: ``attempt(ok, fail)`` calls one of them, now or later.
        on_done: the transfer succeeded, with what ``ok`` was given.
        on_failed: every try failed; the reason of the last one.
        on_retry: a try failed and another follows: ``on_retry(tries_so_far, reason)``.
    """

    def __init__(
        self,
        timers: Timers,
        clock: Clock,
        name: str,
        *,
        attempts: int,
        interval_s: float,
        attempt: Callable[[Callable[[T], None], Callable[[str], None]], None],
        on_done: Callable[[T], None],
        on_failed: Callable[[str], None],
        on_retry: Callable[[int, str], None] | None = None,
    ) -> None:
        self._timers = timers
        self._clock = clock
        self._name = name
        self.attempts = max(1, attempts)
        self.interval_s = max(0.0, interval_s)
        self._attempt = attempt
        self._on_done = on_done
        self._on_failed = on_failed
        self._on_retry = on_retry
        self.tries = 0
        self.active = False
        self._waiting_for = 0  # the try whose answer is awaited; 0 when none is

    def start(self) -> None:
        self.active = True
        self._try()

    def cancel(self) -> None:
        self.active = False
        self._waiting_for = 0
        self._timers.cancel(self._name)

    def _try(self) -> None:
        if not self.active:
            return
        self.tries += 1
        number = self._waiting_for = self.tries
        self._attempt(
            lambda value: self._succeeded(number, value),
            lambda reason: self._failed(number, reason),
        )

    def _answer_counts(self, number: int) -> bool:
        if not self.active or number != self._waiting_for:
            return False
        self._waiting_for = 0
        return True

    def _succeeded(self, number: int, value: T) -> None:
        if self._answer_counts(number):
            self.active = False
            self._on_done(value)

    def _failed(self, number: int, reason: str) -> None:
        if not self._answer_counts(number):
            return
        if self.tries >= self.attempts:
            self.active = False
            self._on_failed(reason)
            return
        if self._on_retry is not None:
            self._on_retry(self.tries, reason)
        self._timers.set(self._name, self._clock.monotonic() + self.interval_s, self._try)
