"""The driver's priority charging (OCPP 2.1 K): the driver at a 2.1 station asks for priority
charging of the transaction on an EVSE, or to stop it. The station switches the transaction to
its PriorityCharging profile (or back) and tells the central system with NotifyPriorityCharging
(``station/v21/priority_charging.py`` has the rules). Stations of other versions have no
priority charging: the command is refused before it is queued.
"""

from __future__ import annotations

from typing import Any

from chargeyard.gateway.commands import CommandSpec
from chargeyard.gateway.controls.base import Control, ControlPayload, Number, Result, no_such_evse
from chargeyard.station.model import rules
from chargeyard.station.verbs import PriorityChargingVerbs, StationVerbs


class PriorityPayload(ControlPayload):
    """The EVSE whose transaction the driver asks priority charging for; ``activate`` false
    asks to stop it."""

    evse_id: Number = 1
    activate: bool = True


def _check(station: StationVerbs, p: PriorityPayload) -> str | None:
    if not isinstance(station, PriorityChargingVerbs):
        return f"OCPP {station.version.name} has no priority charging (OCPP 2.1 has)"
    if reason := no_such_evse(station, p.evse_id) or rules.cannot_stop(station.model, p.evse_id):
        return reason
    if p.activate and not station.model.profiles.priority_profiles(p.evse_id):
        return f"no PriorityCharging profile serves EVSE {p.evse_id}"
    return None


def _request(station: StationVerbs, p: PriorityPayload) -> Result:
    if not isinstance(station, PriorityChargingVerbs):  # _check refused it before
        raise ValueError(f"OCPP {station.version.name} has no priority charging")
    changed = station.request_priority_charging(p.evse_id, p.activate)
    return {"evse_id": p.evse_id, "activated": p.activate, "changed": changed}


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec(
            "priority-charging",
            "priority_charging",
            PriorityPayload,
            "The driver asks for priority charging",
        ),
        _check,
        _request,
        "Driver asks for priority charging",
        "OCPP 2.1 stations only. The driver at the station asks for priority charging of the "
        "transaction on `evse_id` (`activate` false: to stop it): its PriorityCharging profile "
        "(set by the central system on the EVSE or the station) takes over its limit, or is "
        "set aside, and the station sends NotifyPriorityCharging. `changed` is false when it "
        "already was as asked (nothing is sent). Refused without a transaction on the EVSE, or "
        "(to activate) without a PriorityCharging profile serving it.",
        {"evse_id": 1, "activate": True},
    ),
)
"""The priority charging control."""
