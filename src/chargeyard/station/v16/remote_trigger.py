"""Remote Trigger profile (OCPP 1.6 section 5.17): TriggerMessage.

Theory of operation
-------------------
The central system asks for one of six station messages; the station answers Accepted or
Rejected and, when Accepted, sends the message *after* its answer (:meth:`after_answer`):
"the Charge Point SHALL first send the TriggerMessage response, before sending the requested
message". Every requestedMessage of 1.6 is implemented, so NotImplemented is never answered.

* BootNotification: while registered it is sent without leaving Accepted, and its answer only
  updates the heartbeat interval (no second round of StatusNotifications); while Pending it is
  the next registration attempt, sent now (``SimulatedStation.trigger_boot_notification``).
  While a BootNotification is already in flight, that one complies with the request.
* Heartbeat, DiagnosticsStatusNotification, FirmwareStatusNotification: the current state
  (the last statuses of the Firmware Management profile, sections 4.4 and 4.5).
* StatusNotification: of one connector, 0 being the station itself; without connectorId of the
  station and every connector ("for all allowed connectorId values").
* MeterValues: the connector's current readings of MeterValuesSampledData, context Trigger,
  with the transactionId when a transaction with a known id runs on it; without connectorId
  for every connector. Sent directly, not through the transaction queue: "the messages it
  triggers should only give current information". This station has no main meter, so
  connectorId 0 is Rejected.

"The requested message is leading: if the specified connectorId is not relevant to the message,
it should be ignored"; a connectorId the station does not have, for StatusNotification or
MeterValues, is Rejected. While Pending the station sends what it is asked for and nothing
else (section 4.2.1: "unless it has been instructed by the Central System to do so with a
TriggerMessage.req"); while Rejected or still booting it sends nothing, so only a
BootNotification may be accepted then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chargeyard.protocol import OutgoingPayload, on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.meter import to_ocpp16_sampled_value
from chargeyard.station.model.states import Registration
from chargeyard.station.model.station import Connector
from chargeyard.station.v16.firmware import firmware_status_notification

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

if TYPE_CHECKING:
    pass

_Work = Callable[[], None]


class RemoteTriggerV16(Block["StationV16"]):
    """TriggerMessage; see the module docstring."""

    __slots__ = ()

    station: StationV16

    @on("TriggerMessage")
    def trigger_message(self, payload: v16.TriggerMessageRequest) -> v16.TriggerMessageResponse:
        work = self.triggered(payload["requestedMessage"], payload.get("connectorId"))
        if work is None:
            return {"status": "Rejected"}
        self.station.after_answer(work)
        return {"status": "Accepted"}

    def triggered(self, message: str, number: int | None) -> _Work | None:
        """What to send after the answer, or None to answer Rejected (also for the messages
        ExtendedTriggerMessage shares with TriggerMessage, ``extended_trigger.py``)."""
        if message == "BootNotification":
            if self.station.registration is Registration.BOOTING:
                return _nothing  # the BootNotification in flight complies (section 5.17)
            return self.station.trigger_boot_notification
        if self.station.registration not in (Registration.ACCEPTED, Registration.PENDING):
            return None
        if message == "Heartbeat":
            return lambda: self._send("Heartbeat", {})
        if message == "DiagnosticsStatusNotification":
            return self._diagnostics_status_notification
        if message == "FirmwareStatusNotification":
            return self._firmware_status_notification
        if message == "StatusNotification":
            return self._status_notifications(number)
        if message == "MeterValues":
            return self._meter_values(number)
        return None

    def _send(self, action: str, payload: OutgoingPayload) -> None:
        self.station.call(action, payload, requested=True)

    def _diagnostics_status_notification(self) -> None:
        status: v16.DiagnosticsStatusNotificationRequest = {
            "status": self.station.diagnostics_status
        }
        self._send("DiagnosticsStatusNotification", status)

    def _firmware_status_notification(self) -> None:
        status = firmware_status_notification(self.station.firmware_status)
        self._send("FirmwareStatusNotification", status)

    def _report_station_status(self) -> None:
        # Connector 0's report, as the base sends it but marked requested; the station's status
        # is unchanged, so the base's bookkeeping of what was reported has nothing to learn.
        payload: v16.StatusNotificationRequest = {
            "connectorId": 0,
            "errorCode": "NoError",
            "status": self.station.station_status.value,
            "timestamp": iso(self.station.clock.now()),
        }
        self._send("StatusNotification", payload)

    def _connectors(self, number: int | None) -> list[Connector] | None:
        """The connectors ``number`` names (all when None), or None if there is no such one."""
        if number is None:
            return list(self.station.model.connectors())
        try:
            return [self.station.connector_of(number)]
        except KeyError:
            return None

    def _status_notifications(self, number: int | None) -> _Work | None:
        if number == 0:
            return self._report_station_status
        connectors = self._connectors(number)
        if connectors is None:
            return None

        def send() -> None:
            if number is None:
                self._report_station_status()
            for connector in connectors:
                self.station.report_status(connector, requested=True)

        return send

    def _meter_values(self, number: int | None) -> _Work | None:
        connectors = None if number == 0 else self._connectors(number)
        if connectors is None:
            return None
        self.station.advance()
        payloads = []
        for connector in connectors:
            payload = self._meter_values_payload(connector)
            if payload is None:
                return None  # nothing configured (MeterValuesSampledData) to report
            payloads.append(payload)

        def send() -> None:
            for payload in payloads:
                self._send("MeterValues", payload)

        return send

    def _meter_values_payload(self, connector: Connector) -> v16.MeterValuesRequest | None:
        """MeterValues.req with the connector's current readings; None when there are none."""
        evse = self.station.evse_of(connector)
        readings = self.station.readings(evse, "MeterValuesSampledData", "Trigger")
        if not readings:
            return None
        payload: v16.MeterValuesRequest = {
            "connectorId": connector.number_16,
            "meterValue": [
                {
                    "timestamp": iso(self.station.clock.now()),
                    "sampledValue": [to_ocpp16_sampled_value(reading) for reading in readings],
                }
            ],
        }
        transaction = evse.transaction
        if (
            transaction is not None
            and transaction.connector_id == connector.connector_id
            and transaction.csms_id is not None
        ):
            payload["transactionId"] = transaction.csms_id
        return payload


def _nothing() -> None:
    return None
