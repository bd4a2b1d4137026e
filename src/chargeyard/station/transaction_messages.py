"""Transaction messages: kept in order, delivered one at a time, never dropped while offline.

StartTransaction, StopTransaction and a transaction's MeterValues (1.6), TransactionEvent
(2.0.1) go through a :class:`TransactionQueue`: kept while offline, sent in order one at a time
after (re)connection, built when sent (so a StopTransaction carries the transaction id the
central system gave the StartTransaction), resent after a lost connection (so a message whose
answer was lost reaches the central system twice: at least once), retried after a CALLERROR a
limited number of times (1.6 section 4.10: TransactionMessageAttempts /
TransactionMessageRetryInterval; 2.0.1 E13: MessageAttemptsTransactionEvent /
MessageAttemptIntervalTransactionEvent).

:class:`TransactionDelivery` sends the head of the queue when the station may: connected,
Accepted, not powering off, and while going down only as long as it drains (``core.py``). It
also says when the messages queued at a given moment are through
(:meth:`TransactionDelivery.then`): a station that boots with messages kept from before
delivers them before it reports its connectors (:meth:`TransactionDelivery.after_boot`).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chargeyard.protocol import CallFailure, OutgoingPayload, Payload
from chargeyard.station.calls import OnResult
from chargeyard.station.model.states import Registration

if TYPE_CHECKING:
    from chargeyard.station.connection import Connection
    from chargeyard.station.core import SimulatedStation

logger = logging.getLogger(__name__)

# The timer of a refused message waiting out its retry interval.
_RETRY = "transaction_retry"


@dataclass(slots=True)
class QueuedMessage:
    """A transaction message waiting its turn; ``build`` makes its payload when it is sent.
    ``transaction_id`` names the transaction it is about, where the version's messages carry
    the station's own id (2.0.1 transactionId, asked after by GetTransactionStatus, E14)."""

    action: str
    build: Callable[[], OutgoingPayload]
    on_result: OnResult
    attempts: int = 0
    transaction_id: str | None = None


class TransactionQueue:
    """Transaction messages in the order they happened; the head goes out when it may."""

    __slots__ = ("_messages", "in_flight")  # (one per station)

    def __init__(self) -> None:
        # None while empty: a fleet's stations are idle most of the time, and an empty deque
        # costs each of them most of a kilobyte.
        self._messages: deque[QueuedMessage] | None = None
        self.in_flight = False

    def push(self, message: QueuedMessage) -> None:
        if self._messages is None:
            self._messages = deque()
        self._messages.append(message)

    def head(self) -> QueuedMessage | None:
        return self._messages[0] if self._messages else None

    def pop(self) -> QueuedMessage:
        """The head, taken off the queue.

        Raises:
            IndexError: the queue is empty.
        """
        if self._messages is None:
            raise IndexError("pop from an empty transaction queue")
        message = self._messages.popleft()
        if not self._messages:
            self._messages = None
        return message

    def __len__(self) -> int:
        return 0 if self._messages is None else len(self._messages)

    def holds(self, transaction_id: str) -> bool:
        """Whether a message about ``transaction_id`` is still to be delivered (waiting, or
        sent and not answered yet: E14.FR.04)."""
        messages = self._messages or ()
        return any(message.transaction_id == transaction_id for message in messages)


class TransactionDelivery:
    """Sends the station's :attr:`~SimulatedStation.transaction_queue`, head first.

    Args:
        station: the station whose queue, timers and retry policy it uses.
        connection: the station's connection, which sends a CALL even while the station
            drains before going down (:meth:`Connection.call_going_down`).
    """

    __slots__ = ("_backlog", "_connection", "_station", "_then")  # (one per station)

    def __init__(self, station: SimulatedStation, connection: Connection) -> None:
        self._station = station
        self._connection = connection
        # The messages still to leave the queue before ``_then`` runs (see then()).
        self._backlog = 0
        self._then: Callable[[], None] | None = None

    def enqueue(
        self,
        action: str,
        build: Callable[[], OutgoingPayload],
        on_result: OnResult,
        *,
        transaction_id: str | None,
    ) -> None:
        """Queue a transaction message; it is sent when the station is online and Accepted.
        ``transaction_id``: the station's id of the transaction it is about, if it has one."""
        message = QueuedMessage(action, build, on_result, transaction_id=transaction_id)
        self._station.transaction_queue.push(message)
        self.pump()

    def after_boot(self) -> None:
        """Accepted after a boot: the transaction messages it kept go first, then what a boot
        reports (``SimulatedStation.on_accepted``: every connector's status, connector 0
        included in 1.6).

        Neither version orders the two: 1.6 section 4.2.1 has the messages kept from before
        sent once Accepted, section 4.9 the status of every connector after the boot; 2.0.1
        B01 has the StatusNotifications after Accepted and E04 the queued TransactionEvents
        once online again. A station that keeps an offline queue commonly empties it first,
        and so does this one: a central system that hears "Available" first cannot tell a
        transaction whose stop is queued (1.6 PowerLoss) from one the station forgot, and
        may close it itself at an older register (``csms/orphans.py``). A message refused
        and waiting out its retry interval lets the reports go (:meth:`then`).
        """
        self.then(self._station.on_accepted)
        self.pump()

    def then(self, work: Callable[[], None]) -> None:
        """Run ``work`` once every message queued now has left the queue (answered, or dropped
        after its attempts), or as soon as one of them is refused and waits out its retry
        interval (a central system that refuses them still hears what follows); at once when
        none is queued. Replaces the work of an earlier call not yet run."""
        self._backlog = len(self._station.transaction_queue)
        self._then = work
        if self._backlog == 0:
            self._run_then()

    @property
    def waiting(self) -> bool:
        """Work given to :meth:`then` waits for the messages queued before it."""
        return self._then is not None

    def forget_then(self) -> None:
        """Drop the work waiting on :meth:`then` (the station goes down: a boot after this one
        reports anew)."""
        self._then = None
        self._backlog = 0

    def _run_then(self) -> None:
        work, self._then = self._then, None
        self._backlog = 0
        if work is not None:
            work()

    def _left_queue(self) -> None:
        if self._then is None:
            return
        self._backlog -= 1
        if self._backlog <= 0:
            self._run_then()

    def pump(self) -> None:
        """Send the head of the queue if nothing is in flight and the station may."""
        station = self._station
        queue = station.transaction_queue
        message = queue.head()
        if (
            message is None
            or queue.in_flight
            or not station.connected
            or station.registration is not Registration.ACCEPTED
            # Powering off (a Hard reset, 1.6 section 5.14): kept for after the reboot.
            or not station.wants_connection
            or (station.going_down and not station.draining)
            # A refused message waits out its retry interval, whatever else gets queued.
            or station.timers.is_set(_RETRY)
        ):
            return
        queue.in_flight = True
        message.attempts += 1
        payload = message.build()
        self._memory_changed()  # kept before it leaves, as a station writes its flash
        self._connection.call_going_down(
            message.action,
            payload,
            lambda payload: self._answered(message, payload),
            lambda error: self._failed(message, error),
            False,
        )

    def _answered(self, message: QueuedMessage, payload: Payload) -> None:
        queue = self._station.transaction_queue
        queue.in_flight = False
        popped = queue.head() is message
        if popped:
            queue.pop()
        message.on_result(payload)
        self._memory_changed()
        if popped:
            self._left_queue()
        self.pump()

    def _memory_changed(self) -> None:
        on_memory_changed = self._station.on_memory_changed
        if on_memory_changed is not None:
            on_memory_changed()

    def _failed(self, message: QueuedMessage, error: CallFailure) -> None:
        station = self._station
        queue = station.transaction_queue
        queue.in_flight = False
        if not station.connected:
            return  # the connection is gone: resend after reconnecting (never lose it)
        attempts, interval = station.transaction_retry_policy()
        if message.attempts >= attempts:
            logger.warning(
                "%s: %s dropped after %d attempts: %s",
                station.identity,
                message.action,
                message.attempts,
                error,
            )
            if queue.head() is message:
                queue.pop()
                self._left_queue()
            self.pump()
            return
        # 1.6 section 4.10: wait RetryInterval x attempts before the next try.
        at = station.clock.monotonic() + interval * message.attempts
        station.timers.set(_RETRY, at, self.pump)
        self._run_then()  # (the refused message waits; what waited on it goes now)


__all__ = ["QueuedMessage", "TransactionDelivery", "TransactionQueue"]
