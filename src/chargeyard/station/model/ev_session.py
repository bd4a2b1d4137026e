"""The EV of one session, as a tester chooses it and as the station sees it.

An :class:`EvChoice` names the car a driver arrives with: one of the catalog's typical cars
(:data:`~chargeyard.station.model.ev.PRESETS`, ``model``), with any of its figures replaced
(battery capacity, what its onboard AC charger and its DC inlet take), its state of charge at
arrival, the state of charge it stops at, and when its driver leaves. :meth:`EvChoice.build`
checks every figure and makes the :class:`~chargeyard.station.model.ev.Ev`; nothing is built
from a choice that does not hold.

:func:`ev_state` reads one EVSE back: the cable, the car behind it (its state of charge, its
limits, whether it pauses on its own), whether the station suspends it, the power flowing and
the energy of the session. Pure: no clock, no I/O; the caller brings the meters up to now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chargeyard.station.clock import iso
from chargeyard.station.model.ev import CITY_CAR, PRESETS, Ev, EvProfile
from chargeyard.station.model.states import TransactionPhase
from chargeyard.station.model.station import Evse

DEFAULT_ARRIVAL_SOC = 0.2
"""The state of charge of a car whose choice does not say (and of the default car)."""

_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})


@dataclass(frozen=True, slots=True)
class EvChoice:
    """The car of one session (see the module docstring). Fractions are 0.0 to 1.0; powers
    in W, energy in Wh; None keeps what the catalog car has.

    Attributes:
        model: a name of :data:`PRESETS` (``city-40``, ``suv-77``, ``large-100``,
            ``phev-12``); None: the city car.
        battery_capacity_wh: the usable capacity.
        soc: the state of charge at arrival.
        max_ac_power_w: what its onboard charger takes (0: none).
        max_dc_power_w: what its DC inlet takes (0: no DC inlet).
        target_soc: the car stops requesting energy there (SuspendedEV).
        departure_at: when its driver unplugs it.
    """

    model: str | None = None
    battery_capacity_wh: float | None = None
    soc: float | None = None
    max_ac_power_w: float | None = None
    max_dc_power_w: float | None = None
    target_soc: float | None = None
    departure_at: datetime | None = None

    def profile(self) -> EvProfile:
        """The car's profile: the catalog car with the figures the choice replaces.

        Raises:
            ValueError: an unknown model, or figures no car has (``EvProfile`` says which).
        """
        base = CITY_CAR if self.model is None else PRESETS.get(self.model)
        if base is None:
            raise ValueError(f"no EV model {self.model!r} (known: {', '.join(PRESETS)})")
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("battery_capacity_wh", self.battery_capacity_wh),
                ("max_ac_power_w", self.max_ac_power_w),
                ("max_dc_power_w", self.max_dc_power_w),
            )
            if value is not None
        }
        if not changes:
            return base
        return replace(base, name=f"{base.name}-custom", **changes)

    def build(self) -> Ev:
        """A new car as chosen.

        Raises:
            ValueError: see :meth:`profile`; a state of charge outside 0-1 or above the
                target; a departure time without a zone.
        """
        soc = DEFAULT_ARRIVAL_SOC if self.soc is None else self.soc
        target = 1.0 if self.target_soc is None else self.target_soc
        if self.target_soc is not None and soc > target:
            raise ValueError(f"the SoC at arrival ({soc:.0%}) is above the target ({target:.0%})")
        return Ev(self.profile(), soc, target_soc=target, departure_at=self.departure_at)


@dataclass(frozen=True, slots=True)
class EvState:
    """One EVSE and the car behind its cable, read back (see the module docstring)."""

    evse_id: int
    plugged_connector_id: int | None
    cable_plugged: bool
    ev_connected: bool
    requesting: bool
    suspended_by_ev: bool
    suspended_by_evse: bool
    soc: float | None
    power_w: float
    session_energy_wh: float | None
    energy_register_wh: float
    ev: dict[str, Any] | None
    next_ev: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        """The state as plain JSON (the gateway's ev-state outcome): SoC in percent."""
        return {
            "evse_id": self.evse_id,
            "plugged_connector_id": self.plugged_connector_id,
            "cable_plugged": self.cable_plugged,
            "ev_connected": self.ev_connected,
            "requesting": self.requesting,
            "suspended_by_ev": self.suspended_by_ev,
            "suspended_by_evse": self.suspended_by_evse,
            "soc": None if self.soc is None else round(self.soc * 100, 2),
            "power_w": round(self.power_w, 1),
            "session_energy_wh": (
                None if self.session_energy_wh is None else round(self.session_energy_wh, 1)
            ),
            "energy_register_wh": round(self.energy_register_wh, 1),
            "ev": self.ev,
            "next_ev": self.next_ev,
        }


def ev_limits(ev: Ev) -> dict[str, Any]:
    """What the car is and takes, as the gateway shows it (SoC in percent)."""
    profile = ev.profile
    return {
        "model": profile.name,
        "battery_capacity_wh": profile.battery_capacity_wh,
        "max_ac_power_w": profile.max_ac_power_w,
        "ac_phases": profile.ac_phases,
        "max_dc_power_w": profile.max_dc_power_w,
        "soc": round(ev.soc * 100, 2),
        "target_soc": round(ev.target_soc * 100, 2),
        "departure_time": None if ev.departure_at is None else iso(ev.departure_at),
    }


def ev_state(evse: Evse) -> EvState:
    """``evse`` and its car now (the caller advanced the meters).

    "Suspended by the EV" is the car not asking for energy (paused on its own, full, or at
    its target): 1.6 SuspendedEV (section 7.7), 2.0.1 ChargingStateEnumType SuspendedEV.
    "Suspended by the EVSE" is the station holding the energy back (1.6 SuspendedEVSE).
    """
    connector = evse.plugged_connector()
    ev = evse.ev
    transaction = evse.transaction
    session = None
    if transaction is not None and transaction.phase in _RUNNING:
        session = max(0.0, evse.meter.energy_register_wh - transaction.meter_start_wh)
    demand = 0.0 if ev is None else ev.demand_w(evse.electrical.current_type)
    return EvState(
        evse_id=evse.id,
        plugged_connector_id=None if connector is None else connector.connector_id,
        cable_plugged=connector is not None,
        ev_connected=ev is not None,
        requesting=ev is not None and ev.requesting,
        suspended_by_ev=ev is not None and demand <= 0,
        suspended_by_evse=evse.suspended_by_evse,
        soc=None if ev is None else ev.soc,
        power_w=evse.meter.power_w,
        session_energy_wh=session,
        energy_register_wh=evse.meter.energy_register_wh,
        ev=None if ev is None else ev_limits(ev),
        next_ev=None if evse.next_ev is None else ev_limits(evse.next_ev),
    )


__all__ = ["DEFAULT_ARRIVAL_SOC", "EvChoice", "EvState", "ev_limits", "ev_state"]
