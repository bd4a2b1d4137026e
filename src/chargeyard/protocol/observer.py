"""What a :class:`~chargeyard.protocol.session.Session` tells an observer, for metrics.

The session is the one place that knows, for every frame, its message type and action (an
answer's action is the action of the CALL it answers), when a CALL of ours went out and when
its answer came, and the code of every CALLERROR. An observer passed to the session hears
these facts as they happen; the session keeps no counters of its own and imports nothing to
report them, so the sans-I/O core stays free of any metrics library.

An observer runs on the hot path, once or twice per frame: it must be quick and must not raise.
``chargeyard.metrics.ProtocolStats`` is the one this project ships.

Actions are ``""`` where the session cannot tell one: an answer to no call of ours, a
CALLERROR to a frame it could not read, a CALLRESULTERROR.
"""

from __future__ import annotations

from typing import Protocol


class SessionObserver(Protocol):
    def message(self, direction: str, message_type: int, action: str) -> None:
        """A frame went ``"in"`` or ``"out"``; ``message_type`` is its OCPP-J number (2 CALL,
        3 CALLRESULT, 4 CALLERROR, 5 CALLRESULTERROR, 6 SEND)."""

    def call_answered(self, action: str, seconds: float) -> None:
        """Our CALL of ``action`` got its answer (a CALLRESULT or a CALLERROR) ``seconds``
        after it was handed out, on the session's clock."""

    def call_timed_out(self, action: str) -> None:
        """Our CALL of ``action`` got no answer within the session's call timeout."""

    def call_error(self, direction: str, code: str) -> None:
        """A CALLERROR with ``code`` was received (``"in"``) or sent (``"out"``)."""
