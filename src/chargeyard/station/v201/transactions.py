"""OCPP 2.0.1 transactions (functional block E) driven by the physical verbs of a station, with
the meter values sampled while they run (J02).

The gateway's verbs (``plug``, ``unplug``, ``start_transaction``...) change an EVSE's session
(the cable and the EV themselves are ``ev_controls.py``'s, shared with 1.6; an EV that stops or
resumes drawing comes through ``StationV201.ev_request_changed``) and hand it to
``transaction_events.py``, which decides what starts, stops and
is reported (TxStartPoint / TxStopPoint, E01-E10) and queues the TransactionEvents.
Authorization of a presented token is ``authorization.py``'s (C), remote start and stop
``control.py``'s (F).

While a transaction runs, a timer per EVSE brings the meter and the EV up to date, lets the
charging state follow (SuspendedEV when the EV is full: ChargingStateChanged) and sends
Updated(MeterValuePeriodic) with SampledDataCtrlr.TxUpdatedMeasurands every TxUpdatedInterval
(J02); TxEndedMeasurands are sampled every TxEndedInterval for the Ended event. A change of
the interval applies at once. After a reboot, transactions that were running end (PowerLoss).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model import rules
from chargeyard.station.model.authorization import IdToken, IdTokenInfo
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Evse
from chargeyard.station.model.token_reports import AuthorizationSource, TokenDecision
from chargeyard.station.v201.device_model import Component, Variable
from chargeyard.station.v201.stop_reasons import STOP_TRIGGERS, stop_reason
from chargeyard.station.v201.transaction_events import RUNNING, TransactionEventsV201

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201  # noqa: F401 (the Block base names it)

logger = logging.getLogger(__name__)

_S = ConnectorStatus
_IDLE_TICK_S = 60


class TransactionsV201(Block["StationV201"]):
    """E physical events and J02 sampling; see the module docstring."""

    __slots__ = ()

    @property
    def _events(self) -> TransactionEventsV201:
        """The engine this block feeds: sessions, TxStartPoint / TxStopPoint, events."""
        return self.station.transaction_events

    def plug(
        self, evse_id: int = 1, connector_id: int = 1, *, ev: Ev | EvProfile | None = None
    ) -> None:
        """The driver inserts the cable; ``ev`` is behind it (``EvControls.cable_in``: default,
        the car chosen for the EVSE's next session, else a city car at 20 %).

        Raises:
            OcppError: the EVSE has a cable in already, the connector is unusable, or the
                station is going down or off (``require_power``).
        """
        evse, _ = self.station.ev.cable_in(evse_id, connector_id, ev)
        self.station.timers.cancel(f"ev_connection_timeout:{evse_id}")
        session = self._events.session(evse)
        session.fresh_plug = True
        if evse.transaction is not None and evse.transaction.connector_id == 0:
            evse.transaction.connector_id = connector_id  # started before the cable (E03)
        self._events.evaluate(evse, "CablePluggedIn")
        self.station.wake()

    def unplug(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The driver removes the cable (E09 / E10)."""
        evse, _ = self.station.ev.cable_out(evse_id, connector_id)
        evse.ev = None
        session = self._events.session(evse)
        running = evse.transaction is not None and evse.transaction.phase in RUNNING
        # E09: the transaction ends with the cable (unless the driver ended it already and
        # only TxStopPoint EVConnected kept it: then it ends as the driver said, E06).
        stop = self.station.device_model.get_bool("TxCtrlr", "StopTxOnEVSideDisconnect", None, True)
        if running and stop and session.deauthorized is None:
            session.force_end = ("EVCommunicationLost", "EVDisconnected")
        self._events.evaluate(evse, "EVCommunicationLost")
        self.station.wake()

    def start_transaction(self, evse_id: int, id_token: str, type: str = "Local") -> None:
        """Authorize on the station's own authority (a free-vend button, a local operator).

        Raises:
            ValueError: ``id_token`` or ``type`` do not fit IdTokenType.
        """
        self.station.check_value("TransactionEvent", "idToken.idToken", id_token, "id_token")
        self.station.check_value("TransactionEvent", "idToken.type", type, "type")
        self.station.require_power()
        evse, token = self.station.model.evses[evse_id], IdToken(id_token, type)
        self.authorize_session(evse, token, None, source=AuthorizationSource.STATION)
        self.station.wake()

    def stop_transaction(self, evse_id: int, reason: str = "Local") -> None:
        """End the EVSE's transaction now, whatever TxStopPoint says.

        Raises:
            ValueError: ``reason`` is no ReasonEnumType; nothing changes, where an Ended event
                the schema refuses would leave the transaction ended here and open at the
                CSMS.
            OcppError: no transaction runs on the EVSE.
        """
        self.station.check_value(
            "TransactionEvent", "transactionInfo.stoppedReason", reason, "reason"
        )
        word = stop_reason(reason)  # (the check above said it is one)
        evse = self.station.model.evses[evse_id]
        if refusal := rules.cannot_stop(self.station.model, evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, refusal)
        self.end_transaction(evse, STOP_TRIGGERS.get(word, "AbnormalCondition"), word)
        self.station.wake()

    def evse_for_new_session(
        self, evse_id: int | None, token: IdToken | None = None, *, tentative: bool = False
    ) -> Evse | None:
        """The EVSE a new session would use: the one named, else one a cable waits in, else
        the first free one; None when there is none (or ``evse_id`` is unknown). With a
        ``token``, only EVSEs its reservations allow (``may_start_session``, H)."""
        if evse_id is not None and evse_id not in self.station.model.evses:
            return None
        candidates = (
            [self.station.model.evses[evse_id]]
            if evse_id is not None
            else list(self.station.model.evses.values())
        )
        free = [
            evse
            for evse in candidates
            if self.is_free_for_session(evse)
            and (
                token is None
                or self.station.may_start_session(evse, token, None, tentative=tentative)
            )
        ]
        waiting = [evse for evse in free if evse.plugged_connector() is not None]
        chosen = waiting or free
        return chosen[0] if chosen else None

    def waiting_authorization(self, evse_id: int) -> TokenDecision | None:
        """The authorization of a token a driver presented that waits for its cable on the
        EVSE (E03; not a remote start's), as decided; None otherwise. Reads only."""
        session = self._events.sessions.get(evse_id)
        evse = self.station.model.evses.get(evse_id)
        if (
            session is None
            or evse is None
            or evse.transaction is not None
            or evse.plugged_connector() is not None
            or not session.authorized
            or session.token is None
            or session.remote_start_id is not None
        ):
            return None
        status = session.info.status if session.info is not None else None
        return TokenDecision(evse_id, session.token, True, status, session.source)

    def pending_start(self, evse_id: int) -> str | None:
        """Who the EVSE is held for before a transaction runs there (a token authorized or
        being authorized, a remote start: E03, F01/F02), or None. Reads only."""
        session = self._events.sessions.get(evse_id)
        evse = self.station.model.evses.get(evse_id)
        if session is None or evse is None or evse.transaction is not None:
            return None
        who = session.token.value if session.token is not None else "a token"
        remote = "a remote start for " if session.remote_start_id is not None else ""
        if session.authorized:
            awaited = "a cable" if evse.plugged_connector() is None else "its transaction"
            return f"{remote}{who} is authorized on EVSE {evse_id} and waits for {awaited}"
        if session.authorizing:
            return f"an authorization is being asked on EVSE {evse_id}"
        return None

    def is_free_for_session(self, evse: Evse) -> bool:
        """No authorization is given or asked on ``evse``, a transaction there (if any) waits
        for one, and the EVSE accepts sessions (``accepts_sessions``)."""
        session = self._events.sessions.get(evse.id)
        if session is not None and (
            session.authorized or session.authorizing or session.deauthorized is not None
        ):
            return False
        return self.station.accepts_sessions(evse)

    # -- what changes a session -----------------------------------------------------------------

    def authorize_session(
        self,
        evse: Evse,
        token: IdToken,
        info: IdTokenInfo | None,
        trigger: v201.TriggerReasonEnumType = "Authorized",
        *,
        source: AuthorizationSource,
        remote_start_id: int | None = None,
        charging_profile: v201.ChargingProfileType | None = None,
    ) -> None:
        """``token`` may charge on ``evse`` (C01, F01/F02); EVConnectionTimeOut runs until a
        cable comes (E03). ``source`` is told to the station's ``token_reports`` with the
        decision."""
        status = info.status if info is not None else None
        if self.station.going_down or not self.station.powered:
            # An answer (Authorize, a remote start's) that arrives while the station goes
            # down starts nothing: it is out of service.
            logger.info("%s: %s not authorized: going down", self.station.identity, token.value)
            why = "the station is going down"
            self.station.token_reports.tell(
                TokenDecision(evse.id, token, False, status, source, why)
            )
            return
        self.station.advance()
        session = self._events.session(evse)
        session.token, session.info, session.source = token, info, source
        session.authorized, session.authorizing = True, False
        session.deauthorized = session.stop_token = None
        session.token_pending = True
        if remote_start_id is not None:
            session.remote_start_id, session.remote_pending = remote_start_id, True
        session.charging_profile = charging_profile
        if evse.plugged_connector() is not None:
            # A driver who authorizes with the cable in is connected now.
            session.fresh_plug = True
        else:
            timeout = self.station.device_model.get_int(
                "TxCtrlr", "EVConnectionTimeOut", default=60
            )
            if timeout > 0:
                self.station.timers.set(
                    f"ev_connection_timeout:{evse.id}",
                    self.station.clock.monotonic() + timeout,
                    lambda: self._ev_connection_timed_out(evse),
                )
        if evse.transaction is not None:
            self._events.bind_token(evse, evse.transaction, session)
        else:
            # H03.FR.09, H03.FR.10: presented, the reservation's token uses it at once; its
            # connectors show Available (Occupied with the cable in) until the transaction.
            session.reservation_id = self._events.use_reservation(evse, session)
        self._events.evaluate(evse, trigger)
        self.station.token_reports.tell(TokenDecision(evse.id, token, True, status, source))

    def end_transaction(
        self, evse: Evse, trigger: v201.TriggerReasonEnumType, reason: v201.ReasonEnumType
    ) -> None:
        """The station ends the EVSE's transaction itself (reset, fault, operator)."""
        if evse.transaction is None:
            return
        self.station.advance()
        self._events.session(evse).force_end = (trigger, reason)
        self._events.evaluate(evse, trigger)

    def _ev_connection_timed_out(self, evse: Evse) -> None:
        session = self._events.sessions.get(evse.id)
        if session is None or not session.authorized or evse.plugged_connector() is not None:
            return
        logger.info(
            "%s: no cable within EVConnectionTimeOut on EVSE %d", self.station.identity, evse.id
        )
        self._events.deauthorize(evse, "EVConnectTimeout", "Timeout")

    def update_charging_status(self, evse: Evse) -> None:
        """Re-derive the charging state of ``evse`` (the smart charging block wraps it)."""
        self.station.advance()
        self._events.evaluate(evse, None)

    def on_transaction_started(self, evse: Evse) -> None:
        """J02: the periodic and the TxEnded samples of the transaction start."""
        self._schedule_tick(evse)
        self._schedule_ended_sample(evse)

    def _schedule_tick(self, evse: Evse) -> None:
        interval = self.station.device_model.get_int(
            "SampledDataCtrlr", "TxUpdatedInterval", default=60
        )
        self.station.timers.set(
            f"charging:{evse.id}",
            self.station.clock.monotonic() + (interval if interval > 0 else _IDLE_TICK_S),
            lambda: self._tick(evse),
        )

    def _tick(self, evse: Evse) -> None:
        if evse.transaction is None:
            return
        self.station.advance()
        self._events.evaluate(evse, None)
        if evse.transaction is None:
            return
        if (
            self.station.device_model.get_int("SampledDataCtrlr", "TxUpdatedInterval", default=60)
            > 0
        ):
            self._events.send_transaction_update(
                evse,
                "MeterValuePeriodic",
                ("SampledDataCtrlr", "TxUpdatedMeasurands"),
                "Sample.Periodic",
            )
        self._schedule_tick(evse)

    def _schedule_ended_sample(self, evse: Evse) -> None:
        interval = self.station.device_model.get_int("SampledDataCtrlr", "TxEndedInterval")
        if interval > 0:
            at = self.station.clock.monotonic() + interval
            self.station.timers.set(
                f"tx_ended_sample:{evse.id}", at, lambda: self._ended_sample(evse)
            )

    def _ended_sample(self, evse: Evse) -> None:
        if evse.transaction is None:
            return
        self.station.advance()
        readings = self.station.readings(
            evse, "SampledDataCtrlr", "TxEndedMeasurands", "Sample.Periodic"
        )
        self._events.session(evse).ended_samples.append((self.station.clock.now(), readings))
        self._schedule_ended_sample(evse)

    def variable_changed(self, component: Component, variable: Variable) -> None:
        if component.name == "SampledDataCtrlr" and variable.name == "TxUpdatedInterval":
            for evse in self.station.model.evses.values():
                if evse.transaction is not None:
                    self._schedule_tick(evse)  # J02: the new interval counts from now

    def stop_transactions(self, reason: str) -> None:
        word = stop_reason(reason)
        for evse in self.station.model.evses.values():
            if evse.transaction is not None and evse.transaction.phase in RUNNING:
                self.station.advance()
                self.end_transaction(evse, STOP_TRIGGERS.get(word, "AbnormalCondition"), word)

    def on_power_on(self) -> None:
        # The station went down with transactions running: they end now (reason PowerLoss).
        for evse in self.station.model.evses.values():
            if evse.transaction is not None and evse.transaction.phase in RUNNING:
                self.end_transaction(evse, "AbnormalCondition", "PowerLoss")
        self._events.sessions.clear()
