"""The EV of one session as a tester chooses it, and an EVSE read back (model/ev_session.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargeyard.station.catalog import load_catalog
from chargeyard.station.model.ev import CITY_CAR, MID_SUV, Ev
from chargeyard.station.model.ev_session import EvChoice, ev_state
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import StationModel, Transaction

DEPARTURE = datetime(2026, 1, 1, 18, tzinfo=UTC)


def test_a_catalog_ev_comes_as_the_catalog_has_it_at_20_percent() -> None:
    ev = EvChoice(model="suv-77").build()
    assert (ev.profile, ev.soc, ev.target_soc, ev.departure_at) == (MID_SUV, 0.2, 1.0, None)
    assert EvChoice().build().profile is CITY_CAR  # no model: the city car


def test_a_choice_replaces_the_catalog_car_s_figures() -> None:
    ev = EvChoice(
        model="suv-77",
        battery_capacity_wh=60_000,
        soc=0.35,
        max_ac_power_w=7_400,
        max_dc_power_w=0,
        target_soc=0.8,
        departure_at=DEPARTURE,
    ).build()
    profile = ev.profile
    assert (profile.name, profile.battery_capacity_wh) == ("suv-77-custom", 60_000)
    assert (profile.max_ac_power_w, profile.max_dc_power_w) == (7_400, 0)
    assert profile.ac_phases == MID_SUV.ac_phases  # what the choice does not say stays
    assert (ev.soc, ev.target_soc, ev.departure_at) == (0.35, 0.8, DEPARTURE)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (EvChoice(model="tractor"), "no EV model 'tractor' \\(known: city-40, suv-77"),
        (EvChoice(battery_capacity_wh=0), "battery_capacity_wh must be positive"),
        (EvChoice(soc=0.9, target_soc=0.8), "the SoC at arrival \\(90%\\) is above the target"),
        (EvChoice(soc=1.5), "soc must lie in \\[0, 1\\]"),
        (EvChoice(departure_at=datetime(2026, 1, 1)), "departure_at must be timezone-aware"),
    ],
)
def test_a_choice_no_car_has_is_refused(choice: EvChoice, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        choice.build()


def _model() -> StationModel:
    return StationModel.build(
        "CP-1", load_catalog().template("alfen-eve-single-pro-line"), energy_wh=1000.0
    )


def test_an_empty_evse_reads_no_car_and_its_register() -> None:
    state = ev_state(_model().evses[1])
    assert state.as_json() == {
        "evse_id": 1,
        "plugged_connector_id": None,
        "cable_plugged": False,
        "ev_connected": False,
        "requesting": False,
        "suspended_by_ev": False,
        "suspended_by_evse": False,
        "soc": None,
        "power_w": 0.0,
        "session_energy_wh": None,
        "energy_register_wh": 1000.0,
        "ev": None,
        "next_ev": None,
    }


def test_a_charging_evse_reads_its_car_its_session_and_the_next_car() -> None:
    model = _model()
    evse = model.evses[1]
    connector = evse.connectors[1]
    connector.cable_plugged = True
    connector.status = ConnectorStatus.CHARGING
    evse.ev = Ev(MID_SUV, soc=0.5, target_soc=0.9, departure_at=DEPARTURE)
    evse.next_ev = EvChoice(model="phev-12").build()
    evse.transaction = Transaction("tx-1", 1, 1, None, DEPARTURE, meter_start_wh=400.0)
    evse.meter.power_w = 11_000.0
    state = ev_state(evse).as_json()
    assert state["cable_plugged"]
    assert state["ev_connected"]
    assert state["requesting"]
    assert (state["plugged_connector_id"], state["soc"], state["power_w"]) == (1, 50.0, 11_000.0)
    assert state["session_energy_wh"] == 600.0  # the register (1000) less the meter start
    assert state["suspended_by_ev"] is False
    assert state["ev"] == {
        "model": "suv-77",
        "battery_capacity_wh": 77_000,
        "max_ac_power_w": 11_000,
        "ac_phases": 3,
        "max_dc_power_w": 135_000,
        "soc": 50.0,
        "target_soc": 90.0,
        "departure_time": "2026-01-01T18:00:00.000Z",
    }
    assert state["next_ev"]["model"] == "phev-12"


def test_a_car_at_its_target_or_paused_is_suspended_by_the_ev() -> None:
    model = _model()
    evse = model.evses[1]
    evse.connectors[1].cable_plugged = True
    evse.ev = Ev(MID_SUV, soc=0.8, target_soc=0.8)
    assert ev_state(evse).suspended_by_ev
    evse.ev = Ev(MID_SUV, soc=0.5, requesting=False)
    state = ev_state(evse)
    assert state.suspended_by_ev
    assert not state.requesting
