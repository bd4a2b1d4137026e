"""OCPP 2.0.1 remote control (functional block F) and data transfer (P).

Theory of operation
-------------------
* RequestStartTransaction (F01 cable first, F02 remote start first): the station picks the EVSE
  (the one asked for, else one a cable waits in, else a free one) and answers Accepted, with
  the transactionId when a transaction already runs there unauthorized (TxStartPoint
  EVConnected, F01). After the answer the token is authorized with triggerReason RemoteStart,
  first by AuthorizeRequest when AuthCtrlr.AuthorizeRemoteStart is true (C05 otherwise: the
  central system vouches for it); the remoteStartId goes in the next TransactionEvent. A
  chargingProfile must be a TxProfile without a transactionId (F01.FR.09, F01.FR.11) that the
  smart charging block would install (``remote_start_profile_refusal``, its reasonCode in
  statusInfo); it is installed for the transaction. Rejected: an unknown or busy EVSE, an
  unusable profile.
* Both are Rejected while the boot is not Accepted (B02.FR.05: Pending).
* RequestStopTransaction (F03) ends the authorization (triggerReason RemoteStop, stoppedReason
  Remote) after the answer; the transaction ends as TxStopPoint says.
* TriggerMessage (F06): the message goes after the answer. BootNotification only while not
  yet Accepted (F06.FR.17); TransactionEvent only where a transaction runs. Messages of blocks
  this station lacks answer NotImplemented; SignChargingStationCertificate starts A02
  (``certificates.py``). What each message sends is chosen in
  :meth:`ControlV201.prepare_trigger` (the statuses of the firmware and log blocks, which the
  station keeps, included).
* UnlockConnector (F05): OngoingAuthorizedTransaction while an authorized transaction runs on
  the EVSE, UnknownConnector, UnlockFailed for a lock the gateway jammed
  (``set_unlock_fails``), else Unlocked. ``unlock`` is the same by hand.
* DataTransfer (P01): vendor handlers in :attr:`ControlV201.data_transfer_handlers`, by
  vendorId (without regard to case), as in 1.6: first those the template declares, replaced
  by :meth:`ControlV201.set_vendor_replies` (``station/model/vendor_replies.py``); an unknown
  vendorId answers UnknownVendorId.
  :meth:`ControlV201.send_data_transfer` is P02.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from chargeyard.protocol import ErrorKind, OcppError, OutgoingPayload, Payload, on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.core import OnError, OnResult
from chargeyard.station.model.authorization import (
    AuthorizationStatus,
    IdTokenInfo,
    id_token_from_ocpp201,
    id_token_info_from_ocpp201,
    id_token_to_ocpp201,
)
from chargeyard.station.model.station import Evse
from chargeyard.station.model.token_reports import AuthorizationSource
from chargeyard.station.model.vendor_replies import (
    DataTransferStatus,
    VendorReply,
    vendor_handler,
    vendor_handlers,
)
from chargeyard.station.v201.firmware import firmware_status_notification

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

logger = logging.getLogger(__name__)

DataTransferHandler = Callable[[str | None, Any], tuple[DataTransferStatus, Any]]
"""A vendor's DataTransfer handler: (messageId, data) -> (status, data or None) (P01)."""

# TriggerMessage requests of blocks this station does not implement (ISO 15118 certificates,
# firmware publishing); SignChargingStationCertificate is A02's (certificates.py).
_NOT_IMPLEMENTED = frozenset(
    {
        "SignV2GCertificate",
        "SignCombinedCertificate",
        "PublishFirmwareStatusNotification",
        # 2.1 (MessageTriggerEnumType): ISO 15118-20 certificates and a vendor's trigger.
        "SignV2G20Certificate",
        "CustomTrigger",
    }
)


class ControlV201(Block["StationV201"]):
    """F RemoteControl and P DataTransfer; see the module docstring."""

    __slots__ = ("_unlock_fails", "data_transfer_handlers")

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # P01: the vendors this station understands, by vendorId; first those its template
        # declares (station/model/vendor_replies.py).
        self.data_transfer_handlers: dict[str, DataTransferHandler] = {}
        self.set_vendor_replies(self.station.template.data_transfer)
        self._unlock_fails: set[tuple[int, int]] = set()

    # -- F01 / F02 / F03 ---------------------------------------------------------------------------

    @on("RequestStartTransaction")
    def request_start_transaction(
        self, payload: v201.RequestStartTransactionRequest
    ) -> v201.RequestStartTransactionResponse:
        if not self.station.accepted:
            return {"status": "Rejected"}  # B02.FR.05: not while the boot is Pending
        token = id_token_from_ocpp201(payload["idToken"])
        profile = payload.get("chargingProfile")
        if profile is not None and (
            profile["chargingProfilePurpose"] != "TxProfile" or "transactionId" in profile
        ):
            return {"status": "Rejected"}
        evse = self.station.transactions.evse_for_new_session(payload.get("evseId"), token)
        if evse is None:
            return {"status": "Rejected"}
        refusal = (
            None if profile is None else self.station.remote_start_profile_refusal(evse, profile)
        )
        if refusal is not None:
            return {"status": "Rejected", "statusInfo": {"reasonCode": refusal}}
        group = payload.get("groupIdToken")
        info = (
            IdTokenInfo(AuthorizationStatus.ACCEPTED, group_id_token=id_token_from_ocpp201(group))
            if group is not None
            else None
        )
        remote_start_id: int = payload["remoteStartId"]
        self.station.transaction_events.session(
            evse
        ).authorizing = True  # held for this start from now on

        def start(answer: Payload | None = None) -> None:
            session = self.station.transaction_events.session(evse)
            session.authorizing = False
            granted = info
            if answer is not None:
                granted = id_token_info_from_ocpp201(answer["idTokenInfo"])
                if not granted.is_valid_at(self.station.clock.now()):
                    logger.info(
                        "%s: remote start for %s refused", self.station.identity, token.value
                    )
                    self.station.transaction_events.evaluate(evse, None)
                    return
            self.station.transactions.authorize_session(
                evse,
                token,
                granted,
                "RemoteStart",
                source=AuthorizationSource.CENTRAL_SYSTEM
                if answer is not None
                else AuthorizationSource.REMOTE_START,
                remote_start_id=remote_start_id,
                charging_profile=profile,
            )

        def authorize_first() -> None:
            request: v201.AuthorizeRequest = {
                "idToken": id_token_to_ocpp201(token, self.station.dialect.id_token_types)
            }
            self.station.call(
                "Authorize",
                request,
                start,
                lambda error: start({"idTokenInfo": {"status": "Invalid"}}),
            )

        authorize = self.station.device_model.get_bool("AuthCtrlr", "AuthorizeRemoteStart")
        self.station.after_answer(authorize_first if authorize else start)
        self.station.after_answer(lambda: self.station.tell_remote_start_accepted(evse.id))
        answer: v201.RequestStartTransactionResponse = {"status": "Accepted"}
        if evse.transaction is not None:
            answer["transactionId"] = evse.transaction.local_id
        return answer

    @on("RequestStopTransaction")
    def request_stop_transaction(
        self, payload: v201.RequestStopTransactionRequest
    ) -> v201.RequestStopTransactionResponse:
        if not self.station.accepted:
            return {"status": "Rejected"}  # B02.FR.05
        transaction = self.station.model.transaction_by_local_id(payload["transactionId"])
        if transaction is None:
            return {"status": "Rejected"}
        evse = self.station.model.evses[transaction.evse_id]

        def stop() -> None:
            if evse.transaction is transaction:
                self.station.transaction_events.deauthorize(evse, "RemoteStop", "Remote")

        self.station.after_answer(stop)
        return {"status": "Accepted"}

    # -- F05 ---------------------------------------------------------------------------------------

    def lock_jammed(self, evse_id: int, connector_id: int) -> bool:
        return (evse_id, connector_id) in self._unlock_fails

    def set_unlock_fails(self, evse_id: int = 1, connector_id: int = 1, fails: bool = True) -> None:
        """Jam (or free) the connector's lock: UnlockConnector then answers UnlockFailed."""
        key = (evse_id, connector_id)
        if fails:
            self._unlock_fails.add(key)
        else:
            self._unlock_fails.discard(key)

    def unlock(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The driver (or a technician) releases the connector lock by hand.

        Raises:
            OcppError: GenericError while an authorized transaction runs on it, or when its
                lock is jammed (:meth:`set_unlock_fails`).
        """
        status = self._unlock(evse_id, connector_id)
        if status != "Unlocked":
            raise OcppError(ErrorKind.GENERIC_ERROR, f"cannot unlock: {status}")

    @on("UnlockConnector")
    def unlock_connector(
        self, payload: v201.UnlockConnectorRequest
    ) -> v201.UnlockConnectorResponse:
        return {"status": self._unlock(payload["evseId"], payload["connectorId"])}

    def _unlock(self, evse_id: int, connector_id: int) -> v201.UnlockStatusEnumType:
        evse = self.station.model.evses.get(evse_id)
        if evse is None or connector_id not in evse.connectors:
            return "UnknownConnector"
        session = self.station.transaction_events.sessions.get(evse_id)
        if evse.transaction is not None and session is not None and session.authorized:
            return "OngoingAuthorizedTransaction"
        if (evse_id, connector_id) in self._unlock_fails:
            return "UnlockFailed"
        evse.connectors[connector_id].locked = False
        return "Unlocked"

    # -- F06 ---------------------------------------------------------------------------------------

    @on("TriggerMessage")
    def trigger_message(self, payload: v201.TriggerMessageRequest) -> v201.TriggerMessageResponse:
        wanted = payload.get("evse")
        evse: Evse | None = None
        connector_id: int | None = None
        if wanted is not None:
            evse = self.station.model.evses.get(wanted["id"])
            connector_id = wanted.get("connectorId")
            if evse is None or (connector_id is not None and connector_id not in evse.connectors):
                return {"status": "Rejected"}
        work = self.prepare_trigger(payload["requestedMessage"], evse, connector_id)
        if isinstance(work, str):
            return {"status": work}
        self.station.after_answer(work)  # F06: the message follows the answer
        return {"status": "Accepted"}

    def prepare_trigger(
        self, requested: str, evse: Evse | None, connector_id: int | None
    ) -> Callable[[], None] | v201.TriggerMessageStatusEnumType:
        """What to send for a TriggerMessage, or the status to answer (Rejected,
        NotImplemented)."""
        evses = [evse] if evse is not None else list(self.station.model.evses.values())
        if requested == "BootNotification":
            if self.station.accepted:
                return "Rejected"  # F06.FR.17
            return self._triggered_boot
        if requested == "Heartbeat":
            return lambda: self._send_requested("Heartbeat", {})
        if requested == "StatusNotification":
            connectors = [
                connector
                for candidate in evses
                for number, connector in candidate.connectors.items()
                if connector_id is None or number == connector_id
            ]

            def report() -> None:
                for connector in connectors:
                    self.station.report_status(connector, requested=True)

            return report
        if requested == "MeterValues":

            def meter_values() -> None:
                self.station.advance()
                for candidate in evses:
                    self.station.send_meter_values(candidate, "Trigger", requested=True)

            return meter_values
        if requested == "TransactionEvent":
            running = [e for e in evses if e.transaction is not None]
            if not running:
                return "Rejected"

            def transaction_events() -> None:
                for candidate in running:
                    if candidate.transaction is not None:
                        self.station.transaction_events.send_transaction_update(
                            candidate,
                            "Trigger",
                            ("SampledDataCtrlr", "TxUpdatedMeasurands"),
                            "Trigger",
                        )

            return transaction_events
        if requested == "FirmwareStatusNotification":
            return self._firmware_status_notification
        if requested == "LogStatusNotification":
            return self._log_status_notification
        if requested == "SignChargingStationCertificate":
            return self.station.certificates.renew  # A02.FR.02: after the answer
        return "NotImplemented" if requested in _NOT_IMPLEMENTED else "Rejected"

    def _triggered_boot(self) -> None:
        self.station.boot_reason = "Triggered"
        self.station.trigger_boot_notification()  # not Accepted: the next attempt, now

    def _send_requested(self, action: str, payload: OutgoingPayload) -> None:
        self.station.call(action, payload, requested=True)

    def _firmware_status_notification(self) -> None:
        status, request_id = self.station.firmware_status, self.station.firmware_request_id
        payload = firmware_status_notification(status, None if status == "Idle" else request_id)
        self.station.call("FirmwareStatusNotification", payload, requested=True)

    def _log_status_notification(self) -> None:
        status, request_id = self.station.log_status, self.station.log_request_id
        payload: v201.LogStatusNotificationRequest = {"status": status}
        if request_id is not None and status != "Idle":
            payload["requestId"] = request_id
        self.station.call("LogStatusNotification", payload, requested=True)

    # -- P01 / P02 ---------------------------------------------------------------------------------

    @on("DataTransfer")
    def data_transfer(self, payload: v201.DataTransferRequest) -> v201.DataTransferResponse:
        handler = vendor_handler(self.data_transfer_handlers, payload["vendorId"])
        if handler is None:
            return {"status": "UnknownVendorId"}
        status, data = handler(payload.get("messageId"), payload.get("data"))
        answer: v201.DataTransferResponse = {"status": status}
        if data is not None:
            answer["data"] = data
        return answer

    def set_vendor_replies(self, replies: Sequence[VendorReply]) -> None:
        """Answer DataTransfer as ``replies`` declare (P01; data is any JSON value in 2.0.1); they
        replace every vendor handler the station had."""
        self.data_transfer_handlers = {**vendor_handlers(replies, text_data=False)}

    def send_data_transfer(
        self,
        vendor_id: str,
        message_id: str | None = None,
        data: Any = None,
        on_result: OnResult | None = None,
        on_error: OnError | None = None,
    ) -> bool:
        """DataTransferRequest to the central system (P02).

        Returns:
            False when it was not sent (offline or not yet Accepted).
        """
        payload: v201.DataTransferRequest = {"vendorId": vendor_id}
        if message_id is not None:
            payload["messageId"] = message_id
        if data is not None:
            payload["data"] = data
        if on_result is None:
            return self.station.call("DataTransfer", payload, on_error=on_error)
        return self.station.call("DataTransfer", payload, on_result, on_error)
