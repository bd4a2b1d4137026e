"""OCPP 1.6 transactions: what happens between plug-in and unplug, and what it reports.

Theory of operation
-------------------
The physical events (``plug``, ``unplug``, ``present_id_token``, ``ev_suspend``...) are the
gateway's verbs; each moves connectors through the table of ``model/states.py`` and queues the
messages a real charger sends (OCPP 1.6 sections 4.1-4.10, 5.11, 5.12):

* a tag may come before or after the cable; either way the connector is Preparing until both
  are there (ConnectionTimeOut cancels a tag that waits too long for its cable, section 9.1);
* the tag is authorized locally or by Authorize.req, by ``decide_local`` (section 3.5); a tag
  presented at an EVSE's own reader starts there or not at all. What became of it (the
  decision, StartTransaction.conf's verdict, a stop) is told to ``token_reports``
  (``model/token_reports.py``);
* StartTransaction.req, MeterValues of the transaction and StopTransaction.req go through the
  transaction queue (``core.py``): never lost while offline, sent in order, each built when
  sent so that it carries the transactionId the central system gave;
* a StartTransaction.conf that is not Accepted stops the transaction (DeAuthorized) when
  StopTransactionOnInvalidId is true, else suspends it (SuspendedEVSE, section 5.x / 9.1);
* while energy may flow, one timer per EVSE integrates energy, moves between Charging,
  SuspendedEV and SuspendedEVSE, and sends MeterValues every MeterValueSampleInterval;
* unplugging stops the transaction (EVDisconnected) when StopTransactionOnEVSideDisconnect.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargeyard.protocol import ErrorKind, OcppError, Payload, on
from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import (
    IdToken,
    IdTokenInfo,
    Verdict,
    decide_local,
    id_tag_info_from_ocpp16,
    remember,
)
from chargeyard.station.model.ev import CITY_CAR, Ev, EvProfile
from chargeyard.station.model.meter import (
    ReadingContext,
    SampledValue,
    check_power,
    to_ocpp16_sampled_value,
)
from chargeyard.station.model.smart_charging import profile_from_ocpp16
from chargeyard.station.model.states import ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Connector, Evse, Transaction
from chargeyard.station.model.token_reports import (
    AuthorizationSource,
    OfflineKeys,
    TokenConfirmation,
    TokenDecision,
    TokenReports,
    TokenStop,
    answered_refusal,
    offline_refusal,
)
from chargeyard.station.power_loss import POWER_LOSS, OpenTransaction
from chargeyard.station.v16.base import StationV16Base

logger = logging.getLogger(__name__)

_S = ConnectorStatus
_IDLE_TICK_S = 60
_OFFLINE_KEYS = OfflineKeys("LocalAuthorizeOffline", "AllowOfflineTxForUnknownId")


@dataclass(slots=True)
class _WaitingStart:
    """A tag authorized (or a remote start accepted) before the cable was plugged in."""

    id_token: IdToken
    info: IdTokenInfo | None
    remote_start_id: int | None = None
    charging_profile: Payload | None = None
    remote: bool = False  # a RemoteStartTransaction's (section 5.11)


class TransactionsV16(StationV16Base):
    """Core profile transaction behaviour; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per EVSE: a tag (or remote start) waiting for its cable.
        self._waiting: dict[int, _WaitingStart] = {}
        # Per EVSE: a remote start whose Authorize.req is out (AuthorizeRemoteTxRequests).
        self._remote_authorizing: dict[int, IdToken] = {}
        # What became of presented tags, for whoever drives the station (the gateway).
        self.token_reports = TokenReports()
        # Per transaction: the Transaction.Begin readings, for StopTransaction.transactionData.
        self._begin_readings: dict[str, tuple[datetime, list[SampledValue]]] = {}
        # Transactions the power cut, not yet reported ended (station/power_loss.py).
        self.unreported_power_losses: dict[str, OpenTransaction] = {}

    # -- physical events ------------------------------------------------------------------------

    def plug(
        self, evse_id: int = 1, connector_id: int = 1, *, ev: Ev | EvProfile | None = None
    ) -> None:
        """The driver inserts the cable; ``ev`` (default: a city car at 20 %) is behind it.

        Raises:
            OcppError: the EVSE is in use, the connector unusable, or the station going down
                or off (``require_power``).
        """
        self.require_power()
        connector = self.model.connector(evse_id, connector_id)
        evse = self.model.evses[evse_id]
        if connector.cable_plugged:
            raise OcppError(ErrorKind.GENERIC_ERROR, "the cable is already plugged in")
        if evse.plugged_connector() is not None:
            raise OcppError(ErrorKind.GENERIC_ERROR, f"EVSE {evse_id} is already in use")
        if connector.status in (_S.UNAVAILABLE, _S.FAULTED):
            raise OcppError(ErrorKind.GENERIC_ERROR, f"connector is {connector.status.value}")
        self.advance()
        connector.cable_plugged = True
        connector.locked = True
        evse.ev = ev if isinstance(ev, Ev) else Ev(profile=ev or CITY_CAR, soc=0.2)
        waiting = self._waiting.pop(evse_id, None)
        self.timers.cancel(f"connection_timeout:{evse_id}")
        if waiting is not None:
            self.begin_transaction(evse, connector, waiting.id_token, waiting.info, waiting)
        elif connector.status is not _S.RESERVED:
            self.set_status(connector, _S.PREPARING)
        self.wake()

    def unplug(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The driver removes the cable."""
        connector = self.model.connector(evse_id, connector_id)
        if not connector.cable_plugged:
            raise OcppError(ErrorKind.GENERIC_ERROR, "no cable is plugged in")
        evse = self.model.evses[evse_id]
        self.advance()
        transaction = evse.transaction
        # The cable is out before the transaction ends: Charging -> Available directly (C1).
        connector.cable_plugged = False
        connector.locked = False
        if transaction is not None and transaction.phase in _RUNNING:
            if self.config.get_bool("StopTransactionOnEVSideDisconnect", True):
                self.end_transaction(evse, "EVDisconnected")
            else:
                self.set_status(connector, _S.SUSPENDED_EV)
        evse.ev = None
        if connector.status not in (_S.FAULTED, _S.UNAVAILABLE, _S.RESERVED):
            self.set_status(connector, _S.AVAILABLE)
        self.wake()

    def present_id_token(self, id_tag: str, evse_id: int | None = None) -> None:
        """The driver holds a card to the reader (of ``evse_id``, or of the station). What
        becomes of it is told to :attr:`token_reports`. The reader of an EVSE starts sessions
        on that EVSE only; the station's own reader picks one (``_evse_for_new_session``).

        Raises:
            ValueError: ``id_tag`` is no 1.6 IdToken (CiString20Type).
            OcppError: no connector is free, or the station is going down or off.
        """
        self.check_value("Authorize", "idTag", id_tag, "id_tag")
        self.require_power()
        token = IdToken(id_tag)
        running = self.model.transaction_to_stop_by(token, evse_id, self.clock.now())
        if running is not None:
            self._stop_by_token(running, token)
            self.token_reports.tell(TokenStop(running.evse_id, token, _transaction_id(running)))
            return
        evse = self._evse_for_new_session(evse_id, token, tentative=True)
        if evse is None:
            raise OcppError(ErrorKind.GENERIC_ERROR, "no connector is free for a new session")
        pinned = evse_id is not None
        decision = decide_local(
            token,
            online=self.accepted,
            now=self.clock.now(),
            policy=self.model.policy,
            local_list=self.model.local_list,
            cache=self.model.cache,
        )
        if decision.verdict is Verdict.ASK_CENTRAL:
            sent = self.call(
                "Authorize",
                {"idTag": token.value},
                lambda payload: self._authorized(evse, token, payload, pinned),
                lambda error: self._not_answered(evse, token, f"Authorize failed: {error}"),
            )
            if not sent:
                self._not_answered(evse, token, "the station could not send Authorize")
        elif decision.verdict is Verdict.REJECT:
            logger.info("%s: %s refused locally", self.identity, id_tag)
            why = offline_refusal(decision, self.model.policy, _OFFLINE_KEYS)
            status = decision.info.status if decision.info is not None else None
            source = AuthorizationSource.of(decision.source)
            self.token_reports.tell(TokenDecision(evse.id, token, False, status, source, why))
        else:
            source = AuthorizationSource.of(decision.source)
            self.authorized(evse, token, decision.info, source=source, pinned=pinned)
        self.wake()

    def start_transaction(self, evse_id: int, id_tag: str) -> None:
        """Start on the station's own authority (a free-vend button, a local operator).

        Raises:
            ValueError: ``id_tag`` is no 1.6 IdToken (CiString20Type).
        """
        self.check_value("StartTransaction", "idTag", id_tag, "id_tag")
        self.require_power()
        evse = self.model.evses[evse_id]
        self.authorized(evse, IdToken(id_tag), None, source=AuthorizationSource.STATION)
        self.wake()

    def pending_start(self, evse_id: int) -> str | None:
        """Who the EVSE is held for before its cable comes (a tag presented first, a remote
        start: section 5.11), or None. Reads only."""
        waiting = self._waiting.get(evse_id)
        if waiting is not None:
            who = "a remote start" if waiting.remote else "an authorized tag"
            return f"{who} for {waiting.id_token.value} waits for a cable on EVSE {evse_id}"
        asking = self._remote_authorizing.get(evse_id)
        if asking is not None:
            return f"a remote start for {asking.value} is being authorized on EVSE {evse_id}"
        return None

    def stop_transaction(self, evse_id: int, reason: str = "Local") -> None:
        """End the EVSE's transaction now with ``reason``.

        Raises:
            ValueError: ``reason`` is no 1.6 Reason; nothing changes, where a
                StopTransaction.req the schema refuses would leave the transaction ended here
                and open at the central system.
            OcppError: no transaction runs on the EVSE.
        """
        self.check_value("StopTransaction", "reason", reason, "reason")
        evse = self.model.evses[evse_id]
        if evse.transaction is None or evse.transaction.phase not in _RUNNING:
            raise OcppError(ErrorKind.GENERIC_ERROR, f"no transaction runs on EVSE {evse_id}")
        self.advance()
        self.end_transaction(evse, reason)
        self.wake()

    def ev_suspend(self, evse_id: int = 1) -> None:
        """The EV stops requesting energy (SuspendedEV)."""
        self._set_ev_requesting(evse_id, False)

    def ev_resume(self, evse_id: int = 1) -> None:
        self._set_ev_requesting(evse_id, True)

    def set_power_limit(self, evse_id: int, watts: float | None) -> None:
        """The power available to the EVSE changes (None: back to its rating).

        Raises:
            ValueError: ``watts`` is negative, infinite or NaN (its meter values would be too).
        """
        check_power(watts)
        self.advance()
        self.model.evses[evse_id].power_update_w = watts
        self.update_charging_status(self.model.evses[evse_id])
        self.wake()

    def _set_ev_requesting(self, evse_id: int, requesting: bool) -> None:
        evse = self.model.evses[evse_id]
        if evse.ev is None:
            raise OcppError(ErrorKind.GENERIC_ERROR, f"no EV on EVSE {evse_id}")
        self.advance()
        evse.ev.requesting = requesting
        self.update_charging_status(evse)
        self.wake()

    # -- authorization --------------------------------------------------------------------------

    def _authorized(self, evse: Evse, token: IdToken, payload: Payload, pinned: bool) -> None:
        info = id_tag_info_from_ocpp16(payload["idTagInfo"])
        now = self.clock.now()
        remember(
            token,
            info,
            now=now,
            policy=self.model.policy,
            local_list=self.model.local_list,
            cache=self.model.cache,
        )
        source = AuthorizationSource.CENTRAL_SYSTEM
        if info.is_valid_at(now):
            self.authorized(evse, token, info, source=source, pinned=pinned)
        else:
            logger.info("%s: %s not authorized (%s)", self.identity, token.value, info.status)
            why = answered_refusal("Authorize", info, now)
            self.token_reports.tell(TokenDecision(evse.id, token, False, info.status, source, why))

    def _not_answered(self, evse: Evse, token: IdToken, why: str) -> None:
        source = AuthorizationSource.CENTRAL_SYSTEM
        self.token_reports.tell(TokenDecision(evse.id, token, False, None, source, why))

    def authorized(
        self,
        evse: Evse,
        token: IdToken,
        info: IdTokenInfo | None,
        waiting: _WaitingStart | None = None,
        *,
        source: AuthorizationSource,
        pinned: bool = False,
    ) -> None:
        """The tag may charge: start now if a cable is in, else wait for one. ``pinned``: it
        was presented at ``evse``'s own reader, so it starts there or not at all."""

        def refused(why: str) -> None:
            status = info.status if info is not None else None
            self.token_reports.tell(TokenDecision(evse.id, token, False, status, source, why))

        if self.going_down or not self.powered:
            # An answer that arrives while the station goes down starts nothing.
            logger.info("%s: %s not authorized: going down", self.identity, token.value)
            refused("the station is going down")
            return
        if not self.may_start_session(evse, token, info):
            # Section 5.13: a reserved connector refuses other idTags (now that authorization
            # named the parent): a local session moves to a free connector, a remote one ends.
            pinned = pinned or waiting is not None
            other = None if pinned else self._evse_for_new_session(None, token, info)
            if other is None:
                logger.info("%s: %s may not use a reserved connector", self.identity, token.value)
                refused(f"EVSE {evse.id} is reserved for another idTag (section 5.13)")
                return
            evse = other
        connector = evse.plugged_connector()
        if connector is not None:
            self.begin_transaction(evse, connector, token, info, waiting)
        else:
            self._waiting[evse.id] = waiting or _WaitingStart(token, info)
            for candidate in evse.connectors.values():
                if candidate.status in (_S.AVAILABLE, _S.RESERVED):
                    self.set_status(candidate, _S.PREPARING)
            timeout = self.config.get_int("ConnectionTimeOut", 60)
            if timeout > 0:
                self.timers.set(
                    f"connection_timeout:{evse.id}",
                    self.clock.monotonic() + timeout,
                    lambda: self._connection_timed_out(evse),
                )
        status = info.status if info is not None else None
        self.token_reports.tell(TokenDecision(evse.id, token, True, status, source))

    def on_power_on(self) -> None:
        # A tag that was waiting for its cable is forgotten with the power (its
        # ConnectionTimeOut timer went with the reboot too).
        self._waiting.clear()
        self._remote_authorizing.clear()
        super().on_power_on()

    def _connection_timed_out(self, evse: Evse) -> None:
        # Section 9.1 ConnectionTimeOut: the incipient transaction is cancelled (B1).
        if self._waiting.pop(evse.id, None) is None:
            return
        for connector in evse.connectors.values():
            if connector.status is _S.PREPARING and not connector.cable_plugged:
                self.set_status(connector, _S.AVAILABLE)

    # -- the transaction ------------------------------------------------------------------------

    def begin_transaction(
        self,
        evse: Evse,
        connector: Connector,
        token: IdToken,
        info: IdTokenInfo | None,
        waiting: _WaitingStart | None = None,
    ) -> Transaction:
        self.advance()
        if connector.status is _S.RESERVED:
            self.set_status(connector, _S.PREPARING)  # 4.9 G2: the reserving idTag came
        elif connector.status is _S.FINISHING:
            self.set_status(connector, _S.PREPARING)  # 4.9 F2: a new tag, the cable still in
        now = self.clock.now()
        reservation = self.model.reservations.consume(
            evse.id, token, info.group_id if info else None
        )
        transaction = Transaction(
            local_id=self._new_id(),
            evse_id=evse.id,
            connector_id=connector.connector_id,
            id_token=token,
            started_at=now,
            meter_start_wh=evse.meter.energy_register_wh,
            id_token_info=info,
            reservation_id=reservation.id if reservation else None,
            remote_start_id=waiting.remote_start_id if waiting else None,
            offline=not self.accepted,
        )
        evse.transaction = transaction
        if waiting is not None and waiting.charging_profile is not None:
            self.model.profiles.install(
                evse.id,
                profile_from_ocpp16(waiting.charging_profile),
                now=now,
                transaction=transaction.context,
            )
        begin = self.readings(evse, "StopTxnSampledData", "Transaction.Begin")
        payload: Payload = {
            "connectorId": connector.number_16,
            "idTag": token.value,
            "meterStart": int(transaction.meter_start_wh),
            "timestamp": iso(now),
        }
        if transaction.reservation_id is not None:
            payload["reservationId"] = transaction.reservation_id
        self.enqueue_transaction_message(
            "StartTransaction",
            lambda: payload,
            lambda answer: self._start_answered(evse, transaction, answer),
        )
        self._begin_readings[transaction.local_id] = (now, begin)
        self.update_charging_status(evse)
        self._schedule_charging_tick(evse)
        logger.info(
            "%s: transaction on connector %d for %s",
            self.identity,
            connector.number_16,
            token.value,
        )
        return transaction

    def _start_answered(self, evse: Evse, transaction: Transaction, answer: Payload) -> None:
        transaction.csms_id = answer["transactionId"]
        info = id_tag_info_from_ocpp16(answer["idTagInfo"])
        transaction.id_token_info = info
        now = self.clock.now()
        if transaction.id_token is not None:
            remember(
                transaction.id_token,
                info,
                now=now,
                policy=self.model.policy,
                local_list=self.model.local_list,
                cache=self.model.cache,
            )
        if transaction.phase is TransactionPhase.STARTING:
            transaction.move(TransactionPhase.ACTIVE)
        valid = info.is_valid_at(now)
        why = None
        if not valid and evse.transaction is transaction:
            self.advance()
            if self.config.get_bool("StopTransactionOnInvalidId", True):
                self.end_transaction(evse, "DeAuthorized")
                done = "the station stopped it"
            else:
                evse.suspended_by_evse = True
                self.update_charging_status(evse)
                done = "the station suspended it (StopTransactionOnInvalidId is false)"
            why = f"{answered_refusal('StartTransaction', info, now)} and {done}"
        elif not valid:
            why = answered_refusal("StartTransaction", info, now)
        if transaction.id_token is not None:
            self.token_reports.tell(
                TokenConfirmation(
                    evse.id,
                    transaction.id_token,
                    _transaction_id(transaction),
                    valid,
                    info.status,
                    why,
                )
            )

    def end_transaction(self, evse: Evse, reason: str, id_tag: str | None = None) -> None:
        """Stop the EVSE's transaction and queue StopTransaction.req (section 4.8 / 6.47)."""
        transaction = evse.transaction
        assert transaction is not None
        now = self.clock.now()
        transaction.move(TransactionPhase.STOPPING)
        transaction.stop_reason = reason
        transaction.stopped_at = now
        transaction.meter_stop_wh = evse.meter.energy_register_wh
        end = self.readings(evse, "StopTxnSampledData", "Transaction.End")
        begin_at, begin = self._begin_readings.pop(transaction.local_id, (now, []))
        transaction_data = [
            _meter_value(begin_at, begin),
            _meter_value(now, end),
        ]
        evse.transaction = None
        evse.suspended_by_evse = False
        evse.meter.power_w = 0.0
        self.timers.cancel(f"charging:{evse.id}")
        self.model.profiles.remove_transaction_profiles(transaction.local_id)

        def build() -> Payload:
            payload: Payload = {
                "meterStop": int(transaction.meter_stop_wh or 0),
                "timestamp": iso(now),
                "transactionId": transaction.csms_id if transaction.csms_id is not None else -1,
                "reason": reason,
                "transactionData": [value for value in transaction_data if value["sampledValue"]],
            }
            if not payload["transactionData"]:
                del payload["transactionData"]
            if id_tag is not None:
                payload["idTag"] = id_tag
            return payload

        self.enqueue_transaction_message(
            "StopTransaction", build, lambda answer: self._stop_answered(transaction)
        )
        connector = evse.connectors[transaction.connector_id]
        if connector.cable_plugged and connector.status in _ENERGY_STATES:
            self.set_status(connector, _S.FINISHING)
        if connector.cable_plugged and self.config.get_bool("UnlockConnectorOnEVSideDisconnect"):
            connector.locked = reason != "EVDisconnected"
        logger.info("%s: transaction stopped (%s)", self.identity, reason)
        self.transaction_ended(evse)  # the profiles' hook (base.py), e.g. 5.2 Scheduled

    def _stop_answered(self, transaction: Transaction) -> None:
        transaction.move(TransactionPhase.ENDED)

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None:
        """Report a transaction the power cut, on the boot after (section 4.8, Reason
        PowerLoss 7.39): StopTransaction.req with the register it had when the power went. A
        StartTransaction.req never answered is sent again first, so the stop has its id."""
        key = transaction.transaction_id
        csms_id = [transaction.csms_id]
        if transaction.csms_id is None:
            try:
                number = self.model.connector(transaction.evse_id, transaction.connector_id)
                connector_id = number.number_16
            except KeyError:
                connector_id = transaction.evse_id
            start: Payload = {
                "connectorId": connector_id,
                "idTag": transaction.id_tag or "",
                "meterStart": int(transaction.meter_start_wh),
                "timestamp": iso(datetime.fromisoformat(transaction.started_at)),
            }
            self.enqueue_transaction_message(
                "StartTransaction",
                lambda: start,
                lambda answer: csms_id.__setitem__(0, answer["transactionId"]),
            )
        register = SampledValue(
            "Energy.Active.Import.Register",
            transaction.meter_wh,
            "Wh",
            context="Transaction.End",
        )

        def build() -> Payload:
            return {
                "meterStop": int(transaction.meter_wh),
                "timestamp": iso(lost_at),
                "transactionId": csms_id[0] if csms_id[0] is not None else -1,
                "reason": POWER_LOSS,
                "transactionData": [_meter_value(lost_at, [register])],
            }

        def reported(answer: Payload) -> None:
            self.unreported_power_losses.pop(key, None)

        self.enqueue_transaction_message("StopTransaction", build, reported)
        logger.info("%s: transaction %s ended by a power loss", self.identity, key)

    # -- while energy may flow ------------------------------------------------------------------

    def update_charging_status(self, evse: Evse) -> None:
        """Charging, SuspendedEV or SuspendedEVSE, from what the EV and the limit allow."""
        transaction = evse.transaction
        if transaction is None or transaction.phase not in _RUNNING:
            return
        connector = evse.connectors[transaction.connector_id]
        if not connector.cable_plugged or connector.status in (_S.FAULTED, _S.UNAVAILABLE):
            return
        self.set_status(connector, self.model.energy_status(evse, self.clock.now()))

    def configuration_changed(self, key: str, value: str) -> None:
        super().configuration_changed(key, value)
        if key == "MeterValueSampleInterval":
            # Section 5.3: applied at once; running transactions sample a new interval from now.
            for evse in self.model.evses.values():
                if evse.transaction is not None and evse.transaction.phase in _RUNNING:
                    self._schedule_charging_tick(evse)

    def _schedule_charging_tick(self, evse: Evse) -> None:
        interval = self.config.get_int("MeterValueSampleInterval", 60)
        self.timers.set(
            f"charging:{evse.id}",
            self.clock.monotonic() + (interval if interval > 0 else _IDLE_TICK_S),
            lambda: self._charging_tick(evse),
        )

    def _charging_tick(self, evse: Evse) -> None:
        transaction = evse.transaction
        if transaction is None or transaction.phase not in _RUNNING:
            return
        self.advance()
        self.update_charging_status(evse)
        if self.config.get_int("MeterValueSampleInterval", 60) > 0:
            self.send_meter_values(evse, "Sample.Periodic", "MeterValuesSampledData")
        self._schedule_charging_tick(evse)

    def send_meter_values(self, evse: Evse, context: ReadingContext, measurands_key: str) -> None:
        """MeterValues.req for ``evse``: through the transaction queue when a transaction
        runs (section 4.7), else directly (and dropped while offline)."""
        now = self.clock.now()
        readings = self.readings(evse, measurands_key, context)
        if not readings:
            return
        transaction = evse.transaction
        connector = (
            evse.connectors[transaction.connector_id]
            if transaction is not None
            else next(iter(evse.connectors.values()))
        )
        value = _meter_value(now, readings)
        if transaction is None:
            self.call("MeterValues", {"connectorId": connector.number_16, "meterValue": [value]})
            return

        def build() -> Payload:
            payload: Payload = {"connectorId": connector.number_16, "meterValue": [value]}
            if transaction.csms_id is not None:
                payload["transactionId"] = transaction.csms_id
            return payload

        self.enqueue_transaction_message("MeterValues", build)

    # -- remote start and stop (sections 5.11, 5.12) -----------------------------------------------

    @on("RemoteStartTransaction")
    def remote_start_transaction(self, payload: Payload) -> Payload:
        token = IdToken(payload["idTag"])
        number = payload.get("connectorId")
        if number == 0:
            return {"status": "Rejected"}
        try:
            evse = self._evse_for_new_session(
                None if number is None else self.connector_of(number).evse_id, token
            )
        except KeyError:
            return {"status": "Rejected"}
        profile = payload.get("chargingProfile")
        if evse is None or (
            profile is not None and profile.get("chargingProfilePurpose") != "TxProfile"
        ):
            return {"status": "Rejected"}
        waiting = _WaitingStart(token, None, charging_profile=profile, remote=True)

        def start() -> None:
            if self.model.policy.authorize_remote_tx_requests:
                self._remote_authorizing[evse.id] = token
                self.call(
                    "Authorize",
                    {"idTag": token.value},
                    lambda answer: self._authorized_remote(evse, token, answer, waiting),
                    lambda error: self._remote_unanswered(evse),
                )
            else:
                self.authorized(evse, token, None, waiting, source=_REMOTE)

        self.after_answer(start)
        return {"status": "Accepted"}

    def _remote_unanswered(self, evse: Evse) -> None:
        self._remote_authorizing.pop(evse.id, None)

    def _authorized_remote(
        self, evse: Evse, token: IdToken, answer: Payload, waiting: _WaitingStart
    ) -> None:
        self._remote_authorizing.pop(evse.id, None)
        info = id_tag_info_from_ocpp16(answer["idTagInfo"])
        if info.is_valid_at(self.clock.now()):
            waiting.info = info
            self.authorized(evse, token, info, waiting, source=_REMOTE)

    @on("RemoteStopTransaction")
    def remote_stop_transaction(self, payload: Payload) -> Payload:
        transaction = self.model.transaction_by_csms_id(payload["transactionId"])
        if transaction is None or transaction.phase not in _RUNNING:
            return {"status": "Rejected"}
        evse = self.model.evses[transaction.evse_id]

        def stop() -> None:
            if evse.transaction is transaction and transaction.phase in _RUNNING:
                self.advance()
                self.end_transaction(evse, "Remote")

        self.after_answer(stop)
        return {"status": "Accepted"}

    # -- helpers --------------------------------------------------------------------------------

    def _evse_for_new_session(
        self,
        evse_id: int | None,
        token: IdToken | None = None,
        info: IdTokenInfo | None = None,
        *,
        tentative: bool = False,
    ) -> Evse | None:
        """The EVSE a new session would use: the one named, else one with a cable waiting,
        else the first free one. With a ``token``, only EVSEs its reservations allow
        (``may_start_session``, section 5.13)."""
        candidates = (
            [self.model.evses[evse_id]] if evse_id is not None else list(self.model.evses.values())
        )
        free = [
            evse
            for evse in candidates
            if not self.going_down
            and evse.transaction is None
            and evse.id not in self._waiting
            and all(c.operative and not c.faulted for c in evse.connectors.values())
            and (token is None or self.may_start_session(evse, token, info, tentative=tentative))
        ]
        for evse in free:
            connector = evse.plugged_connector()
            # A cable waits in a Preparing connector, or in a Reserved one (4.9: G2 follows).
            if connector is not None and connector.status in (_S.PREPARING, _S.RESERVED):
                return evse
        return free[0] if free else None

    def _stop_by_token(self, transaction: Transaction, token: IdToken) -> None:
        self.advance()
        self.end_transaction(self.model.evses[transaction.evse_id], "Local", id_tag=token.value)
        self.wake()


_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
_REMOTE = AuthorizationSource.REMOTE_START
_ENERGY_STATES = frozenset({_S.PREPARING, _S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE})


def _meter_value(at: datetime, readings: list[SampledValue]) -> Payload:
    return {
        "timestamp": iso(at),
        "sampledValue": [to_ocpp16_sampled_value(reading) for reading in readings],
    }


def _transaction_id(transaction: Transaction) -> str:
    """The id a driver's receipt shows: the central system's once StartTransaction.conf gave
    it, the station's own until then."""
    return str(transaction.csms_id) if transaction.csms_id is not None else transaction.local_id
