"""A simulated station wired to a scripted central system over an in-memory link.

Both ends are real protocol sessions with validation on, so every frame the station sends is
checked against the official schemas. Time is a ManualClock: ``link.run_for(3600)`` passes an
hour in milliseconds, firing every timer on the way.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import orjson

from chargeyard.protocol import (
    CallAnswered,
    CallFailed,
    CallFailure,
    Payload,
    Role,
    Session,
)
from chargeyard.station.clock import ManualClock, iso
from chargeyard.station.core import SimulatedStation
from tests.link import SansIO, carry

NOW = "2026-01-01T00:00:00.000Z"


class CentralSystemDouble:
    """Answers a station like a permissive central system and records what it was sent.

    ``answers[action]`` may be replaced by a function of the request payload.
    """

    def __init__(self, station: SimulatedStation, clock: ManualClock) -> None:
        self.clock = clock
        self.received: list[tuple[str, Payload]] = []
        self.results: dict[str, Payload] = {}
        self.errors: dict[str, CallFailure] = {}
        self._transaction_ids = itertools.count(1)
        self.answers: dict[str, Callable[[Payload], Payload]] = {
            "BootNotification": lambda p: {
                "status": "Accepted",
                "currentTime": iso(clock.now()),
                "interval": 300,
            },
            "Heartbeat": lambda p: {"currentTime": iso(clock.now())},
            "StatusNotification": lambda p: {},
            "Authorize": lambda p: {"idTagInfo": {"status": "Accepted"}},
            "StartTransaction": lambda p: {
                "transactionId": next(self._transaction_ids),
                "idTagInfo": {"status": "Accepted"},
            },
            "StopTransaction": lambda p: {},
            "MeterValues": lambda p: {},
            "DataTransfer": lambda p: {"status": "Accepted"},
            "DiagnosticsStatusNotification": lambda p: {},
            "FirmwareStatusNotification": lambda p: {},
            "SignedFirmwareStatusNotification": lambda p: {},  # the security extension
            # OCPP 2.0.1
            "TransactionEvent": lambda p: {},
            "NotifyReport": lambda p: {},
            "LogStatusNotification": lambda p: {},
            "SecurityEventNotification": lambda p: {},
            "ReportChargingProfiles": lambda p: {},
            "ReservationStatusUpdate": lambda p: {},
            "NotifyEVChargingNeeds": lambda p: {"status": "Accepted"},
            "NotifyEvent": lambda p: {},
            "NotifyMonitoringReport": lambda p: {},
            "NotifyCustomerInformation": lambda p: {},
            "NotifyDisplayMessages": lambda p: {},
        }
        self.session = Session(
            station.version,
            Role.CENTRAL_SYSTEM,
            {action: self._recorder(action) for action in station.version.schemas.actions},
            clock=clock.monotonic,
        )

    def _recorder(self, action: str) -> Callable[[Payload], Payload]:
        def handle(payload: Payload) -> Payload:
            self.received.append((action, payload))
            answer = self.answers.get(action)
            if answer is None:
                raise NotImplementedError(f"the double has no answer for {action}")
            return answer(payload)

        return handle

    def actions(self) -> list[str]:
        return [action for action, _ in self.received]

    def payloads(self, action: str) -> list[Payload]:
        return [payload for name, payload in self.received if name == action]

    def clear(self) -> None:
        self.received.clear()


class Link:
    """Carries frames between a station and its central-system double (``tests/link.py``)."""

    def __init__(self, station: SimulatedStation, clock: ManualClock) -> None:
        self.station = station
        self.clock = clock
        self.csms = CentralSystemDouble(station, clock)
        self.up = False
        self.auto_reconnect = True

    def connect(self) -> None:
        self.station.connect()
        self.up = True
        self.pump()

    def drop(self) -> None:
        """The network fails: frames in flight are lost, both ends notice."""
        self.station.data_to_send()
        self.csms.session.data_to_send()
        self.station.disconnect()
        self.up = False
        self.csms.session = Session(
            self.station.version,
            Role.CENTRAL_SYSTEM,
            {a: self.csms._recorder(a) for a in self.station.version.schemas.actions},
            clock=self.clock.monotonic,
        )

    def pump(self) -> None:
        """Deliver frames both ways until neither side has anything to say."""
        if not self.up:
            self.station.data_to_send()
            return
        carry(self.station, self.csms.session, self._heard)

    def _heard(self, sender: SansIO, frame: bytes, events: Any) -> None:
        if sender is self.station:
            self._events(events)

    def to_csms(self) -> list[bytes]:
        """The station's frames reach the central system; returns what it writes back,
        not yet delivered (answers still on their way: :meth:`to_station` delivers them)."""
        for frame in self.station.data_to_send():
            self._events(self.csms.session.receive(frame))
        return self.csms.session.data_to_send()

    def to_station(self, frames: list[bytes]) -> None:
        """Frames from the central system (held by :meth:`to_csms`, or a CALL) arrive."""
        for frame in frames:
            self.station.receive(frame)

    def _events(self, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, CallAnswered):
                self.csms.results[event.unique_id] = event.payload
            elif isinstance(event, CallFailed):
                self.csms.errors[event.unique_id] = event.error

    def call_station(self, action: str, payload: Payload) -> Payload:
        """The central system sends a CALL; returns the station's CALLRESULT payload."""
        unique_id = self.csms.session.call(action, payload)
        for frame in self.csms.session.data_to_send():
            self.station.receive(frame)
        reply = self.station.data_to_send()
        answer: Payload | None = None
        for frame in reply:
            message = orjson.loads(frame)
            if message[1] == unique_id and answer is None:
                self._events(self.csms.session.receive(frame))
                if unique_id in self.csms.errors:
                    raise self.csms.errors.pop(unique_id)
                answer = self.csms.results.pop(unique_id)
            else:
                self._events(self.csms.session.receive(frame))
        for frame in self.csms.session.data_to_send():
            self.station.receive(frame)
        self.pump()
        if answer is None:
            raise AssertionError(f"the station did not answer {action}")
        return answer

    def run_for(self, seconds: float) -> None:
        """Let ``seconds`` pass, firing every deadline on the way."""
        end = self.clock.monotonic() + seconds
        while True:
            deadline = self.station.next_deadline()
            if deadline is None or deadline > end:
                break
            self.clock.advance(max(0.0, deadline - self.clock.monotonic()))
            self.station.tick()
            self.pump()
            self.follow_station()
        self.clock.advance(max(0.0, end - self.clock.monotonic()))
        self.station.tick()
        self.pump()
        self.follow_station()

    def follow_station(self) -> None:
        """Do what the runtime does when the station wants to go offline or come back."""
        if self.up and not self.station.wants_connection:
            self.drop()
        elif not self.up and self.station.wants_connection and self.auto_reconnect:
            self.connect()
