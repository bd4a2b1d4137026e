from __future__ import annotations

import itertools

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.v21 import StationV21
from tests.station.harness import Link

# The catalog's 2.1 models (station/catalog): an AC wallbox and a DC charger.
AC_WALLBOX = "chargeyard-ac-wallbox-21"
DC_CHARGER = "chargeyard-dc-fast-21"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def make_station(clock: ManualClock, template_id: str = AC_WALLBOX) -> StationV21:
    ids = itertools.count(1)
    return StationV21(
        "CS-1",
        load_catalog().template(template_id),
        clock=clock,
        new_id=lambda: f"m{next(ids)}",
        energy_wh=1000.0,
    )


def accept_token(payload: Payload) -> Payload:
    """AuthorizeResponse of a central system that knows every token (C01)."""
    return {"idTokenInfo": {"status": "Accepted"}}


def make_link(station: StationV21, clock: ManualClock) -> Link:
    link = Link(station, clock)
    link.csms.answers["Authorize"] = accept_token  # the harness's default is 1.6-shaped
    return link


@pytest.fixture
def station(clock: ManualClock) -> StationV21:
    return make_station(clock)


@pytest.fixture
def link(station: StationV21, clock: ManualClock) -> Link:
    return make_link(station, clock)
