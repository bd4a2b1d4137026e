"""What a tester does at a 2.0.1 charging station beyond a driver's acts: its reset button
(of the station or one EVSE), a message sent now, the meter read out, its variables read back
(``station/verbs.py``).

Each goes through the station's own rules: the reset and the message are the station's answer
to the request its central system would send (``SimulatedStation.answer_here``: Reset, B11/B12,
the boot after saying LocalReset; TriggerMessage, F06), so what goes on the wire is what that
request makes it send.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.terms import StoredSetting
from chargeyard.station.v201.device_model import Component, Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_TX_MEASURANDS = ("SampledDataCtrlr", "TxUpdatedMeasurands")
_IDLE_MEASURANDS = ("AlignedDataCtrlr", "Measurands")  # as a triggered MeterValues (F06)


def setting_key(component: Component, variable: Variable) -> str:
    """``Component.Variable[:instance]``, as :class:`~chargeyard.station.terms.Setting` names a
    variable."""
    key = f"{component.name}.{variable.name}"
    return key if variable.instance is None else f"{key}:{variable.instance}"


class BenchV201(Block["StationV201"]):
    """The verbs of the module docstring; the station's own methods delegate here."""

    __slots__ = ()

    station: StationV201

    def reset_here(self, kind: str, evse_id: int | None = None) -> str:
        """Restart (the station, or the EVSE ``evse_id``) as a Reset of ``kind`` does
        (Immediate or OnIdle; Hard and Soft as those): its status (Accepted, Scheduled, or
        Rejected: an EVSE whose AllowReset is false, a firmware installation under way).

        Raises:
            SchemaValueError: (a ValueError) no such ResetEnumType; nothing changes.
        """
        # TERMS built the request in this version's words from the operator's (it raised
        # SchemaValueError on any other); the verb is version-neutral, the dict untyped.
        request = cast(v201.ResetRequest, self.station.TERMS.reset_request(kind, evse_id))
        answer = self.station.answer_here(
            lambda r: self.station.provisioning.reset_as(r, local=True), request
        )
        return answer["status"]

    def trigger_here(self, message: str, evse_id: int | None = None, connector_id: int = 1) -> str:
        """Send ``message`` now, as a TriggerMessage asking for it makes the station send it
        (F06; of the EVSE's connector, or of the whole station when ``evse_id`` is None); the
        station's answer (Accepted, Rejected, NotImplemented).

        Raises:
            SchemaValueError: (a ValueError) not a MessageTriggerEnumType.
        """
        self.station.TERMS.trigger_action(message)
        request: Payload = {"requestedMessage": message}
        if evse_id is not None:
            request["evse"] = {"id": evse_id, "connectorId": connector_id}
        # TERMS.trigger_action checked the message is one the request names (it raised
        # SchemaValueError on any other): the request is this action's.
        typed = cast(v201.TriggerMessageRequest, request)
        return self.station.answer_here(self.station.control.trigger_message, typed)["status"]

    def meter_values_refusal(self, evse_id: int) -> str | None:
        """Why :meth:`send_meter_values_now` cannot send now, or None.

        Raises:
            KeyError: no such EVSE.
        """
        evse = self.station.model.evses[evse_id]
        measurands = _TX_MEASURANDS if evse.transaction is not None else _IDLE_MEASURANDS
        if not self.station.device_model.get_list(*measurands):
            return f"{'.'.join(measurands)} lists nothing to report"
        if evse.transaction is None and not self.station.online:
            return "the station is offline and keeps no MeterValues outside a transaction"
        return None

    def send_meter_values_now(self, evse_id: int) -> str:
        """The EVSE's meter now (context Trigger): a TransactionEvent Updated (triggerReason
        Trigger, SampledDataCtrlr.TxUpdatedMeasurands) while a transaction runs, kept in the
        transaction queue (J02); else a MeterValuesRequest (AlignedDataCtrlr.Measurands, J01).
        The message's action.

        Raises:
            KeyError: no such EVSE. OcppError: :meth:`meter_values_refusal`'s reason.
        """
        if reason := self.meter_values_refusal(evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        evse = self.station.model.evses[evse_id]
        self.station.advance()
        if evse.transaction is not None:
            self.station.transaction_events.send_transaction_update(
                evse, "Trigger", _TX_MEASURANDS, "Trigger"
            )
            return "TransactionEvent"
        self.station.send_meter_values(evse, "Trigger", _IDLE_MEASURANDS)
        return "MeterValues"

    def lock_jammed(self, evse_id: int, connector_id: int) -> bool:
        """Whether the connector's lock is jammed (``set_unlock_fails``)."""
        return self.station.control.lock_jammed(evse_id, connector_id)

    def configuration_report(
        self, keys: Sequence[str] = ()
    ) -> tuple[list[StoredSetting], list[str]]:
        """The device model's variables (all, or those ``keys`` name as
        ``Component.Variable[:instance]``, of every EVSE and connector), each with its Actual
        value (none for a WriteOnly one, B06), and the keys that name none."""
        wanted = set(keys)
        found: set[str] = set()
        items: list[StoredSetting] = []
        for component, variable in self.station.device_model.items():
            key = setting_key(component, variable)
            if wanted and key not in wanted:
                continue
            found.add(key)
            value = None if variable.mutability == "WriteOnly" else variable.read()
            items.append(
                StoredSetting(
                    key,
                    value,
                    variable.mutability == "ReadOnly",
                    component.evse,
                    component.connector,
                )
            )
        return items, [key for key in keys if key not in found]
