"""The station sends one of its own messages now, with its real payload: what a TriggerMessage
for it makes the station send (1.6 section 5.17, and the security extension's
ExtendedTriggerMessage for the messages it adds; 2.0.1 F06), by the station's own rules (a
2.0.1 station sends no BootNotification once Accepted, F06.FR.17; a MeterValues of the
connector's current readings...). ``proxy-message`` stays for a payload the user writes.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chargeyard.gateway.commands import CommandSpec
from chargeyard.gateway.controls.base import Control, ControlPayload, Number, Result
from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.station.model import rules
from chargeyard.station.verbs import StationVerbs


class TriggerPayload(ControlPayload):
    """The message (1.6 MessageTrigger or the extension's; 2.0.1 MessageTriggerEnumType), of
    one connector, or of the whole station when ``evse_id`` is null."""

    message: str = Field(min_length=1, max_length=64)
    evse_id: Number | None = None
    connector_id: Number = 1


def _check(station: StationVerbs, p: TriggerPayload) -> str | None:
    try:
        station.TERMS.trigger_action(p.message)
    except OcppError as error:
        return f"OCPP {station.version.name}: {error.description or error.kind.value}"
    if p.evse_id is not None and (
        reason := rules.no_such_connector(station.model, p.evse_id, p.connector_id)
    ):
        return reason
    if not station.connected:
        return "the station is not connected to its central system"
    return None


def _trigger(station: StationVerbs, p: TriggerPayload) -> Result:
    status = station.trigger_here(p.message, p.evse_id, p.connector_id)
    if status != "Accepted":
        raise OcppError(ErrorKind.GENERIC_ERROR, f"the station answered {status}")
    return {
        "message": p.message,
        "evse_id": p.evse_id,
        "connector_id": None if p.evse_id is None else p.connector_id,
        "status": status,
    }


CONTROLS: tuple[Control[Any], ...] = (
    Control(
        CommandSpec("trigger-message", "trigger_message", TriggerPayload, "Send one message now"),
        _check,
        _trigger,
        "Trigger message",
        "The station sends one of its own messages now, with its real payload, as a "
        "TriggerMessage for it makes it (1.6 section 5.17, ExtendedTriggerMessage's messages "
        "too; 2.0.1 F06): `message` BootNotification, Heartbeat, StatusNotification, "
        "MeterValues..., of the connector (`evse_id`, `connector_id`) or of the whole station "
        "(`evse_id` null). Fails with the station's answer when it refuses (a 2.0.1 "
        "BootNotification once Accepted, F06.FR.17). proxy-message sends a payload you write.",
        {"message": "StatusNotification", "evse_id": 1, "connector_id": 1},
    ),
)
"""The trigger control."""
