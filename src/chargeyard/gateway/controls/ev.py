"""The EV's controls: the car of the next session, its state of charge, its state read back,
and the two sides of a suspension (the EV pausing, the station holding energy back), each
explicitly (``station/ev_controls.py`` has the rules and the spec behind each).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from chargeyard.gateway.commands import CommandSpec, ConnectorPayload
from chargeyard.gateway.controls.base import Control, Result, no_such_connector, where
from chargeyard.gateway.ev_payload import EvPayload
from chargeyard.station.model import rules
from chargeyard.station.model.ev_session import ev_limits
from chargeyard.station.verbs import StationVerbs

_Percent = Annotated[float, Field(ge=0, le=100)]


class SetEvPayload(ConnectorPayload):
    """The car the next cable plugged into the EVSE brings (``ev`` null: the default car)."""

    ev: EvPayload | None = None


class SocPayload(ConnectorPayload):
    """The plugged car's state of charge, in percent."""

    soc: _Percent


def _departure_passed(station: StationVerbs, when: datetime | None) -> str | None:
    if when is not None and when <= station.clock.now():
        return f"departure_time {when.isoformat()} has passed on the station's clock"
    return None


def _check_set_ev(station: StationVerbs, p: SetEvPayload) -> str | None:
    return no_such_connector(station, p) or _departure_passed(
        station, None if p.ev is None else p.ev.departure_time
    )


def _set_ev(station: StationVerbs, p: SetEvPayload) -> Result:
    ev = None if p.ev is None else p.ev.build()
    station.choose_ev(p.evse_id, ev)
    return {**where(p), "next_ev": None if ev is None else ev_limits(ev)}


def _check_ev(station: StationVerbs, p: ConnectorPayload) -> str | None:
    return rules.cannot_unplug(station.model, p.evse_id, p.connector_id) or rules.no_ev(
        station.model, p.evse_id
    )


def _update_soc(station: StationVerbs, p: SocPayload) -> Result:
    station.update_soc(p.evse_id, p.soc / 100)
    return {**where(p), **station.ev_state(p.evse_id).as_json()}


def _ev_state(station: StationVerbs, p: ConnectorPayload) -> Result:
    return {**where(p), **station.ev_state(p.evse_id).as_json()}


def _suspend_ev(station: StationVerbs, p: ConnectorPayload) -> Result:
    station.ev_suspend(p.evse_id)
    return {**where(p), "requesting": False, "status": _status(station, p)}


def _resume_ev(station: StationVerbs, p: ConnectorPayload) -> Result:
    station.ev_resume(p.evse_id)
    return {**where(p), "requesting": True, "status": _status(station, p)}


def _check_transaction(station: StationVerbs, p: ConnectorPayload) -> str | None:
    return no_such_connector(station, p) or rules.cannot_stop(station.model, p.evse_id)


def _suspend_evse(station: StationVerbs, p: ConnectorPayload) -> Result:
    station.evse_suspend(p.evse_id)
    return {**where(p), "suspended_by_evse": True, "status": _status(station, p)}


def _resume_evse(station: StationVerbs, p: ConnectorPayload) -> Result:
    station.evse_resume(p.evse_id)
    return {**where(p), "suspended_by_evse": False, "status": _status(station, p)}


def _status(station: StationVerbs, p: ConnectorPayload) -> str:
    """The connector's status in the version's words (1.6 ChargePointStatus, 2.0.1
    ConnectorStatusEnumType)."""
    connector = station.model.evses[p.evse_id].connectors[p.connector_id]
    return station.reported_status(connector.status)


_PLACE: dict[str, Any] = {"evse_id": 1, "connector_id": 1}

CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec("set-ev", "set_ev", SetEvPayload, "Choose the EV of the next session"),
        _check_set_ev,
        _set_ev,
        "Set EV",
        "Choose the car the next cable plugged into the EVSE brings (by plug-connector or a "
        "driver): a catalog EV (`model`) with any of its figures replaced (battery capacity, "
        "SoC at arrival, maximum AC and DC power, target SoC) and a `departure_time` at which "
        "its driver unplugs it. `ev` null: the default car (a city car at 20 %). start-session "
        "takes the same `ev` for its own session.",
        {
            **_PLACE,
            "ev": {
                "model": "suv-77",
                "soc": 35,
                "max_ac_power_w": 7400,
                "departure_time": "2030-01-01T18:00:00Z",
            },
        },
    ),
    Control(
        CommandSpec("update-soc", "update_soc", SocPayload, "Set the plugged EV's SoC"),
        _check_ev,
        _update_soc,
        "Update SoC",
        "The plugged EV's state of charge becomes `soc` %. A car at its target asks for no "
        "energy (SuspendedEV); meter values report the SoC where the station samples it. The "
        "outcome holds the EV's state (as ev-state).",
        {**_PLACE, "soc": 80},
    ),
    Control(
        CommandSpec("ev-state", "ev_state", ConnectorPayload, "Read the EV's state"),
        lambda station, p: no_such_connector(station, p),
        _ev_state,
        "EV state",
        "Read the EVSE and its car back from the station: cable, EV connected, requesting, "
        "suspended by the EV or by the EVSE, SoC, power, the session's energy, the energy "
        "register, the EV's limits (and those of the EV chosen for the next session).",
        dict(_PLACE),
    ),
    Control(
        CommandSpec("suspend-ev", "suspend_ev", ConnectorPayload, "The EV pauses"),
        _check_ev,
        _suspend_ev,
        "Suspend EV",
        "The plugged EV stops requesting energy while its transaction goes on (SuspendedEV: "
        "the 1.6 status, the 2.0.1 charging state). The same as ev-stops-energy.",
        dict(_PLACE),
    ),
    Control(
        CommandSpec("resume-ev", "resume_ev", ConnectorPayload, "The EV draws energy again"),
        _check_ev,
        _resume_ev,
        "Resume EV",
        "The plugged EV requests energy again (Charging). The same as ev-requests-energy.",
        dict(_PLACE),
    ),
    Control(
        CommandSpec("suspend-evse", "suspend_evse", ConnectorPayload, "The EVSE holds back"),
        _check_transaction,
        _suspend_evse,
        "Suspend EVSE",
        "The station stops offering energy on the EVSE while its transaction goes on "
        "(SuspendedEVSE: a 1.6 StatusNotification, a 2.0.1 TransactionEvent Updated with "
        "triggerReason ChargingStateChanged).",
        dict(_PLACE),
    ),
    Control(
        CommandSpec("resume-evse", "resume_evse", ConnectorPayload, "The EVSE offers energy"),
        _check_transaction,
        _resume_evse,
        "Resume EVSE",
        "The station offers energy on the EVSE again (Charging, or SuspendedEV when the car "
        "asks for none).",
        dict(_PLACE),
    ),
)
"""The EV's controls, in the catalogue's order."""
