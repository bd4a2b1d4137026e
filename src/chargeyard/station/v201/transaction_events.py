"""How the events of an EVSE become OCPP 2.0.1 TransactionEvent Started / Updated / Ended
(functional block E): the TxStartPoint / TxStopPoint engine.

Theory of operation
-------------------
Each EVSE has a *session*: what the driver and the central system have done on it (cable in,
token authorized, authorization ended) and the bookkeeping of its transaction. Every physical
or protocol event changes the session and then calls :meth:`TransactionEventsV201.evaluate`
with its triggerReason (``CablePluggedIn``, ``Authorized``, ``RemoteStart``,
``StopAuthorized``, ``EVCommunicationLost``...), which in this order:

1. brings the connector in line with the cable (Available <-> Occupied, G01);
2. starts a transaction when one of TxCtrlr.TxStartPoint's conditions holds (E01): EVConnected
   (a cable plugged in during this session), Authorized, PowerPathClosed (both, and the EVSE
   usable), EnergyTransfer (energy flows). The Started event carries the trigger;
3. closes or opens the power path: with a cable, an authorization and a transaction (or
   EnergyTransfer among the start points) the connector is Charging, SuspendedEV or
   SuspendedEVSE (``StationModel.energy_status``); without, energy stops;
4. for a transaction that already ran, ends it when a condition of TxCtrlr.TxStopPoint that was
   reached is lost (E06), when nothing is left of the session (no cable, no authorization) or
   when the station ends it itself (``force_end``: E09 unplug with StopTxOnEVSideDisconnect, a
   reset, a fault); otherwise sends Updated with the trigger, or with ChargingStateChanged
   when only the charging state moved.

So with the default points (start PowerPathClosed; stop EVConnected, Authorized) a driver's
plug-in then tag gives Started(Authorized, EVConnected) then Updated(ChargingStateChanged,
Charging) (E02), and presenting the tag again gives Ended(StopAuthorized, stoppedReason Local,
the idToken) (E07). A refusal in a TransactionEventResponse deauthorizes (E05,
StopTxOnInvalidId); EVConnectionTimeOut cancels an authorization that waits for its cable (E03).

Every event goes through the transaction queue of ``core.py`` (E11-E13): kept while offline,
sent in order. seqNo counts from 0 per transaction; an event generated offline says so
(offline=true, E04/E12); the transactionId is the station's own (``Transaction.local_id``).
The first event names the EVSE and connector (E01), the first after an
authorization the idToken, the first after a remote start its remoteStartId.
"""

from __future__ import annotations

import logging
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, Payload
from chargeyard.protocol.fields import SchemaValueError
from chargeyard.protocol.messages import is_one_of, v201
from chargeyard.station.blocks import Block
from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import (
    AuthorizationStatus,
    IdToken,
    IdTokenInfo,
    id_token_info_from_ocpp201,
    id_token_to_ocpp201,
    remember,
)
from chargeyard.station.model.meter import ReadingContext, SampledValue
from chargeyard.station.model.smart_charging import profile_from_ocpp201
from chargeyard.station.model.states import (
    CHARGING_STATE_201,
    OCCUPIED,
    ConnectorStatus,
    TransactionPhase,
)
from chargeyard.station.model.station import Connector, Evse, Transaction
from chargeyard.station.model.token_reports import (
    AuthorizationSource,
    TokenConfirmation,
    answered_refusal,
)
from chargeyard.station.power_loss import POWER_LOSS, OpenTransaction

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

logger = logging.getLogger(__name__)

_S = ConnectorStatus
_ENERGY = frozenset({_S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE})
RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})

# The triggerReason of a transaction the station ends itself, by stoppedReason.
STOP_TRIGGERS: dict[v201.ReasonEnumType, v201.TriggerReasonEnumType] = {
    "Local": "StopAuthorized",
    "Remote": "RemoteStop",
    "EVDisconnected": "EVCommunicationLost",
    "DeAuthorized": "Deauthorized",
    "ImmediateReset": "ResetCommand",
    "Timeout": "EVConnectTimeout",
    "EnergyLimitReached": "EnergyLimitReached",
    "TimeLimitReached": "TimeLimitReached",
}

_REASONS: frozenset[v201.ReasonEnumType] = frozenset(typing.get_args(v201.ReasonEnumType))


def stop_reason(word: str) -> v201.ReasonEnumType:
    """``word`` as a ReasonEnumType, the stoppedReason of an Ended event.

    Raises:
        SchemaValueError: (a ValueError) it is none; the error names the ones there are.
    """
    if is_one_of(word, _REASONS):
        return word
    raise SchemaValueError(
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        f"reason {word!r} is not allowed: one of {', '.join(sorted(_REASONS))}",
    )


@dataclass(slots=True)
class Session:
    """One EVSE's use by a driver, and the reporting of its transaction."""

    token: IdToken | None = None
    info: IdTokenInfo | None = None
    authorized: bool = False
    authorizing: bool = False  # an Authorize request is out
    fresh_plug: bool = False  # the cable went in during this session (EVConnected)
    deauthorized: v201.ReasonEnumType | None = None  # the stoppedReason of an ended authorization
    stop_token: IdToken | None = None  # the token that ended it (E07)
    force_end: tuple[v201.TriggerReasonEnumType, v201.ReasonEnumType] | None = (
        None  # (triggerReason, stoppedReason)
    )
    remote_start_id: int | None = None
    source: AuthorizationSource | None = None  # who authorized it
    charging_profile: v201.ChargingProfileType | None = None
    reached: set[str] = field(default_factory=set)  # start/stop conditions met in the tx
    token_pending: bool = False  # the idToken goes in the next event
    connector_sent: bool = False
    remote_pending: bool = False
    reservation_sent: bool = False
    reservation_id: int | None = None  # the reservation its authorization used (H03.FR.09)
    charging_s: float = 0.0
    charging_since: float | None = None
    ended_samples: list[tuple[datetime, list[SampledValue]]] = field(default_factory=list)


class TransactionEventsV201(Block["StationV201"]):
    """The engine of E: sessions, start and stop points, TransactionEvent reporting."""

    __slots__ = ("sessions",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        self.sessions: dict[int, Session] = {}

    def session(self, evse: Evse) -> Session:
        return self.sessions.setdefault(evse.id, Session())

    def deauthorize(
        self,
        evse: Evse,
        trigger: v201.TriggerReasonEnumType,
        reason: v201.ReasonEnumType,
        *,
        token: IdToken | None = None,
    ) -> None:
        """The authorization ends (E07 token, F03 remote stop, E05 refusal, E03 timeout)."""
        self.station.advance()
        session = self.session(evse)
        session.authorized = session.authorizing = False
        session.deauthorized = reason
        session.stop_token = token
        session.reached.add("Authorized")  # ended, so the Authorized stop point is passed
        self.evaluate(evse, trigger)

    # -- the rules (see the module docstring) ----------------------------------------------------

    def evaluate(self, evse: Evse, trigger: v201.TriggerReasonEnumType | None) -> None:
        """Apply TxStartPoint / TxStopPoint and the power path after an event on ``evse``."""
        session = self.session(evse)
        self._sync_cable_status(evse)
        running = evse.transaction
        started = False
        points = self._points(evse, session)
        if running is None and trigger is not None and points & self._tx_points("TxStartPoint"):
            self._begin(evse, session, trigger)
            started = True
        changed = self._refresh_energy(evse)
        if running is None and not started and evse.transaction is None:
            points = self._points(evse, session)
            if points & self._tx_points("TxStartPoint") and (trigger or changed):
                begun_by = "ChargingStateChanged" if changed or trigger is None else trigger
                self._begin(evse, session, begun_by)
        elif started and changed:
            self.updated(evse, "ChargingStateChanged")
        elif running is not None and running is evse.transaction:
            self._after_change(evse, session, trigger, changed)
        if evse.transaction is not None:
            session.reached |= self._points(evse, session)  # e.g. EnergyTransfer once charging
        self._tidy(evse)

    def _after_change(
        self,
        evse: Evse,
        session: Session,
        trigger: v201.TriggerReasonEnumType | None,
        changed: bool,
    ) -> None:
        points = self._points(evse, session)
        session.reached |= points
        lost = (session.reached - points) & self._tx_points("TxStopPoint")
        plugged = evse.plugged_connector() is not None
        empty = not plugged and not session.authorized and not session.authorizing
        if session.force_end is not None or lost or empty:
            default: v201.TriggerReasonEnumType = (
                "ChargingStateChanged" if changed else "AbnormalCondition"
            )
            forced = session.force_end
            self._finish(
                evse,
                forced[0] if forced else trigger or default,
                forced[1] if forced else self._stop_reason(evse, session, lost, plugged),
            )
        elif trigger is not None:
            self.updated(evse, trigger)
        elif changed:
            self.updated(evse, "ChargingStateChanged")

    def _points(self, evse: Evse, session: Session) -> set[str]:
        connector = evse.plugged_connector()
        points: set[str] = set()
        if connector is not None and session.fresh_plug:
            points.add("EVConnected")
        if session.authorized:
            points.add("Authorized")
        if connector is not None and session.authorized and self.accepts_power(evse):
            points.add("PowerPathClosed")
        if connector is not None and connector.status is _S.CHARGING:
            points.add("EnergyTransfer")
        return points

    def _tx_points(self, name: str) -> set[str]:
        return set(self.station.device_model.get_list("TxCtrlr", name))

    def accepts_power(self, evse: Evse) -> bool:
        """Whether the EVSE may close its power path (operative, not faulted)."""
        return all(c.operative and not c.faulted for c in evse.connectors.values())

    def _stop_reason(
        self, evse: Evse, session: Session, lost: set[str], plugged: bool
    ) -> v201.ReasonEnumType:
        if session.deauthorized is not None:
            return session.deauthorized
        if not plugged:
            return "EVDisconnected"
        connector = evse.plugged_connector()
        if "EnergyTransfer" in lost and connector is not None:
            return "StoppedByEV" if connector.status is _S.SUSPENDED_EV else "Other"
        return "Other"

    def _sync_cable_status(self, evse: Evse) -> None:
        for connector in evse.connectors.values():
            if connector.cable_plugged and connector.status in (_S.AVAILABLE, _S.RESERVED):
                self.station.set_status(connector, _S.PREPARING)
            elif not connector.cable_plugged and connector.status in OCCUPIED:
                self.station.set_status(connector, _S.AVAILABLE)

    def _refresh_energy(self, evse: Evse) -> bool:
        """Close or open the power path; returns whether the charging state changed."""
        before = self.charging_state(evse)
        session = self.session(evse)
        connector = evse.plugged_connector()
        if connector is not None and not connector.faulted and connector.operative:
            closed = (
                session.authorized
                and session.force_end is None
                and self.accepts_power(evse)
                and (
                    evse.transaction is not None
                    or "EnergyTransfer" in self._tx_points("TxStartPoint")
                )
            )
            if closed:
                if connector.status is _S.FINISHING:
                    self.station.set_status(connector, _S.PREPARING)  # F2: a new authorization
                self.station.set_status(
                    connector, self.station.model.energy_status(evse, self.station.clock.now())
                )
            elif connector.status in _ENERGY:
                evse.meter.power_w = 0.0
                self.station.set_status(connector, _S.FINISHING)
        return self.charging_state(evse) != before

    def charging_state(self, evse: Evse) -> v201.ChargingStateEnumType:
        """ChargingStateEnumType of the EVSE now (Idle without a cable)."""
        connector = evse.plugged_connector()
        return "Idle" if connector is None else CHARGING_STATE_201[connector.status]

    def _tidy(self, evse: Evse) -> None:
        session = self.sessions.get(evse.id)
        if evse.transaction is not None:
            return
        if session is not None and session.deauthorized is not None:
            # An ended authorization with nothing running: the EVSE is free for the next one.
            session = self.sessions[evse.id] = Session()
        if (
            session is not None
            and not session.authorized
            and not session.authorizing
            and evse.plugged_connector() is None
        ):
            del self.sessions[evse.id]
        self.station.on_evse_idle(evse)  # the station's hook (G03, B12, L01, K)

    # -- the transaction and its events ---------------------------------------------------------

    def _begin(self, evse: Evse, session: Session, trigger: v201.TriggerReasonEnumType) -> None:
        connector = evse.plugged_connector()
        sole = next(iter(evse.connectors)) if len(evse.connectors) == 1 else 0
        transaction = Transaction(
            local_id=self.station.new_transaction_id(),
            evse_id=evse.id,
            connector_id=connector.connector_id if connector is not None else sole,
            id_token=None,
            started_at=self.station.clock.now(),
            meter_start_wh=evse.meter.energy_register_wh,
            offline=not self.station.connected,
        )
        evse.transaction = transaction
        session.reached = self._points(evse, session)
        session.connector_sent = session.reservation_sent = False
        session.charging_s = 0.0
        charging = connector is not None and connector.status is _S.CHARGING
        session.charging_since = self.station.clock.monotonic() if charging else None
        if session.authorized and session.token is not None:
            self.bind_token(evse, transaction, session)
        # One Transaction.Begin reading, at the transaction's start, in both the Started
        # event (TxStartedMeasurands) and the Ended one (TxEndedMeasurands, J02): one time,
        # so that a central system can tell the Ended's copy for the same reading.
        begin_at = transaction.started_at
        begin = self.station.readings(
            evse, "SampledDataCtrlr", "TxEndedMeasurands", "Transaction.Begin"
        )
        session.ended_samples = [(begin_at, begin)] if begin else []
        started = self.station.readings(
            evse, "SampledDataCtrlr", "TxStartedMeasurands", "Transaction.Begin"
        )
        self._event(evse, "Started", trigger, [], samples=[(begin_at, started)])
        self.station.on_transaction_started(evse)
        logger.info(
            "%s: transaction %s on EVSE %d", self.station.identity, transaction.local_id, evse.id
        )

    def use_reservation(self, evse: Evse, session: Session) -> int | None:
        """H03.FR.09: the session's token (or its group) is the one a reservation here is for:
        the reservation is used, gone from the book; its id, for the transaction's first
        event (H01.FR.15), or None."""
        if session.token is None:
            return None
        group = session.info.group_id if session.info else None
        self.station.expire_reservations()  # H04: one that has just expired is not used
        reservation = self.station.model.reservations.consume(evse.id, session.token, group)
        if reservation is None:
            return None
        self.station.expire_reservations()  # H03.FR.10: the connectors follow the book
        return reservation.id

    def bind_token(self, evse: Evse, transaction: Transaction, session: Session) -> None:
        """The session's token becomes the transaction's (and may end a reservation, H)."""
        transaction.id_token, transaction.id_token_info = session.token, session.info
        transaction.remote_start_id = session.remote_start_id
        if session.reservation_id is not None and transaction.reservation_id is None:
            transaction.reservation_id = session.reservation_id  # used when it was authorized
        elif session.token is not None and transaction.reservation_id is None:
            transaction.reservation_id = self.use_reservation(evse, session)
        if session.charging_profile is not None:
            # F01/F02: the TxProfile of a remote start is this transaction's (K01.FR.03 wants
            # its transactionId, which only the station knows).
            wire = {**session.charging_profile, "transactionId": transaction.local_id}
            result = self.station.model.profiles.install(
                evse.id,
                profile_from_ocpp201(wire),
                now=self.station.clock.now(),
                transaction=transaction.context,
            )
            if not result.accepted:
                logger.warning(
                    "%s: remote start profile refused: %s", self.station.identity, result
                )
            session.charging_profile = None

    def updated(
        self,
        evse: Evse,
        trigger: v201.TriggerReasonEnumType,
        readings: list[SampledValue] | None = None,
        at: datetime | None = None,
    ) -> None:
        """An Updated event, with ``readings`` taken ``at`` (default: now)."""
        samples = [(at, readings)] if at is not None and readings else None
        self._event(evse, "Updated", trigger, [] if samples else readings or [], samples=samples)

    def send_transaction_update(
        self,
        evse: Evse,
        trigger: v201.TriggerReasonEnumType,
        variable: tuple[str, str],
        context: ReadingContext,
        at: datetime | None = None,
    ) -> None:
        """An Updated event with a meter value of the measurands ``variable`` lists (J02
        MeterValuePeriodic, MeterValueClock, F06 Trigger), stamped ``at`` (default: now)."""
        self.station.advance()
        self.updated(evse, trigger, self.station.readings(evse, *variable, context), at)

    def _finish(
        self, evse: Evse, trigger: v201.TriggerReasonEnumType, reason: v201.ReasonEnumType
    ) -> None:
        transaction = evse.transaction
        assert transaction is not None
        session = self.session(evse)
        now = self.station.clock.now()
        transaction.move(TransactionPhase.STOPPING)
        transaction.stop_reason, transaction.stopped_at = reason, now
        transaction.meter_stop_wh = evse.meter.energy_register_wh
        end = self.station.readings(
            evse, "SampledDataCtrlr", "TxEndedMeasurands", "Transaction.End"
        )
        samples = session.ended_samples + ([(now, end)] if end else [])
        connector = evse.plugged_connector()
        if connector is not None and connector.status in _ENERGY | {_S.PREPARING}:
            evse.meter.power_w = 0.0
            self.station.set_status(connector, _S.FINISHING)
        self._event(evse, "Ended", trigger, [], samples=samples, reason=reason)
        evse.transaction = None
        evse.suspended_by_evse = False
        evse.meter.power_w = 0.0
        for name in ("charging", "tx_ended_sample", "ev_connection_timeout"):
            self.station.timers.cancel(f"{name}:{evse.id}")
        self.station.model.profiles.remove_transaction_profiles(transaction.local_id)
        # What is left: a cable that stays in (it no longer counts as a fresh plug-in).
        self.sessions[evse.id] = Session()
        logger.info(
            "%s: transaction %s ended (%s)", self.station.identity, transaction.local_id, reason
        )

    def _event(
        self,
        evse: Evse,
        event_type: v201.TransactionEventEnumType,
        trigger: v201.TriggerReasonEnumType,
        readings: list[SampledValue],
        *,
        samples: list[tuple[datetime, list[SampledValue]]] | None = None,
        reason: v201.ReasonEnumType | None = None,
    ) -> None:
        """Build a TransactionEvent now and queue it (E11: sent in order, kept offline)."""
        transaction = evse.transaction
        assert transaction is not None
        session = self.session(evse)
        info: v201.TransactionType = {
            "transactionId": transaction.local_id,
            "chargingState": self.charging_state(evse),
        }
        if event_type != "Started":
            info["timeSpentCharging"] = int(self._time_charging(session))
        if reason is not None:
            info["stoppedReason"] = reason
        if session.remote_pending and transaction.remote_start_id is not None:
            info["remoteStartId"] = transaction.remote_start_id
            session.remote_pending = False
        payload: v201.TransactionEventRequest = {
            "eventType": event_type,
            "timestamp": iso(self.station.clock.now()),
            "triggerReason": trigger,
            "seqNo": transaction.next_seq_no(),
            "transactionInfo": info,
        }
        if not self.station.connected:
            payload["offline"] = True  # E04: it happened while offline
        if not session.connector_sent:
            # The first event names the EVSE; the first once the connector is known, it too.
            evse_wire: v201.EVSEType = {"id": evse.id}
            if transaction.connector_id:
                evse_wire["connectorId"] = transaction.connector_id
                session.connector_sent = True
            if event_type == "Started" or session.connector_sent:
                payload["evse"] = evse_wire
        carried = session.stop_token if trigger == "StopAuthorized" else None
        if carried is None and session.token_pending and transaction.id_token is not None:
            carried, session.token_pending = transaction.id_token, False
        if carried is not None:
            payload["idToken"] = id_token_to_ocpp201(carried, self.station.dialect.id_token_types)
        if transaction.reservation_id is not None and not session.reservation_sent:
            payload["reservationId"] = transaction.reservation_id  # H01: the first event after
            session.reservation_sent = True
        values = [self.station.meter_value(readings)] if readings else []
        values += [
            self.station.meter_value(sampled, at) for at, sampled in samples or [] if sampled
        ]
        if values:
            payload["meterValue"] = values
        self.station.enqueue_transaction_message(
            "TransactionEvent",
            lambda: payload,
            lambda answer: self._event_answered(evse, transaction, event_type, carried, answer),
            transaction_id=transaction.local_id,
        )

    def _event_answered(
        self,
        evse: Evse,
        transaction: Transaction,
        event_type: str,
        carried: IdToken | None,
        answer: Payload,
    ) -> None:
        if transaction.phase is TransactionPhase.STARTING:
            transaction.move(TransactionPhase.ACTIVE)
        if event_type == "Ended" and transaction.phase is TransactionPhase.STOPPING:
            transaction.move(TransactionPhase.ENDED)
        if "totalCost" in answer:  # I02 (Updated), I03 (Ended)
            self.station.tariff_cost.cost_known(transaction, float(answer["totalCost"]))
        if carried is None:
            return
        # The answer to the event that brought the token (not to the Ended one that carries
        # the token which stopped it, E07) confirms or refuses it.
        confirms = event_type != "Ended" and carried == transaction.id_token
        wire = answer.get("idTokenInfo")
        if wire is None:
            # No idTokenInfo: the authorization stands as the station decided it.
            if confirms:
                self._confirmed(evse, transaction, carried, True, None)
            return
        info = id_token_info_from_ocpp201(wire)
        policy, now = self.station.model.policy, self.station.clock.now()
        cache, local_list = self.station.model.cache, self.station.model.local_list
        remember(carried, info, now=now, policy=policy, local_list=local_list, cache=cache)
        if carried != transaction.id_token:
            return
        valid = info.is_valid_at(now)
        why = None if valid else answered_refusal("TransactionEvent", info, now)
        if evse.transaction is transaction:
            transaction.id_token_info = info
            if not valid and self.session(evse).authorized:
                # E05: the central system refuses the token the transaction runs on.
                if self.station.device_model.get_bool("TxCtrlr", "StopTxOnInvalidId", None, True):
                    self.deauthorize(evse, "Deauthorized", "DeAuthorized")
                    why = f"{why} and the station ended its authorization"
                else:
                    self.station.advance()
                    evse.suspended_by_evse = True  # energy stops; the transaction goes on
                    # E05.FR.02: not deauthorized: ChargingStateChanged, SuspendedEVSE.
                    self.evaluate(evse, None)
                    why = f"{why} and the station suspended it (StopTxOnInvalidId is false)"
        if confirms:
            self._confirmed(evse, transaction, carried, valid, info.status, why)

    def _confirmed(
        self,
        evse: Evse,
        transaction: Transaction,
        token: IdToken,
        accepted: bool,
        status: AuthorizationStatus | None,
        why: str | None = None,
    ) -> None:
        report = TokenConfirmation(evse.id, token, transaction.local_id, accepted, status, why)
        self.station.token_reports.tell(report)

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None:
        """Report a transaction the power cut, on the boot after: TransactionEvent Ended,
        stoppedReason PowerLoss, triggerReason AbnormalCondition, with the Transaction.End
        register it had when the power went (E-block; a CSMS that missed the Started opens
        it from this event, E04)."""
        key = transaction.transaction_id
        evse: v201.EVSEType = {"id": transaction.evse_id}
        if transaction.connector_id:
            evse["connectorId"] = transaction.connector_id
        register = SampledValue(
            "Energy.Active.Import.Register",
            transaction.meter_wh,
            "Wh",
            context="Transaction.End",
        )
        payload: v201.TransactionEventRequest = {
            "eventType": "Ended",
            "timestamp": iso(lost_at),
            "triggerReason": "AbnormalCondition",
            "seqNo": transaction.seq_no,
            "transactionInfo": {"transactionId": key, "stoppedReason": POWER_LOSS},
            "evse": evse,
            "meterValue": [self.station.meter_value([register], lost_at)],
        }
        if transaction.id_tag is not None:
            token = IdToken(transaction.id_tag, transaction.id_token_type)
            payload["idToken"] = id_token_to_ocpp201(token, self.station.dialect.id_token_types)

        def reported(answer: Payload) -> None:
            self.station.unreported_power_losses.pop(key, None)

        self.station.enqueue_transaction_message(
            "TransactionEvent", lambda: payload, reported, transaction_id=key
        )
        logger.info("%s: transaction %s ended by a power loss", self.station.identity, key)

    # -- time and samples while the transaction runs (J02) ----------------------------------------

    def on_status_changed(self, connector: Connector, previous: ConnectorStatus) -> None:
        """Time spent charging follows the connector's moves (timeSpentCharging)."""
        session = self.sessions.get(connector.evse_id)
        if session is None:
            return
        now = self.station.clock.monotonic()
        if connector.status is _S.CHARGING and session.charging_since is None:
            session.charging_since = now
        elif connector.status is not _S.CHARGING and session.charging_since is not None:
            session.charging_s += now - session.charging_since
            session.charging_since = None

    def _time_charging(self, session: Session) -> float:
        since = session.charging_since
        return session.charging_s + (
            0.0 if since is None else self.station.clock.monotonic() - since
        )
