"""The electric vehicle at the end of the cable: a battery that fills and a charger that tapers.

Theory of operation
-------------------
An :class:`EvProfile` is data: battery capacity, what the onboard (AC) charger and the DC inlet
can take, and a charging curve per current type. A curve is a short list of breakpoints
``(soc, fraction_of_max_power)`` read by linear interpolation, so a template or a test can give
any shape. The defaults follow what real cars do: a DC battery takes full power up to about
80 % SoC and then falls roughly linearly to about 10 % of it at 100 % (the constant-voltage
phase); an onboard AC charger is flat until about 95 % and then tapers briefly.

An :class:`Ev` is one car plugged in: its profile, state of charge, how much the meter has
delivered to it, and when it is content (``target_soc``, or ``target_energy_wh`` delivered).
:meth:`Ev.demand_w` is what it asks for *now*; it is 0 when the EV stops requesting energy
(the station then reports SuspendedEV: OCPP 1.6 section 7.7 ChargePointStatus; OCPP 2.0.1
part 2 ChargingStateEnumType) and when it is full or satisfied.

The power that flows is the smallest of what the EV asks for and every limit the station
applies (:func:`delivered_power_w`). :func:`charge` integrates that power over simulated time
in steps of at most :data:`MAX_STEP_S` seconds, with the midpoint rule, so the taper is followed
and a simulated hour costs about 120 steps. It never draws more than the limit or the EV's
demand, and stops exactly at the target SoC or energy.

Energy bookkeeping. ``energy_delivered_wh`` counts what the station's meter counts (the energy
through the connector); the battery stores ``charging_efficiency`` of it (default 0.92, one
figure for AC and DC: onboard chargers lose a little more, DC cables and the pack a little less).
So ``delta_soc * battery_capacity_wh == energy_wh * charging_efficiency``.

Everything here is pure: no clock, no randomness, no I/O. The caller (the station runtime)
advances time and decides which limit applies during which interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from types import MappingProxyType

from chargeyard.station.catalog import CurrentType

Curve = tuple[tuple[float, float], ...]
"""Breakpoints ``(soc, fraction_of_max_power)``, soc rising from 0.0 to 1.0."""

DEFAULT_AC_CURVE: Curve = ((0.0, 1.0), (0.95, 1.0), (1.0, 0.3))
DEFAULT_DC_CURVE: Curve = ((0.0, 1.0), (0.8, 1.0), (1.0, 0.1))

MAX_STEP_S = 30.0
"""The longest integration step of :func:`charge`, in seconds."""

# Floating-point slack when deciding that a target is reached.
_SOC_EPSILON = 1e-9
_WH_EPSILON = 1e-6


def _check_curve(name: str, curve: Curve) -> None:
    if len(curve) < 2 or curve[0][0] != 0.0 or curve[-1][0] != 1.0:
        raise ValueError(f"{name} must run from soc 0.0 to soc 1.0: {curve!r}")
    socs = [soc for soc, _ in curve]
    if any(b <= a for a, b in pairwise(socs)):
        raise ValueError(f"{name} socs must rise strictly: {curve!r}")
    if any(not 0.0 <= fraction <= 1.0 for _, fraction in curve):
        raise ValueError(f"{name} fractions must lie in [0, 1]: {curve!r}")


def _interpolate(curve: Curve, soc: float) -> float:
    # Called twice per integration step: a plain loop, no clamping calls. Below the first
    # breakpoint the first fraction holds, above the last the last one.
    soc0, f0 = curve[0]
    if soc <= soc0:
        return f0
    for soc1, f1 in curve[1:]:
        if soc <= soc1:
            return f0 + (f1 - f0) * (soc - soc0) / (soc1 - soc0)
        soc0, f0 = soc1, f1
    return f0


@dataclass(frozen=True, slots=True)
class EvProfile:
    """What a model of car can take. Immutable; share one profile between many cars.

    Attributes:
        name: a short identifier ("suv-77").
        battery_capacity_wh: usable capacity.
        max_ac_power_w: the onboard charger's limit on ``ac_phases`` phases.
        ac_phases: phases the onboard charger uses (1 or 3).
        max_dc_power_w: the DC inlet's limit; 0 means the car has no DC inlet.
        battery_voltage_v: nominal pack voltage (the meter uses it for DC voltage and current).
        charging_efficiency: the share of metered energy that ends up in the battery.
        ac_curve, dc_curve: the taper, see :data:`Curve`.
    """

    name: str
    battery_capacity_wh: float
    max_ac_power_w: float
    ac_phases: int
    max_dc_power_w: float
    battery_voltage_v: float = 400.0
    charging_efficiency: float = 0.92
    ac_curve: Curve = DEFAULT_AC_CURVE
    dc_curve: Curve = DEFAULT_DC_CURVE

    def __post_init__(self) -> None:
        if self.battery_capacity_wh <= 0:
            raise ValueError(f"battery_capacity_wh must be positive: {self.battery_capacity_wh}")
        if self.max_ac_power_w < 0 or self.max_dc_power_w < 0:
            raise ValueError("maximum powers must not be negative")
        if self.ac_phases not in (1, 3):
            raise ValueError(f"ac_phases must be 1 or 3: {self.ac_phases}")
        if self.battery_voltage_v <= 0:
            raise ValueError(f"battery_voltage_v must be positive: {self.battery_voltage_v}")
        if not 0.0 < self.charging_efficiency <= 1.0:
            raise ValueError(f"charging_efficiency must lie in (0, 1]: {self.charging_efficiency}")
        _check_curve("ac_curve", self.ac_curve)
        _check_curve("dc_curve", self.dc_curve)

    def max_power_w(self, current_type: CurrentType, supply_phases: int | None = None) -> float:
        """The untapered maximum on this supply.

        Args:
            current_type: "AC" or "DC".
            supply_phases: for AC, the phases the station supplies; an onboard charger built
                for three phases draws only its per-phase share on fewer (an 11 kW car takes
                about 3.7 kW on a single-phase outlet). None: as many as the car uses.
        """
        if current_type == "DC":
            return self.max_dc_power_w
        if supply_phases is None or supply_phases >= self.ac_phases:
            return self.max_ac_power_w
        if supply_phases < 1:
            raise ValueError(f"supply_phases must be at least 1: {supply_phases}")
        return self.max_ac_power_w * supply_phases / self.ac_phases

    def curve_fraction(self, current_type: CurrentType, soc: float) -> float:
        """The charging curve's share of the maximum at this SoC."""
        return _interpolate(self.dc_curve if current_type == "DC" else self.ac_curve, soc)


# Typical cars, not particular brands. Figures are round numbers from published specs of the
# classes they stand for.
_LARGE_CAR_DC_CURVE: Curve = ((0.0, 1.0), (0.4, 1.0), (0.6, 0.7), (0.8, 0.45), (1.0, 0.1))

CITY_CAR = EvProfile("city-40", 40_000, 7_400, 1, 50_000, battery_voltage_v=350.0)
MID_SUV = EvProfile("suv-77", 77_000, 11_000, 3, 135_000)
LARGE_CAR = EvProfile("large-100", 100_000, 11_000, 3, 250_000, dc_curve=_LARGE_CAR_DC_CURVE)
PLUG_IN_HYBRID = EvProfile("phev-12", 12_000, 3_700, 1, 0, battery_voltage_v=350.0)

PRESETS: Mapping[str, EvProfile] = MappingProxyType(
    {p.name: p for p in (CITY_CAR, MID_SUV, LARGE_CAR, PLUG_IN_HYBRID)}
)
"""The presets by name."""


@dataclass(slots=True)
class Ev:
    """One car plugged in. Mutable: :meth:`absorb` and :func:`charge` advance it.

    Attributes:
        profile: what the car can take.
        soc: state of charge, 0.0 to 1.0.
        target_soc: the car stops requesting at this SoC (a departure setting; default full).
        target_energy_wh: the car stops after the meter has delivered this much; None: no limit.
        energy_delivered_wh: delivered so far in this session, as metered.
        requesting: False while the car pauses on its own (SuspendedEV).
        departure_at: when the driver comes back and unplugs (``station/ev_controls.py``);
            None: the car stays until someone unplugs it.
    """

    profile: EvProfile
    soc: float
    target_soc: float = 1.0
    target_energy_wh: float | None = None
    energy_delivered_wh: float = 0.0
    requesting: bool = True
    departure_at: datetime | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.soc <= 1.0:
            raise ValueError(f"soc must lie in [0, 1]: {self.soc}")
        if not 0.0 <= self.target_soc <= 1.0:
            raise ValueError(f"target_soc must lie in [0, 1]: {self.target_soc}")
        if self.target_energy_wh is not None and self.target_energy_wh < 0:
            raise ValueError(f"target_energy_wh must not be negative: {self.target_energy_wh}")
        if self.energy_delivered_wh < 0:
            raise ValueError("energy_delivered_wh must not be negative")
        if self.departure_at is not None and self.departure_at.utcoffset() is None:
            raise ValueError(f"departure_at must be timezone-aware: {self.departure_at!r}")

    @property
    def is_satisfied(self) -> bool:
        """True once the target SoC is reached or the target energy delivered."""
        if self.soc >= self.target_soc - _SOC_EPSILON:
            return True
        target = self.target_energy_wh
        return target is not None and self.energy_delivered_wh >= target - _WH_EPSILON

    @property
    def remaining_energy_wh(self) -> float:
        """Metered energy the car still takes before it is satisfied (0 when it is)."""
        if self.is_satisfied:
            return 0.0
        profile = self.profile
        remaining = (
            (self.target_soc - self.soc) * profile.battery_capacity_wh / profile.charging_efficiency
        )
        if self.target_energy_wh is not None:
            remaining = min(remaining, self.target_energy_wh - self.energy_delivered_wh)
        return max(remaining, 0.0)

    def demand_w(self, current_type: CurrentType, *, supply_phases: int | None = None) -> float:
        """The power the car asks for now: 0 when it pauses or is satisfied, else its maximum
        on this supply (see :meth:`EvProfile.max_power_w`) scaled by the charging curve."""
        if not self.requesting or self.is_satisfied:
            return 0.0
        return _curve_power(self.profile, current_type, supply_phases, self.soc)

    def absorb(self, energy_wh: float) -> None:
        """Take ``energy_wh`` through the connector: the battery stores the efficient share.

        SoC never passes 1.0; energy pushed past full is counted as delivered and lost.

        Raises:
            ValueError: for negative energy (this model does not discharge).
        """
        if energy_wh < 0:
            raise ValueError(f"energy_wh must not be negative: {energy_wh}")
        profile = self.profile
        stored = energy_wh * profile.charging_efficiency
        self.soc = min(1.0, self.soc + stored / profile.battery_capacity_wh)
        self.energy_delivered_wh += energy_wh


def _curve_power(
    profile: EvProfile, current_type: CurrentType, supply_phases: int | None, soc: float
) -> float:
    return profile.max_power_w(current_type, supply_phases) * profile.curve_fraction(
        current_type, soc
    )


def delivered_power_w(
    ev_demand_w: float,
    connector_max_w: float,
    smart_charging_limit_w: float | None = None,
    power_update_w: float | None = None,
) -> float:
    """The power that flows: the smallest of the EV's demand, the connector's rating and
    whichever of the smart-charging limit and the power update are present; never negative."""
    power = min(ev_demand_w, connector_max_w)
    if smart_charging_limit_w is not None:
        power = min(power, smart_charging_limit_w)
    if power_update_w is not None:
        power = min(power, power_update_w)
    return max(power, 0.0)


@dataclass(frozen=True, slots=True)
class ChargeStep:
    """What one call to :func:`charge` did.

    Attributes:
        energy_wh: metered energy delivered over the interval.
        average_power_w: ``energy_wh`` spread over the interval.
        end_power_w: the power flowing at its end (what the meter shows now).
    """

    energy_wh: float
    average_power_w: float
    end_power_w: float


def charge(
    ev: Ev,
    *,
    seconds: float,
    current_type: CurrentType,
    limit_w: float,
    supply_phases: int | None = None,
) -> ChargeStep:
    """Advance ``ev`` by ``seconds`` of charging at ``min(demand, limit_w)``.

    ``limit_w`` holds for the whole interval: the caller splits time where a limit changes
    (a new charging-schedule period, a power update) and calls once per piece. Updates ``ev``;
    the caller adds the returned energy to the station's meter.

    Args:
        ev: the car; its SoC and delivered energy advance.
        seconds: simulated time to advance, >= 0.
        current_type: "AC" or "DC".
        limit_w: the station side's limit, e.g. from :func:`delivered_power_w` with a demand
            of ``inf``.
        supply_phases: see :meth:`EvProfile.max_power_w`.

    Raises:
        ValueError: for negative ``seconds``.
    """
    if seconds < 0:
        raise ValueError(f"seconds must not be negative: {seconds}")
    limit_w = max(limit_w, 0.0)
    steps = max(1, math.ceil(seconds / MAX_STEP_S))
    dt_h = seconds / steps / 3600.0
    profile = ev.profile
    stored_per_wh = profile.charging_efficiency / profile.battery_capacity_wh
    # What Ev.demand_w computes, hoisted out of the loop: the curve and the untapered maximum.
    max_w = profile.max_power_w(current_type, supply_phases) if ev.requesting else 0.0
    curve = profile.dc_curve if current_type == "DC" else profile.ac_curve
    total_wh = 0.0
    for _ in range(steps if max_w > 0.0 and limit_w > 0.0 and dt_h > 0.0 else 0):
        remaining_wh = ev.remaining_energy_wh
        if remaining_wh <= 0.0:
            break  # satisfied
        start_w = min(max_w * _interpolate(curve, ev.soc), limit_w)
        # Midpoint rule: the power at the SoC half-way through the step follows the taper
        # far better than the power at its start, for one more curve lookup.
        mid_soc = ev.soc + start_w * dt_h / 2 * stored_per_wh
        energy_wh = min(max_w * _interpolate(curve, mid_soc), limit_w) * dt_h
        if energy_wh >= remaining_wh:
            ev.absorb(remaining_wh)
            if ev.soc >= ev.target_soc - _SOC_EPSILON:
                ev.soc = ev.target_soc  # land exactly on the target, not 1e-16 short of it
            total_wh += remaining_wh
            break
        ev.absorb(energy_wh)
        total_wh += energy_wh
    end_w = min(ev.demand_w(current_type, supply_phases=supply_phases), limit_w)
    average_w = total_wh * 3600.0 / seconds if seconds > 0 else 0.0
    return ChargeStep(energy_wh=total_wh, average_power_w=average_w, end_power_w=max(end_w, 0.0))
