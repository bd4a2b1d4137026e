"""The EV and the meter, as a tester drives them: the car of the next session, its state of
charge, the station holding energy back, the energy register. Shared by both versions.

Theory of operation
-------------------
:class:`EvControls` is mixed into each version's station class (``StationV16``,
``StationV201``), like ``maintenance.FirmwareDownloads``: the verbs change the model
(``model/station.py``) and then let the version say what changed, through the station's own
``update_charging_status`` (a StatusNotification in 1.6, a TransactionEvent Updated with
triggerReason ChargingStateChanged in 2.0.1).

* :meth:`EvControls.choose_ev`: the car the next cable plugged into the EVSE brings
  (:func:`arriving_ev`; without one, a city car at 20 %). A car with a departure time is
  unplugged by its driver then (:meth:`EvControls.ev_arrived`): the transaction ends as the
  version says for a cable pulled out (1.6 section 9.1 StopTransactionOnEVSideDisconnect,
  2.0.1 E10 / TxCtrlr.StopTxOnEVSideDisconnect).
* :meth:`EvControls.update_soc`: the car's state of charge changes (a car at its target asks
  for nothing: SuspendedEV, 1.6 section 7.7, 2.0.1 ChargingStateEnumType).
* :meth:`EvControls.evse_suspend` / :meth:`EvControls.evse_resume`: the station stops (and
  resumes) offering energy while the transaction goes on: SuspendedEVSE (1.6 section 7.7:
  "the EVSE is not allowing the EV to draw energy"; 2.0.1 ChargingStateEnumType).
* :meth:`EvControls.set_energy_register`: the connector's Energy.Active.Import.Register moves
  forward to a reading (``Meter.set_register``); each version's ``send_meter_values_now``
  (``bench.py``) then sends it: MeterValues (1.6 section 4.7), TransactionEvent Updated
  (2.0.1 J02).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.station.model import rules
from chargeyard.station.model.ev import CITY_CAR, Ev, EvProfile
from chargeyard.station.model.ev_session import DEFAULT_ARRIVAL_SOC, EvState, ev_state
from chargeyard.station.model.station import Evse, StationModel


def departure_timer(evse_id: int) -> str:
    """The name of the timer at which the car of ``evse_id`` leaves."""
    return f"ev_departure:{evse_id}"


def arriving_ev(evse: Evse, given: Ev | EvProfile | None) -> Ev:
    """The car a cable plugged into ``evse`` brings: the one given, else the one chosen for
    the EVSE's next session (taken: it comes once), else a city car at 20 %."""
    if isinstance(given, Ev):
        return given
    if given is not None:
        return Ev(profile=given, soc=DEFAULT_ARRIVAL_SOC)
    chosen, evse.next_ev = evse.next_ev, None
    return chosen if chosen is not None else Ev(profile=CITY_CAR, soc=DEFAULT_ARRIVAL_SOC)


class _Station(Protocol):
    """What the controls use of the station they are mixed into."""

    model: StationModel

    def advance(self) -> None: ...

    def update_charging_status(self, evse: Evse) -> None: ...

    def wake(self) -> None: ...

    def unplug(self, evse_id: int = 1, connector_id: int = 1, /) -> None: ...

    def set_timer_at(
        self, name: str, when: datetime | None, callback: Callable[[], None]
    ) -> None: ...


class EvControls:
    """The verbs of the module docstring, for a station class to mix in."""

    __slots__ = ()

    def choose_ev(self: _Station, evse_id: int, ev: Ev | None) -> None:
        """The car the EVSE's next plug brings (None: the default car again).

        Raises:
            KeyError: no such EVSE.
        """
        evse = _evse(self.model, evse_id)
        evse.next_ev = ev

    def ev_arrived(self: _Station, evse: Evse) -> None:
        """A car came with a cable (the version's ``plug``): its driver leaves at its
        departure time, unplugging it, if it is still there."""
        ev = evse.ev
        if ev is None or ev.departure_at is None:
            return

        def depart() -> None:
            connector = evse.plugged_connector()
            if evse.ev is ev and connector is not None:
                self.unplug(evse.id, connector.connector_id)

        self.set_timer_at(departure_timer(evse.id), ev.departure_at, depart)

    def update_soc(self: _Station, evse_id: int, soc: float) -> None:
        """The car's state of charge is now ``soc`` (0.0 to 1.0).

        Raises:
            KeyError: no such EVSE. OcppError: no car behind its cable. ValueError: ``soc``
                outside 0-1; nothing changes.
        """
        evse = _evse(self.model, evse_id)
        if not 0.0 <= soc <= 1.0:
            raise ValueError(f"a state of charge lies between 0 and 100 %, not {soc * 100:g} %")
        if reason := rules.no_ev(self.model, evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        assert evse.ev is not None
        self.advance()
        evse.ev.soc = soc
        self.update_charging_status(evse)
        self.wake()

    def ev_state(self: _Station, evse_id: int) -> EvState:
        """The EVSE and its car now.

        Raises:
            KeyError: no such EVSE.
        """
        evse = _evse(self.model, evse_id)
        self.advance()
        return ev_state(evse)

    def evse_suspend(self: _Station, evse_id: int) -> None:
        """The station stops offering energy; the transaction goes on (SuspendedEVSE).

        Raises:
            KeyError: no such EVSE. OcppError: no transaction runs on it.
        """
        _set_suspended(self, evse_id, True)

    def evse_resume(self: _Station, evse_id: int) -> None:
        """The station offers energy again (Charging, or SuspendedEV when the car asks for
        none).

        Raises:
            KeyError: no such EVSE. OcppError: no transaction runs on it.
        """
        _set_suspended(self, evse_id, False)

    def set_energy_register(self: _Station, evse_id: int, energy_wh: float) -> None:
        """The EVSE's energy register reads ``energy_wh`` from now.

        Raises:
            KeyError: no such EVSE. ValueError: below the register now (``Meter.set_register``);
                nothing changes.
        """
        evse = _evse(self.model, evse_id)
        self.advance()
        evse.meter.set_register(energy_wh)


def _set_suspended(station: _Station, evse_id: int, suspended: bool) -> None:
    evse = _evse(station.model, evse_id)
    if reason := rules.cannot_stop(station.model, evse_id):
        raise OcppError(ErrorKind.GENERIC_ERROR, reason)
    station.advance()
    evse.suspended_by_evse = suspended
    station.update_charging_status(evse)
    station.wake()


def _evse(model: StationModel, evse_id: int) -> Evse:
    evse = model.evses.get(evse_id)
    if evse is None:
        raise KeyError(f"no EVSE {evse_id} (the station has {len(model.evses)})")
    return evse


__all__ = ["EvControls", "arriving_ev", "departure_timer"]
