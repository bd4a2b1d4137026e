"""One station's record of its connection attempts, and the wait before it dials again
(``runtime.py`` runs the station and keeps one :class:`Reconnection`): failed attempts counted
until a connection settles, the back-off (:class:`~chargeyard.fleet.scheduling.ReconnectPolicy`,
OCPP 2.0.1 B04), the station's own pace, a redial at once (A01) or a reconnection storm's wait
(``fleet/chaos/``), and a run of failed attempts as the log tells it (``connect_failures.py``).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from chargeyard.fleet.connect_failures import FailedAttempts, failure_reason
from chargeyard.fleet.scheduling import ReconnectPolicy
from chargeyard.station.tls import Refusal, refusal

if TYPE_CHECKING:
    from chargeyard.fleet.scheduling import RuntimeStats
    from chargeyard.station.core import SimulatedStation

# Seconds a connection must live to count as a success when the station was not Accepted on
# it (a Pending or Rejected boot, or no answer yet): the default policy's ceiling. A CSMS that
# drops every such connection sooner is dialled ever more slowly, up to the policy's ceiling.
SETTLED_AFTER = 60.0

_DEFAULT_POLICY = ReconnectPolicy()
_SHARED_RNG = random.Random()


class Reconnection:
    """One station's connection attempts: how many failed since the last connection that
    settled, the run of failed attempts as logged, and the wait before its next dial.

    Args:
        policy: the backoff policy. Default: :class:`ReconnectPolicy`'s.
        rng: the backoff's randomness (seeded in tests and benchmarks). Default: one shared by
            every runtime (a ``Random`` holds 2.5 KB of state; a fleet should not have one
            per station).
    """

    __slots__ = (
        "_failures",
        "_opened_at",
        "_policy",
        "_refused",
        "_rng",
        "attempt",
        "heard",
        "last_error",
        "storm_wait",
    )

    def __init__(
        self, policy: ReconnectPolicy | None = None, rng: random.Random | None = None
    ) -> None:
        self._policy = policy or _DEFAULT_POLICY
        self._rng = rng or _SHARED_RNG
        self.attempt = 0  # failed attempts since the last connection that settled
        self._opened_at = 0.0  # the scheduler's time the connection opened
        self.heard = False  # the central system sent a frame on this connection
        self.storm_wait: float | None = None  # a reconnection storm's wait, for the next loss
        self.last_error: str | None = None
        self._failures: FailedAttempts | None = None  # this run of failed attempts, as logged
        # The TLS refusal recorded in this run of failed attempts (tls_refused).
        self._refused: tuple[Refusal, str] | None = None

    def started(self) -> None:
        """The runtime starts: no run of failed attempts, and no storm's wait, carried over."""
        self._failures = None
        self.storm_wait = None

    def opened(self, now: float) -> FailedAttempts | None:
        """A connection opened at ``now`` (the scheduler's time): the run of failed attempts
        ends. Returns that run, for the log (None: the first attempt succeeded)."""
        self._opened_at = now
        self.heard = False
        self.last_error = None
        self._refused = None
        failures, self._failures = self._failures, None
        return failures

    def failed(self, error: Exception, url: str, identity: str, stats: RuntimeStats) -> None:
        """An attempt to dial ``url`` failed with ``error``: counted in ``stats`` and told to
        the log as part of this run of failed attempts (``connect_failures.py``)."""
        what = f"{type(error).__name__}: {error}"
        self._problem(identity, what, stats)
        failures = self._failures
        if failures is None:
            failures = self._failures = FailedAttempts(identity, url)
        failures.url = url  # (a 2.0.1 station may dial another of its profiles: B10)
        failures.failed(failure_reason(error), what)

    @property
    def failure_reason(self) -> str | None:
        """Why the last attempt of this run of failed attempts failed (``connect_failures.py``:
        connection refused, a DNS failure, ...); None once connected or before any attempt."""
        return None if self._failures is None else self._failures.reason

    def tls_refused(self, station: SimulatedStation, error: Exception) -> None:
        """A handshake the station refused is a security event (A00.FR.310, 316; 1.6
        whitepaper 2.4, 8), recorded once per run of failed attempts (until a connection
        opens), or when the reason changes: retrying every few seconds against the same
        certificate would otherwise fill the security log and the queue of critical events
        with copies of one event."""
        refused = refusal(error)
        if refused is None or refused == self._refused:
            return
        self._refused = refused
        station.tls_refused(*refused)

    def connection_ended(
        self, station: SimulatedStation, now: float, dropped: str | None, stats: RuntimeStats
    ) -> None:
        """The station's connection ends at ``now`` (the scheduler's time), its session not
        yet: the failed attempts start again from none if the connection settled, else it was
        one more. ``dropped``: how the central system or the network ended it (None: the
        station did); a connection dropped before it settled is a connection problem of the
        fleet's too (``stats``), as a failed dial is, with how it ended."""
        if self._settled(station, now):
            self.attempt = 0
            return
        self.attempt += 1
        if dropped is not None:
            self._problem(station.identity, f"dropped before it was Accepted: {dropped}", stats)

    def _problem(self, identity: str, what: str, stats: RuntimeStats) -> None:
        """A failed attempt, counted in ``stats`` and listed among its latest problems."""
        self.last_error = what
        stats.failures += 1
        stats.error(identity, what)

    def attempt_ended(self) -> None:
        """An attempt that never opened a connection ended: one more failed attempt."""
        self.attempt += 1

    def _settled(self, station: SimulatedStation, now: float) -> bool:
        """The connection now ending proved the central system takes the station: the station
        was Accepted on it and the central system said something there (a BootNotification
        answered Accepted, B01, 1.6 section 4.2; or, for a registration that stood through the
        last lost connection, B04, any frame: such a station is Accepted the moment it
        connects, so a central system that drops every connection at once has not taken it),
        or it lived :data:`SETTLED_AFTER` seconds. Until then it was one more failed attempt."""
        if now - self._opened_at >= SETTLED_AFTER:
            return True
        return self.heard and station.online

    def wait_to_dial(self, station: SimulatedStation) -> float | None:
        """How long the station waits to dial again after its connection or attempt ended, or
        None when it wants no connection: a storm's spread first, none after a redial (new
        credentials, A01), else its own pace or the back-off. A storm's wait and a redial are
        used up either way."""
        storm, self.storm_wait = self.storm_wait, None
        at_once = station.take_dial_at_once()
        if not station.wants_connection:
            return None
        if storm is not None:
            return storm
        if at_once:
            return 0.0
        paced = station.reconnect_wait(self.attempt, self._rng)
        return paced if paced is not None else self._policy.wait(self.attempt, self._rng)
