"""What an outgoing call of a station continues with: ``on_result`` with the CALLRESULT's
payload, or ``on_error`` with why it failed (a CALLERROR, a timeout, a lost connection).

Continuations instead of awaiting keep ten thousand stations free of a task per conversation
(see ``core.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from chargeyard.protocol import CallFailure, Payload

OnResult = Callable[[Payload], None]
OnError = Callable[[CallFailure], None]


def ignore_result(payload: Payload) -> None:
    """The continuation of a call whose answer changes nothing."""
    return None


__all__ = ["OnError", "OnResult", "ignore_result"]
