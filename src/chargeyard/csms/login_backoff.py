"""A back-off for password guessing at the handshake, per source and station identity.

Theory of operation
-------------------
HTTP Basic credentials (security profiles 1 and 2) are checked at each WebSocket handshake;
nothing else limits how fast a client could try them. :class:`LoginBackoff` counts wrong
credentials in a row for each (source, identity) pair, the source being where the attempt
comes from (``peers.py``: an IPv4 address, an IPv6 /64). The first :data:`FREE_FAILURES` cost
nothing (a station with an outdated password reconnecting, a typo); each one after that makes
the pair wait before its next attempt is even checked: 1 s, then 2, 4, ... up to
:data:`MAX_WAIT_S`. An attempt during the wait is refused with 429 Too Many Requests and
``Retry-After`` (RFC 6585 section 4), whatever its password, so guessing from one source gets
no faster than the back-off allows. Right credentials clear the pair's count. A station that is
not being attacked never waits: its count is zero.

Attempts are counted from the moment their check starts, not when it ends: a password check
takes tens of milliseconds (scrypt, off the event loop), and attempts sent at the same time
would otherwise all be checked before the first failure is counted. While checks are in
flight, a new attempt is checked only if the failures counted and the checks in flight
together stay within the free ones; beyond them one check runs at a time, after the wait.
So however many attempts a source sends at once, at most :data:`FREE_FAILURES` are checked
before the back-off holds.

The count is per source so that guessing from one place never locks out the station with the
right password connecting from another: a wrong guess a second from anywhere would otherwise
keep the real station waiting for ever. It is also per identity, so that stations sharing one
address (a site's chargers behind one router) do not wait for each other's mistakes. Behind a
TCP load balancer every connection comes from the balancer's address, so there the count is
per identity alone.

Only wrong credentials count, not missing ones (a station that does not know it needs a
password is not guessing). The table holds at most :data:`MAX_TRACKED` pairs, the oldest
failures dropped first, and forgets a pair :data:`FORGET_AFTER_S` after its last failure, so
that an attacker spraying identities or addresses cannot grow it without bound.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

FREE_FAILURES = 3
FIRST_WAIT_S = 1.0
MAX_WAIT_S = 60.0
FORGET_AFTER_S = 15 * 60.0
MAX_TRACKED = 10_000

_Key = tuple[str, str]  # (source, identity)


@dataclass(slots=True)
class _Attempts:
    failures: int
    in_flight: int
    last_at: float
    wait_until: float


class LoginBackoff:
    """Wrong credentials in a row per source and identity, the checks in flight, and the wait
    they impose (module docstring).

    Every attempt goes through :meth:`begin`; one it lets through is then ended by exactly one
    of :meth:`failed`, :meth:`succeeded` or :meth:`abandoned`.

    Args:
        clock: seconds, monotonic; injected by tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._attempts: OrderedDict[_Key, _Attempts] = OrderedDict()

    def __len__(self) -> int:
        """How many (source, identity) pairs have failures or checks counted."""
        return len(self._attempts)

    def wait_left(self, identity: str, source: str) -> float:
        """Seconds before an attempt for ``identity`` from ``source`` is checked (0: now)."""
        entry = self._current((source, identity))
        if entry is None:
            return 0.0
        wait = max(0.0, entry.wait_until - self._clock())
        if wait == 0 and entry.in_flight and entry.failures + entry.in_flight >= FREE_FAILURES:
            # The checks in flight may each turn out a failure: the next waits for them.
            return FIRST_WAIT_S
        return wait

    def begin(self, identity: str, source: str) -> float:
        """An attempt for ``identity`` from ``source`` arrived: 0 when it is checked now (it
        is counted in flight from here), else the seconds to wait before trying again."""
        wait = self.wait_left(identity, source)
        if wait > 0:
            return wait
        key = (source, identity)
        entry = self._current(key)
        if entry is None:
            now = self._clock()
            entry = self._attempts[key] = _Attempts(0, 0, now, now)
            self._bound()
        entry.in_flight += 1
        return 0.0

    def failed(self, identity: str, source: str, shown: str) -> None:
        """The attempt :meth:`begin` let through had wrong credentials (``shown``: how to
        write the identity in a log)."""
        now = self._clock()
        key = (source, identity)
        entry = self._current(key)
        if entry is None:  # dropped from a full table meanwhile
            entry = self._attempts[key] = _Attempts(0, 1, now, now)
        entry.in_flight = max(0, entry.in_flight - 1)
        entry.failures += 1
        entry.last_at = now
        beyond = entry.failures - FREE_FAILURES
        if beyond > 0:
            wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (beyond - 1))
            entry.wait_until = now + wait
            logger.warning(
                "%s: %d wrong credentials in a row from %s; its next attempt from there is"
                " checked in %d s",
                shown,
                entry.failures,
                source,
                math.ceil(wait),
            )
        self._attempts.move_to_end(key)
        self._bound()

    def succeeded(self, identity: str, source: str) -> None:
        """The attempt had the right credentials: the pair's count starts again."""
        self._attempts.pop((source, identity), None)

    def abandoned(self, identity: str, source: str) -> None:
        """The attempt's check ended without a verdict (the handshake was cancelled)."""
        key = (source, identity)
        entry = self._attempts.get(key)
        if entry is None:
            return
        entry.in_flight = max(0, entry.in_flight - 1)
        if entry.failures == 0 and entry.in_flight == 0:
            del self._attempts[key]

    def _current(self, key: _Key) -> _Attempts | None:
        entry = self._attempts.get(key)
        if (
            entry is not None
            and entry.in_flight == 0
            and self._clock() - entry.last_at > FORGET_AFTER_S
        ):
            del self._attempts[key]
            return None
        return entry

    def _bound(self) -> None:
        while len(self._attempts) > MAX_TRACKED:
            self._attempts.popitem(last=False)
