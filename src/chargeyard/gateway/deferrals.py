"""Commands applied at a station while it was offline, followed until it is online again.

A person at a station plugs a cable whether or not the station's connection is up; the
station then keeps what it reports (its StatusNotifications, its transaction messages: 1.6
section 4.10, 2.0.1 E04) until it is back online. So a command whose effect reaches the central
system (``CommandSpec.reported``), applied at a station that is not online (disconnected, or
connected and not Accepted yet), is stored ``deferred``; when the station is Accepted again
(its registration moves to Accepted: a reconnect, or a boot answered Accepted) and what it kept
can go, its deferred commands become ``succeeded`` (OCPPLab's ``applied``). A charger the host
stops following first (removed, rebuilt from a changed row, or the host closing) leaves them
``expired``: nothing here will see its station online again.

Following costs nothing while no command waits: the station's ``on_online`` hook is set only
while one of its commands is deferred.
"""

from __future__ import annotations

import functools

from chargeyard.bus import CommandMessage
from chargeyard.gateway.executor import Outcome
from chargeyard.gateway.outcomes import OutcomeWriter
from chargeyard.station.core import SimulatedStation
from chargeyard.store.models import CommandStatus

EXPIRED_LINE = "deferred {event_type} expired: the charger's station was not online again"


class Deferrals:
    """The deferred commands of a host's stations, by charger id."""

    def __init__(self, writer: OutcomeWriter) -> None:
        self._writer = writer
        self._held: dict[str, tuple[SimulatedStation, list[tuple[CommandMessage, Outcome]]]] = {}

    def __len__(self) -> int:
        return sum(len(commands) for _, commands in self._held.values())

    def hold(self, message: CommandMessage, outcome: Outcome, station: SimulatedStation) -> None:
        """Follow a command stored deferred until ``station`` is online again."""
        held = self._held.get(message.charger_id)
        if held is None or held[0] is not station:
            if held is not None:  # (another station of the charger: the old one is gone)
                self.expire(message.charger_id)
            held = self._held[message.charger_id] = (station, [])
            station.on_online = functools.partial(self._online, message.charger_id, station)
        held[1].append((message, outcome))

    def expire(self, charger_id: str) -> None:
        """The host stops following the charger's station: its deferred commands expire."""
        held = self._held.pop(charger_id, None)
        if held is None:
            return
        station, commands = held
        station.on_online = None
        for message, outcome in commands:
            self._writer.finish(message, outcome, CommandStatus.EXPIRED)
            self._writer.log(
                message.organization_id,
                message.charger_id,
                EXPIRED_LINE.format(event_type=message.event_type),
                level="warning",
                command_id=message.command_id,
            )

    def expire_all(self) -> None:
        for charger_id in list(self._held):
            self.expire(charger_id)

    def _online(self, charger_id: str, station: SimulatedStation) -> None:
        held = self._held.get(charger_id)
        if held is None or held[0] is not station:
            return
        del self._held[charger_id]
        station.on_online = None
        for message, outcome in held[1]:
            self._writer.finish(message, outcome, CommandStatus.SUCCEEDED)
