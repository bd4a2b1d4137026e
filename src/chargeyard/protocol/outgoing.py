"""Our CALLs on one connection: at most one outstanding, the others waiting their turn.

"A sender SHALL NOT send a CALL while it is waiting for an answer to a previous CALL" (OCPP-J
1.6 section 4.1.1; OCPP 2.0.1 part 4 section 4.1.1): :class:`OutgoingCalls` hands out one CALL
at a time, in the order they were made, the next as soon as the one in flight is answered or its
deadline passes. A call's deadline starts when its frame is handed out. No I/O: handing out is
the session's callback (it queues the frame and tells its observer).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from chargeyard.protocol.errors import ErrorKind, OcppError
from chargeyard.protocol.router import OutgoingPayload


@dataclass(slots=True)
class OutgoingCall:
    """A CALL of ours: its frame, and once handed out, when its answer is due."""

    unique_id: str
    action: str
    frame: bytes
    deadline: float = 0.0


class OutgoingCalls:
    """The CALL in flight and those waiting behind it, in order.

    Args:
        clock: seconds, monotonic (the session's).
        call_timeout: seconds a CALL waits for its answer once handed out.
        hand_out: called with each CALL as it goes out (its deadline set).
    """

    __slots__ = ("_call_timeout", "_clock", "_hand_out", "_in_flight", "_waiting")

    def __init__(
        self,
        clock: Callable[[], float],
        call_timeout: float,
        hand_out: Callable[[OutgoingCall], None],
    ) -> None:
        self._clock = clock
        self._call_timeout = call_timeout
        self._hand_out = hand_out
        self._in_flight: OutgoingCall | None = None
        # None while no CALL waits (most of the time): an empty deque costs most of a kilobyte,
        # for each of a fleet's stations.
        self._waiting: deque[OutgoingCall] | None = None

    def add(self, outgoing: OutgoingCall) -> None:
        """Hand ``outgoing`` out now if no CALL is in flight, else queue it."""
        if self._in_flight is None:
            self._transmit(outgoing)
        else:
            if self._waiting is None:
                self._waiting = deque()
            self._waiting.append(outgoing)

    def _transmit(self, outgoing: OutgoingCall) -> None:
        outgoing.deadline = self._clock() + self._call_timeout
        self._in_flight = outgoing
        self._hand_out(outgoing)

    def _finish_in_flight(self) -> None:
        self._in_flight = None
        waiting = self._waiting
        if waiting:
            outgoing = waiting.popleft()
            if not waiting:
                self._waiting = None
            self._transmit(outgoing)

    def answered_by(self, unique_id: str) -> OutgoingCall | None:
        """The call in flight if ``unique_id`` answers it (which ends it and hands out the
        next), else None."""
        outgoing = self._in_flight
        if outgoing is None or outgoing.unique_id != unique_id:
            return None
        self._finish_in_flight()
        return outgoing

    def sent_at(self, outgoing: OutgoingCall) -> float:
        """When ``outgoing`` was handed out (its deadline less the timeout)."""
        return outgoing.deadline - self._call_timeout

    def next_deadline(self) -> float | None:
        return None if self._in_flight is None else self._in_flight.deadline

    def expired(self) -> OutgoingCall | None:
        """The call in flight if its deadline has passed (which ends it and hands out the
        next), else None."""
        outgoing = self._in_flight
        if outgoing is None or outgoing.deadline > self._clock():
            return None
        self._finish_in_flight()
        return outgoing

    def cancel(self) -> list[OutgoingCall]:
        """Forget every call, in flight and waiting; returns them in order."""
        pending = ([self._in_flight] if self._in_flight else []) + list(self._waiting or ())
        self._in_flight = None
        self._waiting = None
        return pending

    def __len__(self) -> int:
        """Calls sent and not yet answered (0 or 1) plus calls waiting their turn."""
        waiting = 0 if self._waiting is None else len(self._waiting)
        return waiting + (self._in_flight is not None)


def encode_request(
    encoder: Callable[[str, str, OutgoingPayload], bytes],
    unique_id: str,
    action: str,
    payload: OutgoingPayload,
) -> bytes:
    """Encode an outgoing request, turning what JSON cannot carry into the caller's error.

    The schemas allow integers of any size; OCPP-J's JSON (and orjson) stops at 64 bits.

    Raises:
        OcppError: TypeConstraintViolation, the payload is not JSON.
    """
    try:
        return encoder(unique_id, action, payload)
    except (TypeError, ValueError) as error:
        raise OcppError(
            ErrorKind.TYPE_CONSTRAINT_VIOLATION, f"{action}: payload is not JSON: {error}"
        ) from None


__all__ = ["OutgoingCall", "OutgoingCalls", "encode_request"]
