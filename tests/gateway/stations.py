"""Sans-I/O stations for the executor's tests: a station of either version wired to the
central-system double of ``tests/station/harness.py``, whose session checks every frame
against the official schemas."""

from __future__ import annotations

import itertools

from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link


def online(version: str) -> Link:
    """A station of ``version`` ("1.6" or "2.0.1"), booted and Accepted."""
    ids = itertools.count(1)
    kind = StationV16 if version == "1.6" else StationV201
    station = kind(
        "CP-1",
        load_catalog().template("alfen-eve-single-pro-line"),
        clock=ManualClock(),
        new_id=lambda: f"m{next(ids)}",
        energy_wh=1000.0,
    )
    link = Link(station, station.clock)  # type: ignore[arg-type]
    if version == "2.0.1":
        link.csms.answers["Authorize"] = lambda p: {"idTokenInfo": {"status": "Accepted"}}
    link.connect()
    link.csms.clear()
    return link


def charging(version: str) -> Link:
    """A station of ``version``, Accepted, with a transaction running on EVSE 1."""
    link = online(version)
    station = link.station
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.run_for(60)
    link.csms.clear()
    assert running(station)
    return link


def running(station: SimulatedStation) -> bool:
    transaction = station.model.evses[1].transaction  # type: ignore[attr-defined]
    return transaction is not None and transaction.phase.value in ("Starting", "Active")
