"""The EV: charging curves that taper, targets that stop it, and the integrator that follows
them through simulated time."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargeyard.station.model.ev import (
    CITY_CAR,
    DEFAULT_AC_CURVE,
    DEFAULT_DC_CURVE,
    LARGE_CAR,
    MID_SUV,
    PLUG_IN_HYBRID,
    PRESETS,
    ChargeStep,
    CurrentType,
    Ev,
    EvProfile,
    charge,
    delivered_power_w,
)


def test_presets_by_name() -> None:
    assert dict(PRESETS) == {
        "city-40": CITY_CAR,
        "suv-77": MID_SUV,
        "large-100": LARGE_CAR,
        "phev-12": PLUG_IN_HYBRID,
    }
    assert (CITY_CAR.battery_capacity_wh, CITY_CAR.max_ac_power_w, CITY_CAR.ac_phases) == (
        40_000,
        7_400,
        1,
    )
    assert (MID_SUV.max_ac_power_w, MID_SUV.ac_phases, MID_SUV.max_dc_power_w) == (
        11_000,
        3,
        135_000,
    )
    assert (LARGE_CAR.battery_capacity_wh, LARGE_CAR.max_dc_power_w) == (100_000, 250_000)
    assert (PLUG_IN_HYBRID.battery_capacity_wh, PLUG_IN_HYBRID.max_dc_power_w) == (12_000, 0)


def test_dc_power_is_full_up_to_80_percent_then_falls_linearly_to_10_percent() -> None:
    def demand(soc: float) -> float:
        return Ev(MID_SUV, soc=soc).demand_w("DC")

    assert [demand(soc) for soc in (0.0, 0.5, 0.8)] == [135_000, 135_000, 135_000]
    assert demand(0.9) == pytest.approx(135_000 * 0.55)
    assert demand(0.99) == pytest.approx(135_000 * 0.145)
    assert MID_SUV.curve_fraction("DC", 1.0) == pytest.approx(0.1)


def test_ac_onboard_charger_is_flat_until_95_percent() -> None:
    def demand(soc: float) -> float:
        return Ev(MID_SUV, soc=soc).demand_w("AC")

    assert [demand(soc) for soc in (0.1, 0.95)] == [11_000, 11_000]
    assert demand(0.975) == pytest.approx(11_000 * 0.65)


def test_curve_is_data_a_profile_brings_its_own() -> None:
    profile = EvProfile("test", 50_000, 7_000, 1, 100_000, dc_curve=((0.0, 0.5), (1.0, 1.0)))
    assert Ev(profile, soc=0.5).demand_w("DC") == pytest.approx(75_000)
    assert profile.ac_curve == DEFAULT_AC_CURVE
    assert LARGE_CAR.dc_curve != DEFAULT_DC_CURVE
    assert Ev(LARGE_CAR, soc=0.7).demand_w("DC") == pytest.approx(250_000 * 0.575)


@pytest.mark.parametrize(
    "curve",
    [
        ((0.0, 1.0),),
        ((0.1, 1.0), (1.0, 0.5)),
        ((0.0, 1.0), (0.9, 0.5)),
        ((0.0, 1.0), (0.5, 1.0), (0.5, 0.5), (1.0, 0.1)),
        ((0.0, 1.2), (1.0, 0.1)),
        ((0.0, 1.0), (1.0, -0.1)),
    ],
)
def test_profile_rejects_a_malformed_curve(curve: tuple[tuple[float, float], ...]) -> None:
    with pytest.raises(ValueError, match="dc_curve"):
        EvProfile("bad", 50_000, 7_000, 1, 50_000, dc_curve=curve)


@pytest.mark.parametrize(
    "fields",
    [
        {"battery_capacity_wh": 0},
        {"ac_phases": 2},
        {"max_ac_power_w": -1},
        {"charging_efficiency": 0.0},
        {"battery_voltage_v": 0},
    ],
)
def test_profile_rejects_impossible_figures(fields: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "name": "bad",
        "battery_capacity_wh": 50_000,
        "max_ac_power_w": 7_000,
        "ac_phases": 1,
        "max_dc_power_w": 50_000,
    }
    with pytest.raises(ValueError, match="must"):
        EvProfile(**{**base, **fields})


@pytest.mark.parametrize("fields", [{"soc": 1.1}, {"target_soc": -0.1}, {"target_energy_wh": -1}])
def test_ev_rejects_impossible_state(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        Ev(MID_SUV, **{"soc": 0.5, **fields})


def test_suspended_ev_when_the_ev_stops_requesting() -> None:
    ev = Ev(MID_SUV, soc=0.3, requesting=False)
    assert (ev.demand_w("AC"), ev.demand_w("DC"), ev.is_satisfied) == (0.0, 0.0, False)


@pytest.mark.parametrize(
    "state",
    [
        {"soc": 1.0},
        {"soc": 0.8, "target_soc": 0.8},
        {"soc": 0.3, "target_energy_wh": 10_000, "energy_delivered_wh": 10_000},
    ],
    ids=["full", "target-soc", "target-energy"],
)
def test_satisfied_ev_demands_nothing(state: dict[str, Any]) -> None:
    ev = Ev(MID_SUV, **state)
    assert (ev.is_satisfied, ev.demand_w("AC"), ev.demand_w("DC"), ev.remaining_energy_wh) == (
        True,
        0.0,
        0.0,
        0.0,
    )


def test_plug_in_hybrid_has_no_dc_inlet() -> None:
    ev = Ev(PLUG_IN_HYBRID, soc=0.2)
    assert (ev.demand_w("AC"), ev.demand_w("DC")) == (3_700, 0.0)
    assert charge(ev, seconds=600, current_type="DC", limit_w=50_000) == ChargeStep(0.0, 0.0, 0.0)


def test_three_phase_onboard_charger_on_a_single_phase_supply_takes_a_third() -> None:
    ev = Ev(MID_SUV, soc=0.3)
    assert ev.demand_w("AC", supply_phases=1) == pytest.approx(11_000 / 3)
    assert ev.demand_w("AC", supply_phases=3) == 11_000
    assert Ev(CITY_CAR, soc=0.3).demand_w("AC", supply_phases=3) == 7_400


def test_absorb_stores_the_efficient_share_and_counts_all_as_delivered() -> None:
    ev = Ev(CITY_CAR, soc=0.5)
    ev.absorb(1_000)
    assert ev.soc == pytest.approx(0.5 + 920 / 40_000)
    assert ev.energy_delivered_wh == 1_000
    ev.absorb(100_000)
    assert (ev.soc, ev.energy_delivered_wh) == (1.0, 101_000)
    with pytest.raises(ValueError, match="negative"):
        ev.absorb(-1)


@pytest.mark.parametrize(
    ("demand", "connector", "smart", "update", "expected"),
    [
        (11_000, 22_000, None, None, 11_000),
        (11_000, 7_400, None, None, 7_400),
        (11_000, 22_000, 6_000, None, 6_000),
        (11_000, 22_000, 6_000, 4_000, 4_000),
        (11_000, 22_000, None, 5_000, 5_000),
        (3_000, 22_000, 6_000, 4_000, 3_000),
        (11_000, 22_000, 0, None, 0),
        (11_000, 22_000, -5, None, 0),
        (0, 22_000, None, None, 0),
    ],
)
def test_delivered_power_is_the_smallest_of_the_limits_present(
    demand: float, connector: float, smart: float | None, update: float | None, expected: float
) -> None:
    assert delivered_power_w(demand, connector, smart, update) == expected


def test_charge_flat_ac_hour() -> None:
    ev = Ev(MID_SUV, soc=0.2)
    step = charge(ev, seconds=3600, current_type="AC", limit_w=22_000)
    assert step.energy_wh == pytest.approx(11_000)
    assert step.average_power_w == pytest.approx(11_000)
    assert step.end_power_w == 11_000
    assert ev.soc == pytest.approx(0.2 + 11_000 * 0.92 / 77_000)
    assert ev.energy_delivered_wh == pytest.approx(11_000)


def test_charge_is_held_to_the_limit() -> None:
    ev = Ev(MID_SUV, soc=0.85)  # demands about 105 kW here
    step = charge(ev, seconds=300, current_type="DC", limit_w=50_000)
    assert step.average_power_w == pytest.approx(50_000)
    assert step.end_power_w == 50_000


def test_charge_follows_the_dc_taper() -> None:
    # Above 80 % the default curve is f = 1 - 4.5 (soc - 0.8), so with k = P eff / (C 3600)
    # soc - 0.8 = (1 - exp(-4.5 k t)) / 4.5: the integrator must track it closely.
    ev = Ev(MID_SUV, soc=0.8)
    step = charge(ev, seconds=600, current_type="DC", limit_w=math.inf)
    k = 135_000 * 0.92 / (77_000 * 3600)
    soc_gain = (1 - math.exp(-4.5 * k * 600)) / 4.5
    assert ev.soc - 0.8 == pytest.approx(soc_gain, rel=1e-3)
    assert step.energy_wh == pytest.approx(soc_gain * 77_000 / 0.92, rel=1e-3)
    assert step.end_power_w == pytest.approx(135_000 * (1 - 4.5 * soc_gain), rel=1e-3)
    assert step.end_power_w < step.average_power_w < 135_000


def test_charge_stops_at_100_percent() -> None:
    ev = Ev(CITY_CAR, soc=0.9)
    step = charge(ev, seconds=7200, current_type="DC", limit_w=50_000)
    assert (ev.soc, ev.is_satisfied, step.end_power_w) == (1.0, True, 0.0)
    assert step.energy_wh == pytest.approx(0.1 * 40_000 / 0.92)
    assert step.average_power_w == pytest.approx(step.energy_wh / 2)


def test_charge_stops_at_the_target_energy() -> None:
    ev = Ev(MID_SUV, soc=0.2, target_energy_wh=5_000)
    step = charge(ev, seconds=3600, current_type="AC", limit_w=22_000)
    assert (step.energy_wh, step.end_power_w, ev.energy_delivered_wh) == (5_000, 0.0, 5_000)
    assert (step.average_power_w, ev.is_satisfied) == (5_000, True)


def test_charge_stops_at_the_target_soc() -> None:
    ev = Ev(MID_SUV, soc=0.5, target_soc=0.6)
    step = charge(ev, seconds=3600, current_type="DC", limit_w=150_000)
    assert (ev.soc, step.end_power_w) == (0.6, 0.0)
    assert step.energy_wh == pytest.approx(0.1 * 77_000 / 0.92)


def test_charge_by_a_suspended_ev_moves_nothing() -> None:
    ev = Ev(MID_SUV, soc=0.5, requesting=False)
    assert charge(ev, seconds=600, current_type="AC", limit_w=11_000) == ChargeStep(0.0, 0.0, 0.0)
    assert (ev.soc, ev.energy_delivered_wh) == (0.5, 0.0)


def test_charge_over_no_time_reports_the_power_now() -> None:
    ev = Ev(MID_SUV, soc=0.5)
    assert charge(ev, seconds=0, current_type="AC", limit_w=7_000) == ChargeStep(0.0, 0.0, 7_000)
    with pytest.raises(ValueError, match="negative"):
        charge(ev, seconds=-1, current_type="AC", limit_w=7_000)


def test_charge_in_ticks_matches_charge_in_one_go() -> None:
    whole, ticked = Ev(LARGE_CAR, soc=0.3), Ev(LARGE_CAR, soc=0.3)
    at_once = charge(whole, seconds=1800, current_type="DC", limit_w=300_000)
    in_ticks = sum(
        charge(ticked, seconds=10, current_type="DC", limit_w=300_000).energy_wh for _ in range(180)
    )
    assert in_ticks == pytest.approx(at_once.energy_wh, rel=1e-3)
    assert ticked.soc == pytest.approx(whole.soc, rel=1e-3)


currents: st.SearchStrategy[CurrentType] = st.sampled_from(["AC", "DC"])


@settings(max_examples=300, deadline=None)
@given(
    profile=st.sampled_from(list(PRESETS.values())),
    soc=st.floats(0.0, 1.0),
    target_soc=st.floats(0.0, 1.0),
    target_energy=st.none() | st.floats(0.0, 120_000.0),
    requesting=st.booleans(),
    seconds=st.floats(0.0, 4 * 3600.0),
    limit_w=st.floats(0.0, 400_000.0),
    current_type=currents,
    supply_phases=st.none() | st.sampled_from([1, 3]),
)
def test_charge_never_exceeds_limit_or_demand_and_never_overfills(
    profile: EvProfile,
    soc: float,
    target_soc: float,
    target_energy: float | None,
    requesting: bool,
    seconds: float,
    limit_w: float,
    current_type: CurrentType,
    supply_phases: int | None,
) -> None:
    ev = Ev(profile, soc=soc, target_soc=target_soc, target_energy_wh=target_energy)
    ev.requesting = requesting
    # Every preset's curve falls with SoC, so the demand at the start bounds the whole interval.
    start_demand = ev.demand_w(current_type, supply_phases=supply_phases)
    step = charge(
        ev,
        seconds=seconds,
        current_type=current_type,
        limit_w=limit_w,
        supply_phases=supply_phases,
    )
    # Average power is energy / time: allow float rounding (parts per million), no more.
    bound = min(limit_w, start_demand) * (1 + 1e-6) + 1e-6
    assert step.energy_wh >= 0.0
    assert step.average_power_w <= bound
    assert step.end_power_w <= bound
    assert ev.soc <= max(soc, target_soc) + 1e-9
    assert ev.soc <= 1.0
    assert ev.energy_delivered_wh == pytest.approx(step.energy_wh)
    stored_wh = (ev.soc - soc) * profile.battery_capacity_wh
    assert stored_wh == pytest.approx(step.energy_wh * profile.charging_efficiency, abs=1e-3)
    if target_energy is not None:
        assert step.energy_wh <= target_energy + 1e-6
