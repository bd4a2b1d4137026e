"""Registration and heartbeat: BootNotification until Accepted, then Heartbeat at the interval
the central system gave.

Nothing but BootNotification is sent before Accepted; Pending and Rejected retry after the
interval given (OCPP 1.6 section 4.2, 2.0.1 B01-B03). After a lost connection without a reboot
a station that was Accepted does not boot again: :attr:`Registrar.accepted_since_boot` says so
until the station goes down. The Heartbeat interval is the BootNotification answer's, or the
configuration's once the central system changes it (1.6 section 4.6, 2.0.1 G02).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from chargeyard.protocol import CallFailure, Payload
from chargeyard.station.model.states import Registration, check_registration_move

if TYPE_CHECKING:
    from chargeyard.station.core import SimulatedStation

logger = logging.getLogger(__name__)

DEFAULT_BOOT_RETRY_S = 60
DEFAULT_HEARTBEAT_S = 300

# The station's timers of the next registration attempt and of the next Heartbeat.
BOOT_TIMER = "boot"
HEARTBEAT_TIMER = "heartbeat"


class Registrar:
    """Moves the station's :attr:`~SimulatedStation.registration` and keeps its Heartbeat.

    Args:
        station: the station it registers (its ``call``, timers, clock and payloads).
        booted: called with the station once the central system accepted a boot: what it
            kept goes, then what a boot reports (``SimulatedStation.on_accepted``).
        registered: called with the station once the central system accepted a triggered
            BootNotification while it was registered (its queued transaction messages may go).
    """

    __slots__ = ("_booted", "_registered", "_station", "accepted_since_boot")  # (one per station)

    def __init__(
        self,
        station: SimulatedStation,
        *,
        booted: Callable[[SimulatedStation], None],
        registered: Callable[[SimulatedStation], None],
    ) -> None:
        self._station = station
        self._booted = booted
        self._registered = registered
        # Accepted since the last (re)boot: a reconnect then skips the BootNotification.
        self.accepted_since_boot = False

    def move(self, target: Registration) -> None:
        """Move the registration (``model/states.py`` says which moves are legal)."""
        station = self._station
        check_registration_move(station.registration, target)
        was = station.registration
        station.registration = target
        if target is Registration.ACCEPTED and was is not target and station.on_online:
            station.on_online()

    def boot(self) -> None:
        """Send BootNotification, the next registration attempt."""
        self.move(Registration.BOOTING)
        self._send_boot_notification()

    def _send_boot_notification(self) -> None:
        station = self._station
        station.call(
            "BootNotification",
            station.boot_notification_payload(),
            self._answered,
            self._failed,
        )

    def trigger(self) -> None:
        """The central system asked for a BootNotification (1.6 section 5.17, 2.0.1 F06).

        While Pending or Rejected it is the next registration attempt, sent now. While
        Accepted it goes without leaving Accepted (other messages keep flowing), and an
        Accepted answer only takes the new heartbeat interval: the registration stands, so
        nothing of a boot (the status reports) is repeated.
        """
        if self._station.registration is not Registration.ACCEPTED:
            self._station.timers.cancel(BOOT_TIMER)
            self.boot()
            return
        self._send_boot_notification()

    def _answered(self, payload: Payload) -> None:
        station = self._station
        status, interval = payload["status"], payload["interval"]
        registered = station.registration is Registration.ACCEPTED  # a triggered one
        if registered and status != "Accepted":
            # A triggered one refused: register anew (Booting is the way out of Accepted).
            self.move(Registration.BOOTING)
            self.accepted_since_boot = False
            station.timers.cancel(HEARTBEAT_TIMER)
        if status == "Accepted":
            self.move(Registration.ACCEPTED)
            # An answer that comes while the station goes down (or once its power is gone)
            # registers nothing for after: it boots again then (B01, 1.6 section 4.2).
            self.accepted_since_boot = station.powered and not station.going_down
            if interval > 0:
                station.heartbeat_interval = interval
            logger.info("%s: boot accepted, heartbeat every %d s", station.identity, interval)
            self.schedule_heartbeat()
            if registered:
                self._registered(station)
            else:
                self._booted(station)
            return
        # Pending / Rejected: boot again after the interval (1.6 section 4.2.1; 2.0.1 B02/B03).
        self.move(Registration(status))
        retry = interval if interval > 0 else DEFAULT_BOOT_RETRY_S
        logger.info("%s: boot %s, retrying in %d s", station.identity, status, retry)
        station.timers.set(BOOT_TIMER, station.clock.monotonic() + retry, self.boot)

    def _failed(self, error: CallFailure) -> None:
        station = self._station
        if not station.connected or station.registration is Registration.ACCEPTED:
            return  # lost with the connection, or a triggered one: the registration stands
        self.move(Registration.REJECTED)
        at = station.clock.monotonic() + DEFAULT_BOOT_RETRY_S
        station.timers.set(BOOT_TIMER, at, self.boot)

    def schedule_heartbeat(self) -> None:
        """The next Heartbeat one interval from now (none when the interval is 0)."""
        station = self._station
        if station.heartbeat_interval > 0:
            at = station.clock.monotonic() + station.heartbeat_interval
            station.timers.set(HEARTBEAT_TIMER, at, self._send_heartbeat)

    def _send_heartbeat(self) -> None:
        self._station.call("Heartbeat", {})
        self.schedule_heartbeat()


__all__ = [
    "BOOT_TIMER",
    "DEFAULT_BOOT_RETRY_S",
    "DEFAULT_HEARTBEAT_S",
    "HEARTBEAT_TIMER",
    "Registrar",
]
