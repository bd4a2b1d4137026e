"""OCPP 2.0.1 availability (functional block G): ChangeAvailability and faults.

Theory of operation
-------------------
StatusNotification (G01) and Heartbeat (G02) are the base's and ``core.py``'s. Here:

* ChangeAvailability (G03 for an EVSE or one connector, G04 for the whole station, when
  ``evse`` is absent or its id is 0): Operative or Inoperative. Connectors not in use change
  at once (StatusNotification Unavailable / Available after the answer) and the answer is
  Accepted, also when they already were so; connectors in use (a transaction runs, or a cable
  waits for one: Preparing) change when that is over, and the answer is Scheduled. An unknown
  EVSE or connector is Rejected. Availability survives a reboot (``Connector.operative``).
* ``inject_fault`` / ``clear_fault`` are the gateway's: a fault ends the EVSE's transaction
  (triggerReason AbnormalCondition, the fault as stoppedReason) and the connector reports
  Faulted; when it clears, the connector goes back to Unavailable, Occupied or Available.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, on
from chargeyard.protocol.fields import SchemaValueError
from chargeyard.protocol.messages import is_one_of, v201
from chargeyard.station.blocks import Block
from chargeyard.station.model import rules
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Connector, Evse

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_S = ConnectorStatus

FAULT_REASONS: tuple[v201.ReasonEnumType, ...] = (
    "GroundFault",
    "OvercurrentFault",
    "PowerQuality",
    "EmergencyStop",
    "Other",
)
"""The ReasonEnumType values that name a fault: what a faulted connector's transaction ends
with (the others are a driver's, a CSMS's or a limit's reasons)."""
_FAULT_REASONS = frozenset(FAULT_REASONS)


def check_fault_reason(reason: str) -> v201.ReasonEnumType:
    """``reason`` is one of :data:`FAULT_REASONS`.

    Returns:
        The reason, as the type checker knows the schema's words.

    Raises:
        SchemaValueError: (a ValueError) it is not; the error names the ones there are.
    """
    if is_one_of(reason, _FAULT_REASONS):
        return reason
    raise SchemaValueError(
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        f"reason {reason!r} is not a fault: one of {', '.join(FAULT_REASONS)}",
    )


class AvailabilityV201(Block["StationV201"]):
    """G03 / G04 and faults; see the module docstring."""

    __slots__ = ("scheduled_availability",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # Per (evseId, connectorId): the operative state a Scheduled change will set.
        self.scheduled_availability: dict[tuple[int, int], bool] = {}

    @on("ChangeAvailability")
    def change_availability(
        self, payload: v201.ChangeAvailabilityRequest
    ) -> v201.ChangeAvailabilityResponse:
        operative = payload["operationalStatus"] == "Operative"
        wanted = payload.get("evse")
        if wanted is None or wanted["id"] == 0:
            if wanted is not None and "connectorId" in wanted:
                return {"status": "Rejected"}
            self.station.station_operative = operative
            targets = list(self.station.model.connectors())
        else:
            evse = self.station.model.evses.get(wanted["id"])
            connector_id = wanted.get("connectorId")
            if evse is None or (connector_id is not None and connector_id not in evse.connectors):
                return {"status": "Rejected"}
            targets = [
                connector
                for number, connector in evse.connectors.items()
                if connector_id is None or number == connector_id
            ]
        now: list[Connector] = []
        later: list[Connector] = []
        for connector in targets:
            (later if self._in_use(connector) else now).append(connector)
        for connector in later:
            self.scheduled_availability[(connector.evse_id, connector.connector_id)] = operative
        for connector in now:
            self.scheduled_availability.pop((connector.evse_id, connector.connector_id), None)
        # G03: the StatusNotification follows the answer.
        self.station.after_answer(lambda: self._apply_availability(now, operative))
        return {"status": "Scheduled" if later else "Accepted"}

    def _apply_availability(self, connectors: list[Connector], operative: bool) -> None:
        for connector in connectors:
            connector.operative = operative
            if connector.faulted:
                continue  # it reports its availability when the fault clears
            if not operative:
                self.station.set_status(connector, _S.UNAVAILABLE)
            elif connector.status is _S.UNAVAILABLE:
                self.station.set_status(connector, _S.AVAILABLE)
        self.station.wake()

    def _in_use(self, connector: Connector) -> bool:
        """A transaction runs on its EVSE, or a cable waits in it for one (Preparing)."""
        evse = self.station.model.evses[connector.evse_id]
        return evse.transaction is not None or connector.status is _S.PREPARING

    def on_evse_idle(self, evse: Evse) -> None:
        """G03: a Scheduled change applies once its connector is no longer in use."""
        for number, connector in evse.connectors.items():
            key = (evse.id, number)
            if key in self.scheduled_availability and not self._in_use(connector):
                self._apply_availability([connector], self.scheduled_availability.pop(key))

    # -- faults (the gateway's) --------------------------------------------------------------------

    def inject_fault(self, evse_id: int = 1, connector_id: int = 1, reason: str = "Other") -> None:
        """The connector fails: its EVSE's transaction ends (``reason`` a ReasonEnumType:
        GroundFault, OvercurrentFault, PowerQuality, EmergencyStop, Other) and it reports
        Faulted.

        Raises:
            SchemaValueError: (a ValueError) ``reason`` is not one of :data:`FAULT_REASONS`;
                nothing changes.
            KeyError: for a connector the station does not have.
        """
        word = check_fault_reason(reason)
        connector = self.station.model.connector(evse_id, connector_id)
        evse = self.station.model.evses[evse_id]
        if evse.transaction is not None:
            self.station.transactions.end_transaction(evse, "AbnormalCondition", word)
        self.station.advance()
        evse.meter.power_w = 0.0
        self.station.set_status(connector, _S.FAULTED)
        self.station.wake()

    def clear_fault(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The fault is repaired: the connector is usable again (if operative)."""
        connector = self.station.model.connector(evse_id, connector_id)
        if reason := rules.not_faulted(self.station.model, evse_id, connector_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        if not connector.operative:
            self.station.set_status(connector, _S.UNAVAILABLE)
        elif connector.cable_plugged:
            self.station.set_status(connector, _S.FINISHING)  # a cable stays in; no session on it
        else:
            self.station.set_status(connector, _S.AVAILABLE)
        self.station.transaction_events.evaluate(self.station.model.evses[evse_id], None)
        self.station.wake()
