"""Test doubles and sample payloads for the sans-I/O core.

Everything here is deterministic: the clock moves only when a test moves it, message ids
count up ("st-1", "st-2", ...), and the in-memory link carries frames only when pumped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator
from typing import Any

import orjson
import pytest

from chargeyard.protocol import V16, V21, V201, CallFailed, Event, Role, Session, VersionSpec
from tests.link import SansIO, carry

ALL_VERSIONS = (V16, V201, V21)

each_version = pytest.mark.parametrize("version", ALL_VERSIONS, ids=lambda v: v.name)

NOW = "2025-01-01T12:00:00Z"

# Real payloads, as the official schemas of each version define them.
BOOT_REQUEST = {
    "1.6": {"chargePointVendor": "Chargeyard", "chargePointModel": "Yard-1"},
    "2.0.1": {
        "reason": "PowerUp",
        "chargingStation": {"model": "Yard-2", "vendorName": "Chargeyard"},
    },
    "2.1": {
        "reason": "PowerUp",
        "chargingStation": {"model": "Yard-2", "vendorName": "Chargeyard"},
    },
}
BOOT_ACCEPTED = {"status": "Accepted", "currentTime": NOW, "interval": 300}
HEARTBEAT_ANSWER = {"currentTime": NOW}
PERIODIC_EVENT_STREAM = {
    "id": 1,
    "pending": 0,
    "basetime": NOW,
    "data": [{"t": 0, "v": "230.1"}, {"t": 1.5, "v": "230.4"}],
}


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Pending:
    """An awaitable that is not asyncio's: the core must hand it back, never run it."""

    def __await__(self) -> Generator[None, None, dict[str, Any]]:
        yield
        return {}


def counting_ids(prefix: str) -> Callable[[], str]:
    """A message-id generator: "<prefix>-1", "<prefix>-2", ..."""
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers)}"


def sent(session: Session) -> list[Any]:
    """The frames the session has to send, decoded, in order (and taken out of its outbox)."""
    return [orjson.loads(frame) for frame in session.data_to_send()]


def param_id(value: Any) -> str:
    """A readable pytest id for a version, a frame or a message."""
    if isinstance(value, VersionSpec):
        return value.name
    shown = text(value) if isinstance(value, list | dict) else str(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def text(frame: Any) -> str:
    """A frame as the WebSocket text message that carries it."""
    return orjson.dumps(frame).decode()


def failures(events: list[Event]) -> list[tuple[str, str, type[Exception], str]]:
    """CallFailed events as comparable tuples (exceptions compare by identity, not value)."""
    assert all(isinstance(event, CallFailed) for event in events), events
    return [
        (event.unique_id, event.action, type(event.error), str(event.error))
        for event in events
        if isinstance(event, CallFailed)
    ]


def run_to_completion(awaitable: Any) -> Any:
    """Drive an awaitable that never suspends, the way an event loop would, and return its
    result; the core has no asyncio, and neither do its tests."""
    iterator = awaitable.__await__()
    try:
        while True:
            next(iterator)
    except StopIteration as done:
        return done.value


class SessionPair:
    """A station session and a central-system session joined by the in-memory link.

    :meth:`pump` carries each side's ``data_to_send()`` into the other's ``receive()``, as
    text, until both are quiet (``tests/link.py``). ``wire`` logs every frame as (sender's
    role, decoded frame); ``events`` collects what each side's ``receive()`` returned, keyed
    by the receiver's role.
    """

    def __init__(self, station: Session, central: Session) -> None:
        self.station = station
        self.central = central
        self.wire: list[tuple[Role, Any]] = []
        self.events: dict[Role, list[Event]] = {Role.STATION: [], Role.CENTRAL_SYSTEM: []}

    def pump(self, max_frames: int = 1000) -> None:
        carry(self.station, self.central, self._log, max_frames)

    def _log(self, sender: SansIO, frame: bytes, events: list[Event]) -> None:
        sent_by, heard_by = (
            (self.station, self.central) if sender is self.station else (self.central, self.station)
        )
        self.wire.append((sent_by.role, orjson.loads(frame)))
        self.events[heard_by.role].extend(events)


def make_link(
    version: VersionSpec,
    clock: FakeClock,
    station_handlers: dict[str, Any] | None = None,
    central_handlers: dict[str, Any] | None = None,
) -> SessionPair:
    station = Session(
        version, Role.STATION, station_handlers, clock=clock, new_id=counting_ids("st")
    )
    central = Session(
        version, Role.CENTRAL_SYSTEM, central_handlers, clock=clock, new_id=counting_ids("cs")
    )
    return SessionPair(station, central)
