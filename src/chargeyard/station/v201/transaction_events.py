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

The engine composes its parts, each in its module: ``sessions.py`` (the session),
``power_path.py`` (steps 1 and 3), ``transaction_binding.py`` (what a transaction takes from
its session's authorization), ``transaction_event_requests.py`` (what each event carries),
``transaction_event_answers.py`` (what the central system's answer does); ``stop_reasons.py``
has the words of an Ended event.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import Payload
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model.authorization import IdToken
from chargeyard.station.model.meter import ReadingContext, SampledValue
from chargeyard.station.model.states import ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Connector, Evse, Transaction
from chargeyard.station.power_loss import OpenTransaction
from chargeyard.station.v201 import power_path, transaction_binding
from chargeyard.station.v201.power_path import ENERGY_STATUSES
from chargeyard.station.v201.sessions import Session
from chargeyard.station.v201.transaction_event_answers import event_answered
from chargeyard.station.v201.transaction_event_requests import event_request, power_loss_request

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

logger = logging.getLogger(__name__)

_S = ConnectorStatus
RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})


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
        power_path.sync_cable_status(self.station, evse)
        running = evse.transaction
        started = False
        points = self._points(evse, session)
        if running is None and trigger is not None and points & self._tx_points("TxStartPoint"):
            self._begin(evse, session, trigger)
            started = True
        changed = power_path.refresh_energy(self.station, evse, self.session(evse))
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
        if connector is not None and session.authorized and power_path.accepts_power(evse):
            points.add("PowerPathClosed")
        if connector is not None and connector.status is _S.CHARGING:
            points.add("EnergyTransfer")
        return points

    def _tx_points(self, name: str) -> set[str]:
        return set(self.station.device_model.get_list("TxCtrlr", name))

    def accepts_power(self, evse: Evse) -> bool:
        """Whether the EVSE may close its power path (operative, not faulted)."""
        return power_path.accepts_power(evse)

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

    def charging_state(self, evse: Evse) -> v201.ChargingStateEnumType:
        """ChargingStateEnumType of the EVSE now (Idle without a cable)."""
        return power_path.charging_state(evse)

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
        """The id of the reservation the session's token uses here, or None (H03.FR.09;
        ``transaction_binding.py``)."""
        return transaction_binding.use_reservation(self.station, evse, session)

    def bind_token(self, evse: Evse, transaction: Transaction, session: Session) -> None:
        """The session's token becomes the transaction's (``transaction_binding.py``)."""
        transaction_binding.bind_token(self.station, evse, transaction, session)

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
        if connector is not None and connector.status in ENERGY_STATUSES | {_S.PREPARING}:
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
        payload, carried = event_request(
            self.station,
            evse,
            transaction,
            session,
            event_type,
            trigger,
            readings,
            samples=samples,
            reason=reason,
        )
        self.station.enqueue_transaction_message(
            "TransactionEvent",
            lambda: payload,
            lambda answer: event_answered(self, evse, transaction, event_type, carried, answer),
            transaction_id=transaction.local_id,
        )

    def report_power_loss(self, transaction: OpenTransaction, lost_at: datetime) -> None:
        """Report a transaction the power cut, on the boot after: TransactionEvent Ended,
        stoppedReason PowerLoss, triggerReason AbnormalCondition, with the Transaction.End
        register it had when the power went (E-block; a CSMS that missed the Started opens
        it from this event, E04)."""
        key = transaction.transaction_id
        payload = power_loss_request(self.station, transaction, lost_at)

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
        charging = connector.status is _S.CHARGING
        session.follow_charging(charging, self.station.clock.monotonic())
