"""The EV and the meter, as a driver and a tester move them: the cable, the car behind it and
its state of charge, whether it draws energy, the power the EVSE may give, the station holding
energy back, the energy register. Shared by both versions.

Theory of operation
-------------------
:class:`EvControls` is a block every station owns (``SimulatedStation.ev``, ``core.py``, whose
verbs delegate to it). Each verb changes the model (``model/station.py``) and then lets the
version say what changed, through the station's own ``update_charging_status`` (a
StatusNotification in 1.6, a TransactionEvent Updated with triggerReason ChargingStateChanged
in 2.0.1).

* :meth:`EvControls.cable_in` / :meth:`EvControls.cable_out`: the physical half of a plug and
  an unplug (the connector usable, the cable and its lock, the car coming or going); the
  version's ``plug`` / ``unplug`` (``v16/transactions.py``, ``v201/transactions.py``) then
  does what its OCPP says of it (1.6 sections 4.9, 9.1; 2.0.1 E02, E09, E10).
* :meth:`EvControls.choose_ev`: the car the next cable plugged into the EVSE brings
  (:func:`arriving_ev`; without one, a city car at 20 %). A car with a departure time is
  unplugged by its driver then (:meth:`EvControls.ev_arrived`): the transaction ends as the
  version says for a cable pulled out (1.6 section 9.1 StopTransactionOnEVSideDisconnect,
  2.0.1 E10 / TxCtrlr.StopTxOnEVSideDisconnect).
* :meth:`EvControls.update_soc`: the car's state of charge changes (a car at its target asks
  for nothing: SuspendedEV, 1.6 section 7.7, 2.0.1 ChargingStateEnumType).
* :meth:`EvControls.ev_suspend` / :meth:`EvControls.ev_resume`: the car stops (and resumes)
  asking for energy: SuspendedEV (1.6 section 7.7, 2.0.1 ChargingStateEnumType), told through
  the station's ``ev_request_changed`` (what the EVSE may give did not change: 2.0.1 reports
  no ChargingRateChanged for it, K).
* :meth:`EvControls.evse_suspend` / :meth:`EvControls.evse_resume`: the station stops (and
  resumes) offering energy while the transaction goes on: SuspendedEVSE (1.6 section 7.7:
  "the EVSE is not allowing the EV to draw energy"; 2.0.1 ChargingStateEnumType).
* :meth:`EvControls.set_power_limit`: the power available to the EVSE changes (a site's
  load management outside OCPP), which the charging state follows.
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
from chargeyard.station.blocks import Block
from chargeyard.station.model import rules
from chargeyard.station.model.ev import CITY_CAR, Ev, EvProfile
from chargeyard.station.model.ev_session import DEFAULT_ARRIVAL_SOC, EvState, ev_state
from chargeyard.station.model.meter import check_power
from chargeyard.station.model.station import Connector, Evse, StationModel


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


class EvHost(Protocol):
    """What the controls use of the station that owns them."""

    @property
    def model(self) -> StationModel: ...

    @property
    def wake(self) -> Callable[[], None]: ...

    def require_power(self) -> None: ...

    def advance(self) -> None: ...

    def update_charging_status(self, evse: Evse) -> None: ...

    def ev_request_changed(self, evse: Evse) -> None: ...

    def unplug(self, evse_id: int = 1, connector_id: int = 1, /) -> None: ...

    def set_timer_at(
        self, name: str, when: datetime | None, callback: Callable[[], None]
    ) -> None: ...


class EvControls(Block[EvHost]):
    """The verbs of the module docstring, for a station to own."""

    __slots__ = ()

    # -- the cable: the physical half of the version's plug and unplug --------------------------

    def cable_in(
        self, evse_id: int, connector_id: int, ev: Ev | EvProfile | None
    ) -> tuple[Evse, Connector]:
        """The driver inserts the cable, ``ev`` behind it (:func:`arriving_ev`), and the
        connector locks; the meters are brought up to now first. Returns the EVSE and the
        connector, for the version to report.

        Raises:
            KeyError: no such connector. OcppError: the station is going down or off
                (``require_power``), the EVSE has a cable in already or the connector is
                unusable (``rules.cannot_plug``); nothing changes.
        """
        station = self.station
        station.require_power()
        connector = station.model.connector(evse_id, connector_id)
        evse = station.model.evses[evse_id]
        if reason := rules.cannot_plug(station.model, evse_id, connector_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        station.advance()
        connector.cable_plugged = connector.locked = True
        evse.ev = arriving_ev(evse, ev)
        self.ev_arrived(evse)
        return evse, connector

    def cable_out(self, evse_id: int, connector_id: int) -> tuple[Evse, Connector]:
        """The driver removes the cable (unlocked); the meters are brought up to now first.
        The car stays ``evse.ev`` for the version to let it go when its transaction allows.

        Raises:
            KeyError: no such connector. OcppError: no cable is in (``rules.cannot_unplug``);
                nothing changes.
        """
        station = self.station
        connector = station.model.connector(evse_id, connector_id)
        if reason := rules.cannot_unplug(station.model, evse_id, connector_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        evse = station.model.evses[evse_id]
        station.advance()
        connector.cable_plugged = connector.locked = False
        return evse, connector

    # -- the car --------------------------------------------------------------------------------

    def choose_ev(self, evse_id: int, ev: Ev | None) -> None:
        """The car the EVSE's next plug brings (None: the default car again).

        Raises:
            KeyError: no such EVSE.
        """
        _evse(self.station.model, evse_id).next_ev = ev

    def ev_arrived(self, evse: Evse) -> None:
        """A car came with a cable (:meth:`cable_in`): its driver leaves at its departure
        time, unplugging it, if it is still there."""
        ev = evse.ev
        if ev is None or ev.departure_at is None:
            return
        station = self.station

        def depart() -> None:
            connector = evse.plugged_connector()
            if evse.ev is ev and connector is not None:
                station.unplug(evse.id, connector.connector_id)

        station.set_timer_at(departure_timer(evse.id), ev.departure_at, depart)

    def update_soc(self, evse_id: int, soc: float) -> None:
        """The car's state of charge is now ``soc`` (0.0 to 1.0).

        Raises:
            KeyError: no such EVSE. OcppError: no car behind its cable. ValueError: ``soc``
                outside 0-1; nothing changes.
        """
        station = self.station
        evse = _evse(station.model, evse_id)
        if not 0.0 <= soc <= 1.0:
            raise ValueError(f"a state of charge lies between 0 and 100 %, not {soc * 100:g} %")
        if reason := rules.no_ev(station.model, evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        assert evse.ev is not None
        station.advance()
        evse.ev.soc = soc
        station.update_charging_status(evse)
        station.wake()

    def ev_state(self, evse_id: int) -> EvState:
        """The EVSE and its car now.

        Raises:
            KeyError: no such EVSE.
        """
        evse = _evse(self.station.model, evse_id)
        self.station.advance()
        return ev_state(evse)

    def ev_suspend(self, evse_id: int) -> None:
        """The car stops requesting energy (SuspendedEV).

        Raises:
            KeyError: no such EVSE. OcppError: no car behind its cable.
        """
        self._set_ev_requesting(evse_id, False)

    def ev_resume(self, evse_id: int) -> None:
        """The car requests energy again.

        Raises:
            KeyError: no such EVSE. OcppError: no car behind its cable.
        """
        self._set_ev_requesting(evse_id, True)

    def _set_ev_requesting(self, evse_id: int, requesting: bool) -> None:
        station = self.station
        evse = station.model.evses[evse_id]
        if reason := rules.no_ev(station.model, evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        assert evse.ev is not None
        station.advance()
        evse.ev.requesting = requesting
        station.ev_request_changed(evse)
        station.wake()

    # -- the EVSE and its meter -----------------------------------------------------------------

    def set_power_limit(self, evse_id: int, watts: float | None) -> None:
        """The power available to the EVSE changes (None: back to its rating).

        Raises:
            ValueError: ``watts`` is negative, infinite or NaN (its meter values would be too).
        """
        check_power(watts)
        station = self.station
        station.advance()
        station.model.evses[evse_id].power_update_w = watts
        station.update_charging_status(station.model.evses[evse_id])
        station.wake()

    def evse_suspend(self, evse_id: int) -> None:
        """The station stops offering energy; the transaction goes on (SuspendedEVSE).

        Raises:
            KeyError: no such EVSE. OcppError: no transaction runs on it.
        """
        self._set_suspended(evse_id, True)

    def evse_resume(self, evse_id: int) -> None:
        """The station offers energy again (Charging, or SuspendedEV when the car asks for
        none).

        Raises:
            KeyError: no such EVSE. OcppError: no transaction runs on it.
        """
        self._set_suspended(evse_id, False)

    def _set_suspended(self, evse_id: int, suspended: bool) -> None:
        station = self.station
        evse = _evse(station.model, evse_id)
        if reason := rules.cannot_stop(station.model, evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        station.advance()
        evse.suspended_by_evse = suspended
        station.update_charging_status(evse)
        station.wake()

    def set_energy_register(self, evse_id: int, energy_wh: float) -> None:
        """The EVSE's energy register reads ``energy_wh`` from now.

        Raises:
            KeyError: no such EVSE. ValueError: below the register now (``Meter.set_register``);
                nothing changes.
        """
        evse = _evse(self.station.model, evse_id)
        self.station.advance()
        evse.meter.set_register(energy_wh)


def _evse(model: StationModel, evse_id: int) -> Evse:
    evse = model.evses.get(evse_id)
    if evse is None:
        raise KeyError(f"no EVSE {evse_id} (the station has {len(model.evses)})")
    return evse


__all__ = ["EvControls", "EvHost", "arriving_ev", "departure_timer"]
