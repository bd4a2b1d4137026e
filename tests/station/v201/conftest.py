from __future__ import annotations

import itertools

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_station(clock: ManualClock, template_id: str = "alfen-eve-single-pro-line") -> StationV201:
    ids = itertools.count(1)
    return StationV201(
        "CS-1",
        load_catalog().template(template_id),
        clock=clock,
        new_id=lambda: f"m{next(ids)}",
        energy_wh=1000.0,
    )


def accept_token(payload: Payload) -> Payload:
    """AuthorizeResponse of a central system that knows every token (C01)."""
    return {"idTokenInfo": {"status": "Accepted"}}


def make_link(station: StationV201, clock: ManualClock) -> Link:
    link = Link(station, clock)
    link.csms.answers["Authorize"] = accept_token  # the harness's default is 1.6-shaped
    return link


@pytest.fixture
def station(clock: ManualClock) -> StationV201:
    return make_station(clock)


@pytest.fixture
def link(station: StationV201, clock: ManualClock) -> Link:
    return make_link(station, clock)


@pytest.fixture
def online(link: Link) -> Link:
    """A station booted and Accepted, its first status reports cleared."""
    link.connect()
    link.csms.clear()
    return link
