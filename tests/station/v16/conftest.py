from __future__ import annotations

import itertools

import pytest

from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_station(clock: ManualClock, template_id: str = "alfen-eve-single-pro-line") -> StationV16:
    ids = itertools.count(1)
    return StationV16(
        "CP-1",
        load_catalog().template(template_id),
        clock=clock,
        new_id=lambda: f"m{next(ids)}",
        energy_wh=1000.0,
    )


@pytest.fixture
def station(clock: ManualClock) -> StationV16:
    return make_station(clock)


@pytest.fixture
def link(station: StationV16, clock: ManualClock) -> Link:
    return Link(station, clock)


@pytest.fixture
def online(link: Link) -> Link:
    """A station booted and Accepted, its first status reports cleared."""
    link.connect()
    link.csms.clear()
    return link
