"""Remote starts the central system asked for and the station has not begun yet.

Why: a stored transaction says whether the central system started it (``remote_started``).
An OCPP 2.0.1 station says so itself: the first TransactionEvent after a
RequestStartTransaction carries its ``remoteStartId`` (use cases F01, F02), which we match
against the ids we sent. An OCPP 1.6 StartTransaction.req carries no such marker (sections
5.11, 6.45), so the command remembers the start it asked for (station, connector, idTag) and
the StartTransaction handler claims it.

Why in memory: the answer is a flag, not money or safety; a start is remembered only for
the minutes a station may take to begin (ConnectionTimeOut, EVConnectionTimeOut) and only by
the process holding the station's connection (see ``registry.py``), which is where the
StartTransaction arrives. A restart in between loses the flag of that one transaction, which
then reads as started locally. A start is forgotten once claimed, once refused, or after
``ttl`` seconds, so the table never grows beyond the starts of the last ``ttl`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chargeyard import loop_clock

DEFAULT_TTL = 600.0


@dataclass(frozen=True, slots=True)
class RemoteStart:
    """One start asked of ``identity``: the connector (1.6) or EVSE (2.0.1) it names, the id
    tag, and the 2.0.1 ``remoteStartId`` (None in 1.6)."""

    identity: str
    connector_id: int
    id_tag: str
    remote_start_id: int | None = None


class RemoteStarts:
    """The pending remote starts of this process, each until claimed or ``ttl`` seconds old.

    ``clock`` is a monotonic clock in seconds (injected so tests need not wait); by default the
    event loop's (``loop_clock``), so that a fast-forwarded lab's remote starts expire on its
    clock, as its stations' ConnectionTimeOut does.
    """

    def __init__(
        self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = loop_clock.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        # Insertion order is age order: expired starts are at the front.
        self._pending: dict[RemoteStart, float] = {}

    def __len__(self) -> int:
        self._forget_expired()
        return len(self._pending)

    def expect(self, start: RemoteStart) -> None:
        """Remember ``start``. Called *before* the request goes out: the station may begin the
        transaction before the command has read the answer."""
        self._forget_expired()
        self._pending.pop(start, None)  # a repeated start is young again
        self._pending[start] = self._clock() + self.ttl

    def withdraw(self, start: RemoteStart) -> None:
        """Forget ``start``: the station refused it, or never answered."""
        self._pending.pop(start, None)

    def claim(
        self,
        identity: str,
        *,
        connector_id: int,
        id_tag: str | None,
        remote_start_id: int | None = None,
    ) -> bool:
        """Whether a transaction ``identity`` begins is one we asked for; a match is forgotten.

        With a ``remoteStartId`` (2.0.1) that id decides; without, the connector and the
        id tag (1.6).
        """
        self._forget_expired()
        for start in self._pending:
            if start.identity != identity:
                continue
            if remote_start_id is not None:
                matches = start.remote_start_id == remote_start_id
            else:
                matches = start.connector_id == connector_id and start.id_tag == id_tag
            if matches:
                del self._pending[start]
                return True
        return False

    def _forget_expired(self) -> None:
        now = self._clock()
        while self._pending:
            start, expires = next(iter(self._pending.items()))
            if expires > now:
                return
            del self._pending[start]
