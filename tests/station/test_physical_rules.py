"""The physical rules live once (``station/model/rules.py``): a station of either version
refuses a verb with the very sentence the rule gives, the one the simulator gateway's precheck
reads off the model before acting, and changes nothing."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from chargeyard.protocol import OcppError
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.model import rules
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from chargeyard.station.verbs import StationVerbs, verbs_of


def _station(kind: type[StationV16] | type[StationV201]) -> StationVerbs:
    ids = itertools.count(1)
    station = kind(
        "CS-1",
        load_catalog().template("alfen-eve-single-pro-line"),
        clock=ManualClock(),
        new_id=lambda: f"m{next(ids)}",
    )
    return verbs_of(station)


Refused = Callable[[StationVerbs], None]

CASES: dict[str, tuple[Refused, Callable[[StationVerbs], str | None]]] = {
    "plug twice": (
        lambda s: s.plug(1, 1),
        lambda s: rules.cannot_plug(s.model, 1, 1),
    ),
    "unplug with no cable": (
        lambda s: s.unplug(1, 1),
        lambda s: rules.cannot_unplug(s.model, 1, 1),
    ),
    "an EV verb with no EV": (
        lambda s: s.ev_suspend(1),
        lambda s: rules.no_ev(s.model, 1),
    ),
    "stop with no transaction": (
        lambda s: s.stop_transaction(1),
        lambda s: rules.cannot_stop(s.model, 1),
    ),
    "clear a fault that is not there": (
        lambda s: s.clear_fault(1, 1),
        lambda s: rules.not_faulted(s.model, 1, 1),
    ),
}


@pytest.mark.parametrize("kind", [StationV16, StationV201], ids=["1.6", "2.0.1"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_verb_the_rules_refuse_raises_the_rules_sentence(
    kind: type[StationV16] | type[StationV201], case: str
) -> None:
    station = _station(kind)
    if case == "plug twice":
        station.plug(1, 1)
    verb, rule = CASES[case]
    reason = rule(station)
    assert reason is not None
    before = [(c.status, c.cable_plugged, c.faulted) for c in station.model.connectors()]
    with pytest.raises(OcppError) as refused:
        verb(station)
    assert refused.value.description == reason
    assert [(c.status, c.cable_plugged, c.faulted) for c in station.model.connectors()] == before


def test_the_rules_name_what_is_missing_or_in_the_way() -> None:
    station = _station(StationV16)
    model = station.model
    assert rules.no_such_connector(model, 2, 1) == "no EVSE 2 (the station has 1)"
    assert rules.no_such_connector(model, 1, 2) == "no connector 2 on EVSE 1"
    assert rules.cannot_plug(model, 1, 1) is None
    station.plug(1, 1)
    assert rules.cannot_plug(model, 1, 1) == "a cable is already plugged in EVSE 1 connector 1"
    assert rules.cannot_unplug(model, 1, 1) is None
    assert rules.no_ev(model, 1) is None
    station.inject_fault(1, 1, station.TERMS.fault_named("GroundFailure"))
    assert rules.not_faulted(model, 1, 1) is None
    station.unplug(1, 1)
    assert rules.cannot_plug(model, 1, 1) == "the connector is Faulted"
