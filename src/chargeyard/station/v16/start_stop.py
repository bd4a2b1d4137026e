"""A 1.6 transaction's record and its messages: StartTransaction.req and StopTransaction.req
(OCPP 1.6 sections 4.8, 4.10, 6.45, 6.47), and the transactions a power loss ended.

Theory of operation
-------------------
:meth:`StartStopV16.begin_transaction` opens the EVSE's :class:`Transaction` (consuming the
reservation it uses, section 5.13, and installing a remote start's TxProfile, section 5.11),
reads the Transaction.Begin values of StopTxnSampledData and queues StartTransaction.req;
:meth:`StartStopV16.end_transaction` closes it and queues StopTransaction.req with the
Transaction.Begin and Transaction.End values as transactionData. Both go through the
transaction queue (``core.py``): never lost while offline, sent in order, each built when sent
so that the StopTransaction carries the transactionId the central system gave.

A StartTransaction.conf that is not Accepted stops the transaction (DeAuthorized) when
StopTransactionOnInvalidId is true, else suspends it (SuspendedEVSE, section 9.1); what it
said is told to the station's ``token_reports``.

:meth:`StartStopV16.report_power_loss` reports, on the boot after, a transaction the power
cut (``station/power_loss.py``): StopTransaction.req with Reason PowerLoss (7.39), preceded
by its StartTransaction.req when that one was never answered.
"""

from __future__ import annotations

import logging
import typing
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import Payload
from chargeyard.protocol.fields import word_of
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import (
    IdToken,
    IdTokenInfo,
    id_tag_info_from_ocpp16,
    remember,
)
from chargeyard.station.model.meter import SampledValue
from chargeyard.station.model.smart_charging import profile_from_ocpp16
from chargeyard.station.model.states import ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Connector, Evse, Transaction
from chargeyard.station.model.token_reports import TokenConfirmation, answered_refusal
from chargeyard.station.power_loss import POWER_LOSS, OpenTransaction
from chargeyard.station.v16.metering import transaction_data

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16
    from chargeyard.station.v16.transactions import WaitingStart

logger = logging.getLogger(__name__)

_S = ConnectorStatus
_ENERGY_STATES = frozenset({_S.PREPARING, _S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE})


class StartStopV16(Block["StationV16"]):
    """A transaction's start and stop, and their messages; see the module docstring."""

    __slots__ = ("_begin_readings",)

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # Per transaction: the Transaction.Begin readings, for StopTransaction.transactionData.
        self._begin_readings: dict[str, tuple[datetime, list[SampledValue]]] = {}

    def begin_transaction(
        self,
        evse: Evse,
        connector: Connector,
        token: IdToken,
        info: IdTokenInfo | None,
        waiting: WaitingStart | None = None,
    ) -> Transaction:
        """Start a transaction on ``connector`` for ``token`` and queue StartTransaction.req."""
        station = self.station
        station.advance()
        if connector.status is _S.RESERVED:
            station.set_status(connector, _S.PREPARING)  # 4.9 G2: the reserving idTag came
        elif connector.status is _S.FINISHING:
            station.set_status(connector, _S.PREPARING)  # 4.9 F2: a new tag, the cable still in
        now = self.station.clock.now()
        # The token's group as authorization, the local list or the cache know it (a remote
        # start of a group's member is authorized without an answer: section 5.13).
        reservation = self.station.model.reservations.consume(
            evse.id, token, self.station.model.known_group(token, info, now)
        )
        transaction = Transaction(
            local_id=self.station.new_id(),
            evse_id=evse.id,
            connector_id=connector.connector_id,
            id_token=token,
            started_at=now,
            meter_start_wh=evse.meter.energy_register_wh,
            id_token_info=info,
            reservation_id=reservation.id if reservation else None,
            remote_start_id=waiting.remote_start_id if waiting else None,
            offline=not self.station.accepted,
        )
        evse.transaction = transaction
        if waiting is not None and waiting.charging_profile is not None:
            self.station.model.profiles.install(
                evse.id,
                profile_from_ocpp16(waiting.charging_profile),
                now=now,
                transaction=transaction.context,
            )
        begin = self.station.readings(evse, "StopTxnSampledData", "Transaction.Begin")
        payload: v16.StartTransactionRequest = {
            "connectorId": connector.number_16,
            "idTag": token.value,
            "meterStart": int(transaction.meter_start_wh),
            "timestamp": iso(now),
        }
        if transaction.reservation_id is not None:
            payload["reservationId"] = transaction.reservation_id
        self.station.enqueue_transaction_message(
            "StartTransaction",
            lambda: payload,
            lambda answer: self._start_answered(evse, transaction, answer),
        )
        self._begin_readings[transaction.local_id] = (now, begin)
        self.station.update_charging_status(evse)
        self.station.metering.schedule_charging_tick(evse)
        logger.info(
            "%s: transaction on connector %d for %s",
            self.station.identity,
            connector.number_16,
            token.value,
        )
        return transaction

    def _start_answered(self, evse: Evse, transaction: Transaction, answer: Payload) -> None:
        transaction.csms_id = answer["transactionId"]
        info = id_tag_info_from_ocpp16(answer["idTagInfo"])
        transaction.id_token_info = info
        now = self.station.clock.now()
        if transaction.id_token is not None:
            remember(
                transaction.id_token,
                info,
                now=now,
                policy=self.station.model.policy,
                local_list=self.station.model.local_list,
                cache=self.station.model.cache,
            )
        if transaction.phase is TransactionPhase.STARTING:
            transaction.move(TransactionPhase.ACTIVE)
        valid = info.is_valid_at(now)
        why = None
        if not valid and evse.transaction is transaction:
            self.station.advance()
            if self.station.config.get_bool("StopTransactionOnInvalidId", True):
                self.station.end_transaction(evse, "DeAuthorized")
                done = "the station stopped it"
            else:
                evse.suspended_by_evse = True
                self.station.update_charging_status(evse)
                done = "the station suspended it (StopTransactionOnInvalidId is false)"
            why = f"{answered_refusal('StartTransaction', info, now)} and {done}"
        elif not valid:
            why = answered_refusal("StartTransaction", info, now)
        if transaction.id_token is not None:
            self.station.token_reports.tell(
                TokenConfirmation(
                    evse.id,
                    transaction.id_token,
                    transaction_id(transaction),
                    valid,
                    info.status,
                    why,
                )
            )

    def end_transaction(self, evse: Evse, reason: v16.Reason, id_tag: str | None = None) -> None:
        """Stop the EVSE's transaction and queue StopTransaction.req (section 4.8 / 6.47)."""
        transaction = evse.transaction
        assert transaction is not None
        now = self.station.clock.now()
        transaction.move(TransactionPhase.STOPPING)
        transaction.stop_reason = reason
        transaction.stopped_at = now
        transaction.meter_stop_wh = evse.meter.energy_register_wh
        end = self.station.readings(evse, "StopTxnSampledData", "Transaction.End")
        begin_at, begin = self._begin_readings.pop(transaction.local_id, (now, []))
        sampled = [
            transaction_data(begin_at, begin),
            transaction_data(now, end),
        ]
        evse.transaction = None
        evse.suspended_by_evse = False
        evse.meter.power_w = 0.0
        self.station.timers.cancel(f"charging:{evse.id}")
        self.station.model.profiles.remove_transaction_profiles(transaction.local_id)

        def build() -> v16.StopTransactionRequest:
            payload: v16.StopTransactionRequest = {
                "meterStop": int(transaction.meter_stop_wh or 0),
                "timestamp": iso(now),
                "transactionId": transaction.csms_id if transaction.csms_id is not None else -1,
                "reason": reason,
                "transactionData": [value for value in sampled if value["sampledValue"]],
            }
            if not payload["transactionData"]:
                del payload["transactionData"]
            if id_tag is not None:
                payload["idTag"] = id_tag
            return payload

        self.station.enqueue_transaction_message(
            "StopTransaction", build, lambda answer: self._stop_answered(transaction)
        )
        connector = evse.connectors[transaction.connector_id]
        if connector.cable_plugged and connector.status in _ENERGY_STATES:
            self.station.set_status(connector, _S.FINISHING)
        elif evse.ev is None and connector.status in _ENERGY_STATES:
            # It went on without its EV (StopTransactionOnEVSideDisconnect false): nothing is
            # left to finish (4.9, D1).
            self.station.set_status(connector, _S.AVAILABLE)
        if connector.cable_plugged and self.station.config.get_bool(
            "UnlockConnectorOnEVSideDisconnect"
        ):
            connector.locked = reason != "EVDisconnected"
        if transaction.csms_id is None:  # (not numbered yet: started offline, unanswered)
            logger.info("%s: transaction stopped (%s)", self.station.identity, reason)
        else:  # named as the central system names it
            logger.info(
                "%s: transaction %d stopped (%s)",
                self.station.identity,
                transaction.csms_id,
                reason,
            )
        self.station.transaction_ended(evse)  # the station's hook, e.g. 5.2 Scheduled

    def _stop_answered(self, transaction: Transaction) -> None:
        transaction.move(TransactionPhase.ENDED)

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None:
        """Report a transaction the power cut, on the boot after (section 4.8, Reason
        PowerLoss 7.39): StopTransaction.req with the register it had when the power went. A
        StartTransaction.req never answered is sent again first, so the stop has its id."""
        key = transaction.transaction_id
        csms_id = [transaction.csms_id]
        identity = self.station.identity

        def numbered(answer: Payload) -> None:
            csms_id[0] = answer["transactionId"]
            # Named as the central system names it, once it has numbered it.
            logger.info("%s: transaction %s ended by a power loss", identity, csms_id[0])

        if transaction.csms_id is None:
            try:
                number = self.station.model.connector(transaction.evse_id, transaction.connector_id)
                connector_id = number.number_16
            except KeyError:
                connector_id = transaction.evse_id
            start: v16.StartTransactionRequest = {
                "connectorId": connector_id,
                "idTag": transaction.id_tag or "",
                "meterStart": int(transaction.meter_start_wh),
                "timestamp": iso(datetime.fromisoformat(transaction.started_at)),
            }
            self.station.enqueue_transaction_message("StartTransaction", lambda: start, numbered)
        register = SampledValue(
            "Energy.Active.Import.Register",
            transaction.meter_wh,
            "Wh",
            context="Transaction.End",
        )

        def build() -> v16.StopTransactionRequest:
            return {
                "meterStop": int(transaction.meter_wh),
                "timestamp": iso(lost_at),
                "transactionId": csms_id[0] if csms_id[0] is not None else -1,
                "reason": POWER_LOSS,
                "transactionData": [transaction_data(lost_at, [register])],
            }

        def reported(answer: Payload) -> None:
            self.station.unreported_power_losses.pop(key, None)

        self.station.enqueue_transaction_message("StopTransaction", build, reported)
        if transaction.csms_id is not None:
            logger.info("%s: transaction %d ended by a power loss", identity, transaction.csms_id)


_REASONS: frozenset[v16.Reason] = frozenset(typing.get_args(v16.Reason))


def stop_reason(word: str) -> v16.Reason:
    """``word`` as a 1.6 Reason (section 7.39), the one StopTransaction.req carries.

    Raises:
        SchemaValueError: (a ValueError) it is none; the error names the ones there are.
    """
    return word_of(word, _REASONS, "reason")


def transaction_id(transaction: Transaction) -> str:
    """The id a driver's receipt shows: the central system's once StartTransaction.conf gave
    it, the station's own until then."""
    return str(transaction.csms_id) if transaction.csms_id is not None else transaction.local_id
