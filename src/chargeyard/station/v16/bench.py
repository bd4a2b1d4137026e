"""What a tester does at a 1.6 charge point beyond a driver's acts: its reset button, a
message sent now, the meter read out, its configuration read back (``station/verbs.py``).

Each goes through the station's own rules: the reset and the message are the station's answer
to the request its central system would send (``SimulatedStation.answer_here``: Reset, section
5.14; TriggerMessage, section 5.17, or the security extension's ExtendedTriggerMessage), so
what goes on the wire is what that request makes it send.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.terms import StoredSetting

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16


class BenchV16(Block["StationV16"]):
    """The verbs of the module docstring; the station's own methods delegate here."""

    __slots__ = ()

    station: StationV16

    def reset_here(self, kind: str, evse_id: int | None = None) -> str:
        """Restart as a Reset of ``kind`` (Hard or Soft) does; its status (Accepted).

        Raises:
            SchemaValueError: (a ValueError) no such ResetType, or an EVSE (1.6 resets the
                whole charge point); nothing changes.
        """
        request = self.station.TERMS.reset_request(kind, evse_id)
        # TERMS built the request in this version's words from the operator's (it raised
        # SchemaValueError on any other); the verb is version-neutral, the dict untyped.
        typed = cast(v16.ResetRequest, request)
        return self.station.answer_here(self.station.core.reset, typed)["status"]

    def trigger_here(self, message: str, evse_id: int | None = None, connector_id: int = 1) -> str:
        """Send ``message`` now, as a TriggerMessage (section 5.17) or ExtendedTriggerMessage
        asking for it makes the station send it (of one connector, or all when ``evse_id`` is
        None); the station's answer (Accepted, Rejected, NotImplemented).

        Raises:
            SchemaValueError: (a ValueError) a message neither request asks for.
            KeyError: no such connector.
        """
        action = self.station.TERMS.trigger_action(message)
        request: Payload = {"requestedMessage": message}
        if evse_id is not None:
            request["connectorId"] = self.station.model.connector(evse_id, connector_id).number_16
        # TERMS.trigger_action checked the message is one the request names (it raised
        # SchemaValueError on any other): the request is this action's.
        if action == "TriggerMessage":
            trigger = self.station.remote_trigger.trigger_message
            return self.station.answer_here(trigger, cast(v16.TriggerMessageRequest, request))[
                "status"
            ]
        extended = self.station.extended_trigger.extended_trigger_message
        typed = cast(v16.ExtendedTriggerMessageRequest, request)
        return self.station.answer_here(extended, typed)["status"]

    def meter_values_refusal(self, evse_id: int) -> str | None:
        """Why :meth:`send_meter_values_now` cannot send now, or None.

        Raises:
            KeyError: no such EVSE.
        """
        evse = self.station.model.evses[evse_id]
        if not self.station.config.get_list("MeterValuesSampledData"):
            return "MeterValuesSampledData lists nothing to report"
        if evse.transaction is None and not self.station.online:
            return "the station is offline and keeps no MeterValues outside a transaction"
        return None

    def send_meter_values_now(self, evse_id: int) -> str:
        """MeterValues.req of the EVSE's MeterValuesSampledData now (context Trigger): in the
        transaction queue while a transaction runs (section 4.7), else sent directly; the
        message's action.

        Raises:
            KeyError: no such EVSE. OcppError: :meth:`meter_values_refusal`'s reason.
        """
        if reason := self.meter_values_refusal(evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        self.station.advance()
        self.station.metering.send_meter_values(
            self.station.model.evses[evse_id], "Trigger", "MeterValuesSampledData"
        )
        return "MeterValues"

    def lock_jammed(self, evse_id: int, connector_id: int) -> bool:
        """Whether the connector's lock is jammed (``set_unlock_fails``)."""
        return self.station.core.lock_jammed(evse_id, connector_id)

    def configuration_report(
        self, keys: Sequence[str] = ()
    ) -> tuple[list[StoredSetting], list[str]]:
        """The configuration keys (all, or ``keys``) as GetConfiguration.conf reads them
        (section 6.25; a write-only key without its value), and the keys it does not know."""
        report = self.station.config.report(list(keys))
        items = [
            StoredSetting(entry["key"], entry.get("value"), bool(entry["readonly"]))
            for entry in report.get("configurationKey", [])
        ]
        return items, list(report.get("unknownKey", []))
