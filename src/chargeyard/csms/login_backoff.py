"""A back-off for password guessing at the handshake, per station identity.

Theory of operation
-------------------
HTTP Basic credentials (security profile 1) are checked at each WebSocket handshake; nothing
limited how fast a client could try them, so a password could be guessed at the rate the
listener answers. :class:`LoginBackoff` counts each identity's wrong credentials in a row. The
first :data:`FREE_FAILURES` cost nothing (a station with an outdated password reconnecting, a
typo); each one after that makes the identity wait before its next attempt is even checked:
1 s, then 2, 4, ... up to :data:`MAX_WAIT_S`. An attempt during the wait is refused with 429
Too Many Requests and ``Retry-After`` (RFC 6585 section 4), whatever its password, so guessing
gets no faster than the back-off allows. Right credentials clear the count. A station that is
not being attacked never waits: its count is zero.

Only wrong credentials count, not missing ones (a station that does not know it needs a
password is not guessing). The table holds at most :data:`MAX_TRACKED` identities, the
oldest failures dropped first, and forgets an identity :data:`FORGET_AFTER_S` after its last
failure, so that an attacker spraying identities cannot grow it without bound.
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


@dataclass(slots=True)
class _Failures:
    count: int
    last_at: float
    wait_until: float


class LoginBackoff:
    """Wrong credentials in a row per identity, and the wait they impose (module docstring).

    Args:
        clock: seconds, monotonic; injected by tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()

    def __len__(self) -> int:
        """How many identities have wrong credentials counted."""
        return len(self._failures)

    def wait_left(self, identity: str) -> float:
        """Seconds before an attempt for ``identity`` is checked again (0: now)."""
        entry = self._current(identity)
        if entry is None:
            return 0.0
        return max(0.0, entry.wait_until - self._clock())

    def failed(self, identity: str, shown: str) -> None:
        """Count wrong credentials for ``identity`` (``shown``: how to write it in a log)."""
        now = self._clock()
        entry = self._current(identity)
        if entry is None:
            entry = _Failures(0, now, now)
        entry.count += 1
        entry.last_at = now
        beyond = entry.count - FREE_FAILURES
        if beyond > 0:
            wait = min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (beyond - 1))
            entry.wait_until = now + wait
            logger.warning(
                "%s: %d wrong credentials in a row; its next attempt is checked in %d s",
                shown,
                entry.count,
                math.ceil(wait),
            )
        self._failures[identity] = entry
        self._failures.move_to_end(identity)
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)

    def succeeded(self, identity: str) -> None:
        """Right credentials: the count starts again."""
        self._failures.pop(identity, None)

    def _current(self, identity: str) -> _Failures | None:
        entry = self._failures.get(identity)
        if entry is not None and self._clock() - entry.last_at > FORGET_AFTER_S:
            del self._failures[identity]
            return None
        return entry
