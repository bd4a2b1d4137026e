"""Stations of both versions online on a ManualClock, and what their frames carry, for the
tests of a station's bad days (``station/bad_days.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from chargeyard.protocol import V16, V201, Payload, VersionSpec
from chargeyard.station.clock import ManualClock, iso
from chargeyard.station.verbs import StationVerbs
from tests.station.harness import Link
from tests.station.v16.conftest import make_station as make_v16
from tests.station.v201.conftest import make_link as make_v201_link
from tests.station.v201.conftest import make_station as make_v201

START = datetime(2026, 1, 1, tzinfo=UTC)  # the ManualClock's epoch

VERSIONS = [V16, V201]
"""The versions a simulated station speaks (``pytest.mark.parametrize`` them by name)."""


def ts(seconds: float = 0, start: datetime = START) -> str:
    """The wire timestamp ``seconds`` after ``start`` (the test's beginning)."""
    return iso(start + timedelta(seconds=seconds))


def online(version: VersionSpec) -> Link:
    """A station of ``version`` booted and Accepted at the clock's epoch, its boot's reports
    cleared."""
    clock = ManualClock()
    if version is V16:
        link = Link(make_v16(clock), clock)
    else:
        link = make_v201_link(make_v201(clock), clock)
    link.connect()
    link.csms.clear()
    return link


def verbs(link: Link) -> StationVerbs:
    """The station of ``link`` as a driver and a tester move it."""
    return cast(StationVerbs, link.station)


def charge(link: Link) -> None:
    """The driver plugs in on connector 1 and presents a tag the central system accepts."""
    verbs(link).plug(1, 1)
    verbs(link).present_id_token("TAG-1")
    link.pump()


def meter_values(link: Link, context: str) -> list[Payload]:
    """Every MeterValue (1.6 MeterValues and StopTransaction transactionData, 2.0.1 MeterValues
    and TransactionEvent meterValue) the central system received whose readings were taken in
    ``context``, in the order they came."""
    found: list[Payload] = []
    for _, payload in link.csms.received:
        for value in _meter_values(payload):
            if value["sampledValue"][0].get("context") == context:
                found.append(value)
    return found


def register(value: Payload) -> float:
    """The energy register a MeterValue carries (1.6 writes it as a string)."""
    [reading] = [
        reading
        for reading in value["sampledValue"]
        if reading.get("measurand", "Energy.Active.Import.Register")
        == "Energy.Active.Import.Register"
    ]
    return float(reading["value"])


def timestamps(link: Link) -> list[str]:
    """Every timestamp the central system received, at any depth of any payload, in order."""
    return [stamp for _, payload in link.csms.received for stamp in _timestamps(payload)]


def _meter_values(payload: Any) -> Iterator[Payload]:
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("meterValue", "transactionData"):
                yield from value
            else:
                yield from _meter_values(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from _meter_values(item)


def _timestamps(payload: Any) -> Iterator[str]:
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "timestamp":
                yield value
            else:
                yield from _timestamps(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from _timestamps(item)
