"""Critical security events on their way to the central system, both versions alike.

Theory of operation
-------------------
A critical security event (OCPP 2.0.1 part 2 appendix "Security events", A04.FR.01; the OCPP
1.6 security whitepaper, section 8's table) goes to the central system in a
SecurityEventNotification, and stays queued until the central system confirmed it (A04.FR.02):
one at a time, oldest first, the next once the previous is confirmed. While the station may not
send (offline, not Accepted, going down) they wait; its version sends the queue again once it
is Accepted or back online. An answer that breaks the schema, or none, leaves the event at the
head of the queue. At most ``size`` wait: beyond that the oldest is dropped (the security log
keeps it).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import Payload
from chargeyard.protocol.messages import v16, v201
from chargeyard.station.clock import iso

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation

TECH_INFO_MAX = 255  # SecurityEventNotification techInfo: 255 characters at most (both versions)

# The request of either version: the same type, timestamp and techInfo (2.0.1 adds customData).
SecurityEventNotification = (
    v16.SecurityEventNotificationRequest | v201.SecurityEventNotificationRequest
)


class UnsentEvents:
    """The critical security events the central system has not confirmed yet."""

    __slots__ = ("_queue", "_sending", "_size")

    def __init__(self, size: int) -> None:
        self._size = size
        # Made with the first event: most stations of a fleet never have one, and an empty
        # deque costs each of them most of a kilobyte.
        self._queue: deque[SecurityEventNotification] | None = None
        self._sending = False  # the head of the queue is on its way

    def __len__(self) -> int:
        return 0 if self._queue is None else len(self._queue)

    def keep(self, kind: str, at: datetime, tech_info: str | None) -> None:
        """Queue the SecurityEventNotification of ``kind`` that happened ``at``."""
        notification: SecurityEventNotification = {"type": kind, "timestamp": iso(at)}
        if tech_info:
            notification["techInfo"] = tech_info[:TECH_INFO_MAX]
        if self._queue is None:
            self._queue = deque(maxlen=self._size)
        self._queue.append(notification)

    def send(self, station: SimulatedStation) -> None:
        """Send the oldest event, then the next once it is confirmed (A04.FR.02); nothing while
        one is on its way or the station may not send."""
        queue = self._queue
        if self._sending or not queue:
            return
        notification = queue[0]

        def confirmed(answer: Payload) -> None:
            self._sending = False
            if queue and queue[0] is notification:
                queue.popleft()
            self.send(station)

        def failed(error: object) -> None:
            # (A lost connection fails the calls in flight too.) Sent again once the station
            # is back online.
            self._sending = False

        self._sending = station.call("SecurityEventNotification", notification, confirmed, failed)
