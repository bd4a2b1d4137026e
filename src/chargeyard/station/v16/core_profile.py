"""Core profile requests besides transactions (OCPP 1.6 sections 3.1 and 5): configuration,
reset, availability, cache, data transfer, unlock; faults.

Theory of operation
-------------------
Configuration (sections 5.3, 5.8, 9.1): GetConfiguration reads :class:`Configuration` and
refuses more keys than GetConfigurationMaxKeys allows; ChangeConfiguration writes it, and an
accepted change applies at once through the station's ``configuration_changed`` hook
(HeartbeatInterval in the base; MeterValueSampleInterval and ClockAlignedDataInterval in
``metering.py``).

Availability (section 5.2) is what the central system asked for: ``Connector.operative``, and
:attr:`CoreProfileV16.station_operative` for connector 0. A connector's status follows it as
soon as a move of the section 4.9 table allows: an idle connector goes Unavailable at once; one
with a transaction (or Preparing, which has no move to Unavailable) when the transaction ends
(:meth:`CoreProfileV16.transaction_ended`) or the connector comes to rest (every status set is
followed by :meth:`CoreProfileV16.status_set`), and the answer is then Scheduled. Connector 0
goes Unavailable once all connectors are. Availability persists across reboots.

Reset (section 5.14): Soft stops every transaction (reason SoftReset) and reboots once the
transaction queue is empty (at most :data:`SOFT_RESET_DRAIN_S`). Hard goes down at once and
stops the transactions (HardReset) with it going: their StopTransactions wait in the
transaction queue and go out after the next accepted BootNotification. Either way the station
first waits for the answers to what it already sent (``core.py``, going down). A rebooted
connector starts afresh: Faulted if its fault persists, Unavailable if inoperative, Reserved if
it was, Preparing if a cable is still in, else Available.

Data transfer (section 5.6): vendor handlers in ``data_transfer_handlers``, by vendorId
(without regard to case: CiString255Type): first those the template declares, replaced by
:meth:`CoreProfileV16.set_vendor_replies` (``station/model/vendor_replies.py``); an unknown
vendorId answers UnknownVendorId.

The physical events (:meth:`inject_fault`, :meth:`clear_fault`, :meth:`unlock`,
:meth:`set_unlock_fails`) are the gateway's verbs, like ``plug`` / ``unplug`` of the
transactions block; ``go_offline`` / ``come_online`` are the core's (``core.py``). The station
(``v16/__init__.py``) keeps them as its own methods, delegating here.
"""

from __future__ import annotations

import logging
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, on
from chargeyard.protocol.fields import SchemaValueError
from chargeyard.protocol.messages import is_one_of, v16
from chargeyard.station.blocks import Block
from chargeyard.station.core import DRAIN_BEFORE_REBOOT_S, OnError, OnResult
from chargeyard.station.faults import fault_codes
from chargeyard.station.model import rules
from chargeyard.station.model.states import CONNECTOR_MOVES, ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Connector, Evse
from chargeyard.station.model.vendor_replies import (
    DataTransferStatus,
    VendorReply,
    vendor_handler,
    vendor_handlers,
)
from chargeyard.station.power import CLOSE_WAIT_AFTER_RESET_S

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

logger = logging.getLogger(__name__)

_S = ConnectorStatus
_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
_AT_REST = frozenset({_S.UNAVAILABLE, _S.FAULTED})
_NO_LOCKS: frozenset[tuple[int, int]] = frozenset()

# Section 5.14: a Soft reset waits this long at most for its StopTransactions to be delivered.
SOFT_RESET_DRAIN_S = DRAIN_BEFORE_REBOOT_S

# Reason (section 7.36) of a transaction ended by a fault. None of EmergencyStop (a button),
# PowerLoss (no power at all) or the others describes a ChargePointErrorCode: "Other".
FAULT_STOP_REASON: v16.Reason = "Other"

DataTransferHandler = Callable[[str | None, str | None], tuple[DataTransferStatus, str | None]]
"""A vendor's DataTransfer handler: (messageId, data) -> (status, data) (section 5.6)."""


_ERROR_CODES: frozenset[v16.ErrorCode] = frozenset(typing.get_args(v16.ErrorCode))


def check_fault_code(error_code: str) -> v16.ErrorCode:
    """``error_code`` is a fault's ChargePointErrorCode (section 7.6).

    Returns:
        The code, as the type checker knows the schema's words.

    Raises:
        SchemaValueError: (a ValueError) it is not; the error names the ones there are.
    """
    if error_code in fault_codes() and is_one_of(error_code, _ERROR_CODES):
        return error_code
    allowed = ", ".join(sorted(fault_codes()))
    raise SchemaValueError(
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        f"error_code {error_code!r} is not a fault code: one of {allowed}",
    )


def by_message_id(
    handlers: Mapping[str | None, Callable[[str | None], tuple[DataTransferStatus, str | None]]],
) -> DataTransferHandler:
    """A vendor handler dispatching on messageId; an unknown one answers UnknownMessageId.

    Args:
        handlers: per messageId (None: a request without one), a function of the data giving
            (status, data).
    """

    def handle(message_id: str | None, data: str | None) -> tuple[DataTransferStatus, str | None]:
        handler = handlers.get(message_id)
        if handler is None:
            return "UnknownMessageId", None  # section 5.6
        return handler(data)

    return handle


class CoreProfileV16(Block["StationV16"]):
    """Core profile requests and physical events; see the module docstring."""

    __slots__ = ("_unlock_fails", "data_transfer_handlers", "station_operative")

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # Section 5.6: the vendors this station understands, by vendorId; first those its
        # template declares (station/model/vendor_replies.py).
        self.data_transfer_handlers: dict[str, DataTransferHandler] = {}
        self.set_vendor_replies(self.station.template.data_transfer)
        # Section 5.2, connector 0: the whole station is Operative / Inoperative.
        self.station_operative = True
        # Jammed locks, (EVSE, connector); rarely any, so the empty set is shared.
        self._unlock_fails: frozenset[tuple[int, int]] = _NO_LOCKS

    # -- configuration (sections 5.3, 5.8) --------------------------------------------------------

    @on("GetConfiguration")
    def get_configuration(
        self, payload: v16.GetConfigurationRequest
    ) -> v16.GetConfigurationResponse:
        keys: list[str] = payload.get("key") or []
        limit = self.station.config.get_int("GetConfigurationMaxKeys", 0)
        if limit > 0 and len(keys) > limit:
            # Section 9.1 GetConfigurationMaxKeys bounds the keys of one request.
            raise OcppError(
                ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
                f"at most {limit} keys per request (GetConfigurationMaxKeys)",
            )
        return self.station.config.report(keys)

    @on("ChangeConfiguration")
    def change_configuration(
        self, payload: v16.ChangeConfigurationRequest
    ) -> v16.ChangeConfigurationResponse:
        return {"status": self.station.config.change(payload["key"], payload["value"])}

    # -- reset (section 5.14) ---------------------------------------------------------------------

    @on("Reset")
    def reset(self, payload: v16.ResetRequest) -> v16.ResetResponse:
        logger.info("%s: %s reset", self.station.identity, payload["type"])
        self.station.after_answer(
            self._hard_reset if payload["type"] == "Hard" else self._soft_reset
        )
        return {"status": "Accepted"}

    def _soft_reset(self) -> None:
        # "Gracefully stop any ongoing transactions, and then restart the application software."
        self.stop_transactions("SoftReset")
        # The Accepted goes out first; the CSMS gets a moment to close (power.py).
        self.station.reboot(drain_s=SOFT_RESET_DRAIN_S, linger_s=CLOSE_WAIT_AFTER_RESET_S)

    def _hard_reset(self) -> None:
        # "Restart (all) the hardware, it is not required to gracefully stop ongoing
        # transactions"; their StopTransactions are sent "after having restarted and having
        # been accepted". The station goes down first, so they stay queued. The Accepted goes
        # out first, and the CSMS gets a moment to close the connection (power.py).
        self.station.reboot(linger_s=CLOSE_WAIT_AFTER_RESET_S)
        self.stop_transactions("HardReset")

    def stop_transactions(self, reason: v16.Reason) -> None:
        """End every running transaction with ``reason`` (section 7.36)."""
        self.station.advance()
        for evse in self.station.model.evses.values():
            transaction = evse.transaction
            if transaction is not None and transaction.phase in _RUNNING:
                self.station.end_transaction(evse, reason)

    def power_on(self) -> None:
        """The connectors start afresh after a reboot (sections 4.9, 5.2)."""
        for evse in self.station.model.evses.values():
            for connector in evse.connectors.values():
                if self._in_use(evse, connector):
                    continue  # rebooted by someone who let it run: leave it be
                # Not a move of the section 4.9 table: the connector starts afresh.
                connector.status = self._status_at_power_on(connector)
        self.station.station_status = _S.AVAILABLE if self.station_operative else _S.UNAVAILABLE

    @staticmethod
    def _status_at_power_on(connector: Connector) -> ConnectorStatus:
        if connector.faulted or (connector.operative and connector.status is _S.RESERVED):
            return connector.status
        if not connector.operative:
            return _S.UNAVAILABLE  # section 5.2: an Unavailable connector stays so
        return _S.PREPARING if connector.cable_plugged else _S.AVAILABLE

    # -- availability (section 5.2) ---------------------------------------------------------------

    @on("ChangeAvailability")
    def change_availability(
        self, payload: v16.ChangeAvailabilityRequest
    ) -> v16.ChangeAvailabilityResponse:
        number: int = payload["connectorId"]
        operative = payload["type"] == "Operative"
        if number == 0:
            connectors = list(self.station.model.connectors())  # the station and all its connectors
            self.station_operative = operative
        else:
            try:
                connectors = [self.station.connector_of(number)]
            except KeyError:
                return {"status": "Rejected"}
        for connector in connectors:
            connector.operative = operative
        waiting = [c for c in connectors if not self._may_rest(c)]
        self.station.after_answer(lambda: self._apply_availability(connectors))
        # "When a transaction is in progress ... Scheduled"; the same availability -> Accepted.
        return {"status": "Scheduled" if waiting and not operative else "Accepted"}

    def _apply_availability(self, connectors: list[Connector]) -> None:
        for connector in connectors:
            if connector.operative and connector.status is _S.UNAVAILABLE:
                self.station.set_status(
                    connector, _S.PREPARING if connector.cable_plugged else _S.AVAILABLE
                )
            else:
                self._settle(connector)
        self._settle_station()

    def _in_use(self, evse: Evse, connector: Connector) -> bool:
        transaction = evse.transaction
        return transaction is not None and transaction.connector_id == connector.connector_id

    def _running_on(self, evse: Evse, connector: Connector) -> bool:
        transaction = evse.transaction
        return self._in_use(evse, connector) and (
            transaction is not None and transaction.phase in _RUNNING
        )

    def _may_rest(self, connector: Connector) -> bool:
        """Whether an Inoperative connector can be Unavailable now (or already is at rest)."""
        if connector.status in _AT_REST:
            return True
        return (
            not self._in_use(self.station.evse_of(connector), connector)
            and _S.UNAVAILABLE in CONNECTOR_MOVES[connector.status]
        )

    def _settle(self, connector: Connector) -> None:
        """An Inoperative connector goes Unavailable as soon as it may (section 5.2)."""
        if (
            not connector.operative
            and connector.status not in _AT_REST
            and self._may_rest(connector)
        ):
            self.station.set_status(connector, _S.UNAVAILABLE)

    def _settle_station(self) -> None:
        """Connector 0 follows: Unavailable once every connector is at rest, if Inoperative."""
        if self.station_operative:
            target = _S.AVAILABLE
        elif all(c.status in _AT_REST for c in self.station.model.connectors()):
            target = _S.UNAVAILABLE
        else:
            return
        if self.station.station_status is not target:
            self.station.station_status = target
            self.station.report_station_status()

    def status_set(self, connector: Connector) -> None:
        """A connector's status was set: a scheduled ChangeAvailability waits for the connector
        to come to rest (5.2)."""
        self._settle(connector)
        if not self.station_operative:
            self._settle_station()

    def transaction_ended(self, evse: Evse) -> None:
        """Section 5.2: "the change takes place after the transaction has finished"."""
        for connector in evse.connectors.values():
            self._settle(connector)
        self._settle_station()

    # -- cache, data transfer, unlock (sections 5.4, 5.6, 5.18) ------------------------------------

    @on("ClearCache")
    def clear_cache(self, payload: v16.ClearCacheRequest) -> v16.ClearCacheResponse:
        if not self.station.model.policy.authorization_cache_enabled:
            return {"status": "Rejected"}  # 9.1 AuthorizationCacheEnabled: no cache to clear
        self.station.model.cache.clear()
        return {"status": "Accepted"}

    @on("DataTransfer")
    def data_transfer(self, payload: v16.DataTransferRequest) -> v16.DataTransferResponse:
        handler = vendor_handler(self.data_transfer_handlers, payload["vendorId"])
        if handler is None:
            return {"status": "UnknownVendorId"}
        status, data = handler(payload.get("messageId"), payload.get("data"))
        answer: v16.DataTransferResponse = {"status": status}
        if data is not None:
            answer["data"] = data
        return answer

    def set_vendor_replies(self, replies: Sequence[VendorReply]) -> None:
        """Answer DataTransfer as ``replies`` declare (section 5.6; data is text in 1.6); they
        replace every vendor handler the station had."""
        self.data_transfer_handlers = {**vendor_handlers(replies, text_data=True)}

    def send_data_transfer(
        self,
        vendor_id: str,
        message_id: str | None = None,
        data: str | None = None,
        on_result: OnResult | None = None,
        on_error: OnError | None = None,
    ) -> bool:
        """DataTransfer.req to the central system (section 4.3).

        Args:
            on_result: called with the answer ({"status", "data"?}).
            on_error: called with the CALLERROR or timeout.

        Returns:
            False when it was not sent (offline or not yet Accepted).
        """
        payload: v16.DataTransferRequest = {"vendorId": vendor_id}
        if message_id is not None:
            payload["messageId"] = message_id
        if data is not None:
            payload["data"] = data
        if on_result is None:
            return self.station.call("DataTransfer", payload, on_error=on_error)
        return self.station.call("DataTransfer", payload, on_result, on_error)

    @on("UnlockConnector")
    def unlock_connector(self, payload: v16.UnlockConnectorRequest) -> v16.UnlockConnectorResponse:
        try:
            connector = self.station.connector_of(payload["connectorId"])
        except KeyError:
            return {"status": "NotSupported"}
        if connector.type.startswith("c"):
            # A fixed cable (ConnectorEnumType cType2, cCCS2...) has no lock at the station:
            # "NotSupported: Charge Point has no connector lock" (section 7.45); a transaction
            # on it goes on.
            return {"status": "NotSupported"}
        evse = self.station.evse_of(connector)
        if self._running_on(evse, connector):
            # "If a transaction is in progress ... the Charge Point SHALL finish the transaction
            # first" (reason UnlockCommand), then unlock.
            self.station.advance()
            self.station.end_transaction(evse, "UnlockCommand")
        if (connector.evse_id, connector.connector_id) in self._unlock_fails:
            return {"status": "UnlockFailed"}
        connector.locked = False
        return {"status": "Unlocked"}

    # -- physical events --------------------------------------------------------------------------

    def inject_fault(
        self,
        evse_id: int = 1,
        connector_id: int = 1,
        error_code: str = "GroundFailure",
        info: str | None = None,
        vendor_error_code: str | None = None,
    ) -> None:
        """The connector fails: Faulted with ``error_code``; a transaction on it ends.

        Args:
            error_code: a 1.6 ChargePointErrorCode other than NoError (section 7.6).
            info: free text (up to 50 characters are sent).
            vendor_error_code: the vendor's own code (up to 50 characters are sent).

        Raises:
            SchemaValueError: (a ValueError) for an error code that is not a fault; nothing
                changes.
            KeyError: for a connector the station does not have.
        """
        code = check_fault_code(error_code)
        connector = self.station.model.connector(evse_id, connector_id)
        evse = self.station.model.evses[evse_id]
        self.station.advance()
        connector.vendor_error_code = vendor_error_code
        self.station.set_status(connector, _S.FAULTED, error_code=code, info=info)
        if self._running_on(evse, connector):
            self.station.end_transaction(evse, FAULT_STOP_REASON)
        self.station.wake()

    def clear_fault(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The fault is repaired: Unavailable if inoperative, else Preparing with a cable in,
        else Available.

        Raises:
            OcppError: GenericError when the connector is not Faulted.
        """
        connector = self.station.model.connector(evse_id, connector_id)
        if reason := rules.not_faulted(self.station.model, evse_id, connector_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, reason)
        connector.vendor_error_code = None
        if not connector.operative:
            target = _S.UNAVAILABLE
        else:
            target = _S.PREPARING if connector.cable_plugged else _S.AVAILABLE
        self.station.set_status(connector, target)
        self.station.wake()

    def unlock(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The driver (or a technician) releases the connector lock by hand.

        Raises:
            OcppError: GenericError while a transaction runs on it, or when its lock is jammed
                (:meth:`set_unlock_fails`).
        """
        connector = self.station.model.connector(evse_id, connector_id)
        if self._in_use(self.station.model.evses[evse_id], connector):
            raise OcppError(ErrorKind.GENERIC_ERROR, "a transaction runs on this connector")
        if (evse_id, connector_id) in self._unlock_fails:
            raise OcppError(ErrorKind.GENERIC_ERROR, "the connector lock is jammed")
        connector.locked = False

    def lock_jammed(self, evse_id: int, connector_id: int) -> bool:
        return (evse_id, connector_id) in self._unlock_fails

    def set_unlock_fails(self, evse_id: int = 1, connector_id: int = 1, fails: bool = True) -> None:
        """Jam (or free) the connector's lock: UnlockConnector then answers UnlockFailed."""
        self.station.model.connector(evse_id, connector_id)  # KeyError for an unknown connector
        if fails:
            self._unlock_fails |= {(evse_id, connector_id)}
        else:
            self._unlock_fails -= {(evse_id, connector_id)}
