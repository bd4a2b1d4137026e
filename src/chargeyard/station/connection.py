"""A station's connection to its central system, sans-I/O: the session of the WebSocket open
now, the conversation kept between its frames (``conversation.py``: the continuations of the
CALLs it sent, the work that follows an answer it gives), what the station sends on it (CALLs,
SENDs, work for the next tick), and the network that carries it (an outage, a redial).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from chargeyard.protocol import OutgoingPayload, Role, Session
from chargeyard.protocol.router import FirstOf
from chargeyard.station.calls import OnError, OnResult
from chargeyard.station.conversation import Conversation
from chargeyard.station.model.states import Registration

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation

logger = logging.getLogger(__name__)


class Connection:
    """The session and conversation of a station's connection, and what it sends on it.

    Args:
        station: the station it connects (its version, handlers, clock, log and registration).
    """

    # (one per station)
    __slots__ = (
        "_dial_at_once",
        "_redial",
        "_soon_count",
        "_station",
        "conversation",
        "session",
    )

    def __init__(self, station: SimulatedStation) -> None:
        self._station = station
        # The session of the WebSocket open now; None while there is none.
        self.session: Session | None = None
        self.conversation = Conversation(station.identity)
        self._soon_count = 0
        # Close the connection and dial again at once (redial): asked, then due once closed.
        self._redial = False
        self._dial_at_once = False

    def open(self, new_id: Callable[[], str]) -> None:
        """A WebSocket is open: a new session, with the station's handlers (or the answers
        scripted in their place) and ``new_id``, its message id generator."""
        station = self._station
        self.session = Session(
            station.version,
            Role.STATION,
            station.handlers()
            if station.scripted_answers is None
            else FirstOf(station.scripted_answers, station.handlers()),
            clock=station.clock.monotonic,
            new_id=new_id,
            call_timeout=station.call_timeout,
            observer=station.observer,
            max_frame_bytes=station.max_frame_bytes,
        )

    def closed(self) -> None:
        """The connection is gone: one closed by :meth:`redial` is dialled again at once."""
        if self._redial:
            station = self._station
            self._redial = False
            station.wants_connection = station.powered and not station.network_down
            self._dial_at_once = station.wants_connection

    def receive(self, data: str | bytes) -> bool:
        """A frame arrived: logged and handed to the session; False when there is none."""
        session = self.session
        if session is None:
            return False
        station = self._station
        station.frame_log.received(station.clock.now(), data)
        # 2.1: an answer whose processing fails is refused with a CALLRESULTERROR.
        refuse = session.refuse_answer if station.version.supports_call_result_error else None
        self.conversation.handle(session.receive(data), refuse)
        return True

    def data_to_send(self) -> list[bytes]:
        """Frames to write, in order (logged)."""
        if self.session is None:
            return []
        frames = self.session.data_to_send()
        if frames:
            self._station.frame_log.sent(self._station.clock.now(), frames)
        return frames

    def next_deadline(self) -> float | None:
        """When the next call deadline is due (monotonic seconds), or None."""
        return None if self.session is None else self.session.next_deadline()

    def expire(self) -> None:
        """Fail the calls whose deadline passed."""
        if self.session is not None:
            self.conversation.handle(self.session.expire())

    # -- what the station sends -------------------------------------------------------------

    def call(
        self,
        action: str,
        payload: OutgoingPayload,
        on_result: OnResult,
        on_error: OnError | None,
        *,
        requested: bool,
    ) -> bool:
        """Send a CALL if the station may (connected; registered unless it is the boot).

        Args:
            requested: the central system asked for this message (TriggerMessage, a report):
                it may go while the registration is Pending (1.6 section 4.2.1; 2.0.1
                B02.FR.02).

        Returns:
            False when the message was not sent (offline, not yet Accepted, or going down): it
            is dropped, as a real station drops a Heartbeat or StatusNotification it cannot
            deliver.
        """
        if self._station.going_down:
            return False  # it finishes its conversation and starts none
        return self.call_going_down(action, payload, on_result, on_error, requested)

    def call_going_down(
        self,
        action: str,
        payload: OutgoingPayload,
        on_result: OnResult,
        on_error: OnError | None,
        requested: bool,
    ) -> bool:
        """Send a CALL as :meth:`call` does, even while the station goes down (a transaction
        message it drains)."""
        station = self._station
        if self.session is None or not station.wants_connection:
            return False  # no connection, or one about to close (switched off, rebooting)
        may_go = station.registration is Registration.ACCEPTED or (
            requested and station.registration is Registration.PENDING
        )
        if not may_go and action != "BootNotification":
            logger.debug("%s: %s not sent before Accepted", station.identity, action)
            return False
        if station.bad_days is not None:
            payload = station.bad_days.outgoing(action, payload)
        unique_id = self.session.call(action, payload)
        self.conversation.expect(unique_id, on_result, on_error)
        station.wake()
        return True

    def send(self, action: str, payload: OutgoingPayload) -> bool:
        """Send a SEND (2.1 part 4 section 4.2.6: a message without an answer) if the station
        is connected and Accepted; False when it was not sent (dropped, as :meth:`call`'s).

        Raises:
            OcppError: the version has no SEND, or the payload is not the action's.
        """
        station = self._station
        if station.going_down or self.session is None or not station.wants_connection:
            return False
        if station.registration is not Registration.ACCEPTED:
            return False
        self.session.send(action, payload)
        station.wake()
        return True

    def soon(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the next tick, never inside the current call."""
        station = self._station
        self._soon_count += 1
        station.timers.set(f"soon:{self._soon_count}", station.clock.monotonic(), work)
        station.wake()

    # -- the network ------------------------------------------------------------------------

    def go_offline(self) -> None:
        """The network fails: the connection drops and stays down until :meth:`come_online`.
        Transaction messages wait in their queue meanwhile."""
        station = self._station
        station.network_down = True
        station.wants_connection = False
        station.wake()

    def redial(self) -> None:
        """Close the connection and connect again at once (new credentials take effect: 1.6
        security whitepaper A01, 2.0.1 A01). Transaction messages wait in their queue; a
        station that was Accepted does not boot again."""
        if self.session is None:
            return
        self._redial = True
        self._station.wants_connection = False
        self._station.wake()

    def take_dial_at_once(self) -> bool:
        """Whether the connection just lost was closed by :meth:`redial`, to dial again
        with no back-off (once: a redial that then fails backs off as any attempt)."""
        at_once, self._dial_at_once = self._dial_at_once, False
        return at_once

    def come_online(self) -> None:
        """The network is back: the runner reconnects (without a new BootNotification unless
        the station rebooted meanwhile)."""
        station = self._station
        station.network_down = False
        station.wants_connection = station.powered
        station.wake()


__all__ = ["Connection"]
