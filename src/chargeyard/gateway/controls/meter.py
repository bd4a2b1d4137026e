"""The meter's controls: the energy register set by hand, and the meter sent now (1.6
MeterValues, section 4.7; 2.0.1 TransactionEvent Updated during a transaction, J02, else
MeterValuesRequest, J01). ``station/ev_controls.py`` and each version's ``bench.py`` have
the rules.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chargeyard.gateway.commands import CommandSpec, ConnectorPayload
from chargeyard.gateway.controls.base import Control, Result, no_such_connector, where
from chargeyard.station.verbs import StationVerbs


class RegisterPayload(ConnectorPayload):
    """The reading the EVSE's energy register jumps to, in Wh (forward only)."""

    energy_wh: float = Field(ge=0, le=1e12)


def _sendable(station: StationVerbs, p: ConnectorPayload) -> str | None:
    return no_such_connector(station, p) or station.meter_values_refusal(p.evse_id)


def _check_register(station: StationVerbs, p: RegisterPayload) -> str | None:
    if reason := _sendable(station, p):
        return reason
    register = station.model.evses[p.evse_id].meter.energy_register_wh
    if p.energy_wh < register:
        return (
            f"the energy register reads {register:.0f} Wh and never runs backwards:"
            f" {p.energy_wh:g} Wh cannot be set"
        )
    return None


def _update_meter_values(station: StationVerbs, p: RegisterPayload) -> Result:
    station.set_energy_register(p.evse_id, p.energy_wh)
    return _send_meter_values(station, p)


def _send_meter_values(station: StationVerbs, p: ConnectorPayload) -> Result:
    sent = station.send_meter_values_now(p.evse_id)
    register = station.model.evses[p.evse_id].meter.energy_register_wh
    return {**where(p), "energy_wh": round(register, 1), "sent": sent}


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec(
            "update-meter-values",
            "update_meter_values",
            RegisterPayload,
            "Set the energy register and send the meter",
        ),
        _check_register,
        _update_meter_values,
        "Update meter values",
        "The EVSE's energy register (Energy.Active.Import.Register) jumps forward to "
        "`energy_wh`, and the station sends its meter at once: a MeterValues (1.6; in the "
        "transaction queue during a transaction), a TransactionEvent Updated with triggerReason "
        "Trigger during a 2.0.1 transaction, else a MeterValuesRequest. A register never runs "
        "backwards: a reading below the present one is refused.",
        {"evse_id": 1, "connector_id": 1, "energy_wh": 1_000_000},
    ),
    Control(
        CommandSpec(
            "send-meter-values", "send_meter_values", ConnectorPayload, "Send the meter now"
        ),
        _sendable,
        _send_meter_values,
        "Send meter values",
        "The station sends the EVSE's meter now, as update-meter-values does, without "
        "touching the register (context Trigger).",
        {"evse_id": 1, "connector_id": 1},
    ),
)
"""The meter's controls, in the catalogue's order."""
