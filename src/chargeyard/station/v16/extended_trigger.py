"""ExtendedTriggerMessage of the OCPP 1.6 security extension ("Improved security for OCPP 1.6-J":
its messages section, the Remote Trigger use case with the messages the extension adds).

Theory of operation
-------------------
As TriggerMessage (``remote_trigger.py``, section 5.17), the station answers first and then
sends what was asked for. The messages the two share (BootNotification, Heartbeat, MeterValues,
StatusNotification) are sent as TriggerMessage sends them, with the same refusals (a connector
the station lacks, nothing to report: Rejected). SignChargePointCertificate starts the renewal
of the station's own certificate (``certificates.py``: a new key and SignCertificate.req), while
the station is registered. FirmwareStatusNotification (meaning the extension's
SignedFirmwareStatusNotification) and LogStatusNotification are answered NotImplemented: this
station keeps no status of a signed firmware update or of a log upload to report on request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.model.states import Registration

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

SIGN_CERTIFICATE = "SignChargePointCertificate"
_NOT_IMPLEMENTED = frozenset({"FirmwareStatusNotification", "LogStatusNotification"})


class ExtendedTriggerV16(Block["StationV16"]):
    """ExtendedTriggerMessage; see the module docstring."""

    __slots__ = ()

    station: StationV16

    @on("ExtendedTriggerMessage")
    def extended_trigger_message(
        self, payload: v16.ExtendedTriggerMessageRequest
    ) -> v16.ExtendedTriggerMessageResponse:
        message: str = payload["requestedMessage"]
        if message in _NOT_IMPLEMENTED:
            return {"status": "NotImplemented"}
        if message == SIGN_CERTIFICATE:
            if self.station.registration is not Registration.ACCEPTED:
                return {"status": "Rejected"}
            self.station.after_answer(self.station.certificates.renew)
            return {"status": "Accepted"}
        work = self.station.remote_trigger.triggered(message, payload.get("connectorId"))
        if work is None:
            return {"status": "Rejected"}
        self.station.after_answer(work)
        return {"status": "Accepted"}
