"""OCPP 1.6 sessions: what happens between plug-in and unplug, up to the transaction's start
and stop.

Theory of operation
-------------------
The physical events (``plug``, ``unplug``, ``present_id_token``) are the gateway's verbs (the
station keeps them as its own methods, delegating here; the cable and the EV themselves are
``ev_controls.py``'s, shared with 2.0.1); each moves
connectors through the table of ``model/states.py`` and queues the messages a real charger sends
(OCPP 1.6 sections 4.1-4.10):

* a tag may come before or after the cable; either way the connector is Preparing until both
  are there (ConnectionTimeOut cancels a tag that waits too long for its cable, section 9.1);
* the tag is authorized locally or by Authorize.req, by ``decide_local`` (section 3.5); a tag
  presented at an EVSE's own reader starts there or not at all. What became of it (the
  decision, StartTransaction.conf's verdict, a stop) is told to ``token_reports``
  (``model/token_reports.py``);
* unplugging stops the transaction (EVDisconnected) when StopTransactionOnEVSideDisconnect;
* the transaction itself, StartTransaction.req and StopTransaction.req through the transaction
  queue (``core.py``), are ``start_stop.py``'s; the charging loop and MeterValues while energy
  may flow are ``metering.py``'s; RemoteStartTransaction comes through ``remote_control.py``
  to :meth:`TransactionsV16.authorized` as a presented tag does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.model import rules
from chargeyard.station.model.authorization import (
    IdToken,
    IdTokenInfo,
    Verdict,
    decide_local,
    id_tag_info_from_ocpp16,
    may_stop,
    remember,
)
from chargeyard.station.model.ev import Ev, EvProfile
from chargeyard.station.model.states import ConnectorStatus, TransactionPhase
from chargeyard.station.model.station import Evse, Transaction
from chargeyard.station.model.token_reports import (
    AuthorizationSource,
    OfflineKeys,
    TokenDecision,
    TokenStop,
    answered_refusal,
    offline_refusal,
)
from chargeyard.station.v16.start_stop import stop_reason, transaction_id

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

logger = logging.getLogger(__name__)

_S = ConnectorStatus
_OFFLINE_KEYS = OfflineKeys("LocalAuthorizeOffline", "AllowOfflineTxForUnknownId")


@dataclass(slots=True)
class WaitingStart:
    """A tag authorized (or a remote start accepted) before the cable was plugged in."""

    id_token: IdToken
    info: IdTokenInfo | None
    remote_start_id: int | None = None
    charging_profile: v16.ChargingProfile | None = None
    remote: bool = False  # a RemoteStartTransaction's (section 5.11)
    source: AuthorizationSource | None = None  # who authorized it


class TransactionsV16(Block["StationV16"]):
    """Core profile session behaviour; see the module docstring."""

    __slots__ = ("_waiting",)

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # Per EVSE: a tag (or remote start) waiting for its cable.
        self._waiting: dict[int, WaitingStart] = {}

    # -- physical events ------------------------------------------------------------------------

    def plug(
        self, evse_id: int = 1, connector_id: int = 1, *, ev: Ev | EvProfile | None = None
    ) -> None:
        """The driver inserts the cable; ``ev`` is behind it (``EvControls.cable_in``: default,
        the car chosen for the EVSE's next session, else a city car at 20 %).

        Raises:
            OcppError: the EVSE is in use, the connector unusable, or the station going down
                or off (``require_power``).
        """
        evse, connector = self.station.ev.cable_in(evse_id, connector_id, ev)
        transaction = evse.transaction
        if transaction is not None and transaction.phase in _RUNNING:
            # The EV comes back to a transaction that went on without it
            # (StopTransactionOnEVSideDisconnect false, section 9.1): it charges again.
            self.station.update_charging_status(evse)
            self.station.wake()
            return
        waiting = self._waiting.pop(evse_id, None)
        self.station.timers.cancel(f"connection_timeout:{evse_id}")
        if waiting is not None:
            self.station.start_stop.begin_transaction(
                evse, connector, waiting.id_token, waiting.info, waiting
            )
        elif connector.status is not _S.RESERVED:
            self.station.set_status(connector, _S.PREPARING)
        self.station.wake()

    def unplug(self, evse_id: int = 1, connector_id: int = 1) -> None:
        """The driver removes the cable."""
        # The cable is out before the transaction ends: Charging -> Available directly (C1).
        evse, connector = self.station.ev.cable_out(evse_id, connector_id)
        transaction = evse.transaction
        if transaction is not None and transaction.phase in _RUNNING:
            if not self.station.config.get_bool("StopTransactionOnEVSideDisconnect", True):
                # Section 9.1: the transaction goes on without its EV, SuspendedEV until the
                # cable is back (or the transaction is stopped otherwise).
                evse.ev = None
                self.station.set_status(connector, _S.SUSPENDED_EV)
                self.station.wake()
                return
            self.station.end_transaction(evse, "EVDisconnected")
        evse.ev = None
        if connector.status not in (_S.FAULTED, _S.UNAVAILABLE, _S.RESERVED):
            self.station.set_status(connector, _S.AVAILABLE)
        self.station.wake()

    def present_id_token(self, id_tag: str, evse_id: int | None = None) -> None:
        """The driver holds a card to the reader (of ``evse_id``, or of the station). What
        becomes of it is told to :attr:`token_reports`. The reader of an EVSE starts sessions
        on that EVSE only; the station's own reader picks one (``_evse_for_new_session``).

        Raises:
            ValueError: ``id_tag`` is no 1.6 IdToken (CiString20Type).
            OcppError: no connector is free, or the station is going down or off.
        """
        self.station.check_value("Authorize", "idTag", id_tag, "id_tag")
        self.station.require_power()
        token = IdToken(id_tag)
        running = self.station.model.transaction_to_stop_by(
            token, evse_id, self.station.clock.now()
        )
        if running is not None:
            self._stop_by_token(running, token)
            self.station.token_reports.tell(
                TokenStop(running.evse_id, token, transaction_id(running))
            )
            return
        evse = self.evse_for_new_session(evse_id, token, tentative=True)
        if evse is None:
            if self._ask_to_stop(token, evse_id):
                return
            raise OcppError(ErrorKind.GENERIC_ERROR, "no connector is free for a new session")
        pinned = evse_id is not None
        decision = decide_local(
            token,
            online=self.station.accepted,
            now=self.station.clock.now(),
            policy=self.station.model.policy,
            local_list=self.station.model.local_list,
            cache=self.station.model.cache,
        )
        if decision.verdict is Verdict.ASK_CENTRAL:
            request: v16.AuthorizeRequest = {"idTag": token.value}
            sent = self.station.call(
                "Authorize",
                request,
                lambda payload: self._authorized(evse, token, payload, pinned),
                lambda error: self._not_answered(evse, token, f"Authorize failed: {error}"),
            )
            if not sent:
                self._not_answered(evse, token, "the station could not send Authorize")
        elif decision.verdict is Verdict.REJECT:
            logger.info("%s: %s refused locally", self.station.identity, id_tag)
            why = offline_refusal(decision, self.station.model.policy, _OFFLINE_KEYS)
            status = decision.info.status if decision.info is not None else None
            source = AuthorizationSource.of(decision.source)
            self.station.token_reports.tell(
                TokenDecision(evse.id, token, False, status, source, why)
            )
        else:
            source = AuthorizationSource.of(decision.source)
            self.authorized(evse, token, decision.info, source=source, pinned=pinned)
        self.station.wake()

    def start_transaction(self, evse_id: int, id_tag: str) -> None:
        """Start on the station's own authority (a free-vend button, a local operator).

        Raises:
            ValueError: ``id_tag`` is no 1.6 IdToken (CiString20Type).
        """
        self.station.check_value("StartTransaction", "idTag", id_tag, "id_tag")
        self.station.require_power()
        evse = self.station.model.evses[evse_id]
        self.authorized(evse, IdToken(id_tag), None, source=AuthorizationSource.STATION)
        self.station.wake()

    def pending_start(self, evse_id: int) -> str | None:
        """Who the EVSE is held for before its cable comes (a tag presented first, a remote
        start: section 5.11), or None. Reads only."""
        waiting = self._waiting.get(evse_id)
        if waiting is not None:
            who = "a remote start" if waiting.remote else "an authorized tag"
            return f"{who} for {waiting.id_token.value} waits for a cable on EVSE {evse_id}"
        asking = self.station.remote_control.authorizing(evse_id)
        if asking is not None:
            return f"a remote start for {asking.value} is being authorized on EVSE {evse_id}"
        return None

    def waiting_authorization(self, evse_id: int) -> TokenDecision | None:
        """The authorization of a tag a driver presented that waits for its cable on the EVSE
        (section 5.11; not a remote start's), as decided; None otherwise. Reads only."""
        waiting = self._waiting.get(evse_id)
        if waiting is None or waiting.remote:
            return None
        status = waiting.info.status if waiting.info is not None else None
        return TokenDecision(evse_id, waiting.id_token, True, status, waiting.source)

    def stop_transaction(self, evse_id: int, reason: str = "Local") -> None:
        """End the EVSE's transaction now with ``reason``.

        Raises:
            ValueError: ``reason`` is no 1.6 Reason; nothing changes, where a
                StopTransaction.req the schema refuses would leave the transaction ended here
                and open at the central system.
            OcppError: no transaction runs on the EVSE.
        """
        self.station.check_value("StopTransaction", "reason", reason, "reason")
        word = stop_reason(reason)  # (the check above said it is one)
        evse = self.station.model.evses[evse_id]
        if refusal := rules.cannot_stop(self.station.model, evse_id):
            raise OcppError(ErrorKind.GENERIC_ERROR, refusal)
        self.station.advance()
        self.station.end_transaction(evse, word)
        self.station.wake()

    # -- authorization --------------------------------------------------------------------------

    def _authorized(self, evse: Evse, token: IdToken, payload: Payload, pinned: bool) -> None:
        info = id_tag_info_from_ocpp16(payload["idTagInfo"])
        now = self.station.clock.now()
        remember(
            token,
            info,
            now=now,
            policy=self.station.model.policy,
            local_list=self.station.model.local_list,
            cache=self.station.model.cache,
        )
        source = AuthorizationSource.CENTRAL_SYSTEM
        if info.is_valid_at(now):
            self.authorized(evse, token, info, source=source, pinned=pinned)
        else:
            logger.info(
                "%s: %s not authorized (%s)", self.station.identity, token.value, info.status
            )
            why = answered_refusal("Authorize", info, now)
            self.station.token_reports.tell(
                TokenDecision(evse.id, token, False, info.status, source, why)
            )

    def _not_answered(self, evse: Evse, token: IdToken, why: str) -> None:
        source = AuthorizationSource.CENTRAL_SYSTEM
        self.station.token_reports.tell(TokenDecision(evse.id, token, False, None, source, why))

    def authorized(
        self,
        evse: Evse,
        token: IdToken,
        info: IdTokenInfo | None,
        waiting: WaitingStart | None = None,
        *,
        source: AuthorizationSource,
        pinned: bool = False,
    ) -> None:
        """The tag may charge: start now if a cable is in, else wait for one. ``pinned``: it
        was presented at ``evse``'s own reader, so it starts there or not at all."""

        def refused(why: str) -> None:
            status = info.status if info is not None else None
            self.station.token_reports.tell(
                TokenDecision(evse.id, token, False, status, source, why)
            )

        if self.station.going_down or not self.station.powered:
            # An answer that arrives while the station goes down starts nothing.
            logger.info("%s: %s not authorized: going down", self.station.identity, token.value)
            refused("the station is going down")
            return
        if not self.station.may_start_session(evse, token, info):
            # Section 5.13: a reserved connector refuses other idTags (now that authorization
            # named the parent): a local session moves to a free connector, a remote one ends.
            pinned = pinned or waiting is not None
            other = None if pinned else self.evse_for_new_session(None, token, info)
            if other is None:
                logger.info(
                    "%s: %s may not use a reserved connector", self.station.identity, token.value
                )
                refused(f"EVSE {evse.id} is reserved for another idTag (section 5.13)")
                return
            evse = other
        connector = evse.plugged_connector()
        if connector is not None:
            self.station.start_stop.begin_transaction(evse, connector, token, info, waiting)
        else:
            self._waiting[evse.id] = waiting or WaitingStart(token, info, source=source)
            for candidate in evse.connectors.values():
                if candidate.status in (_S.AVAILABLE, _S.RESERVED):
                    self.station.set_status(candidate, _S.PREPARING)
            timeout = self.station.config.get_int("ConnectionTimeOut", 60)
            if timeout > 0:
                self.station.timers.set(
                    f"connection_timeout:{evse.id}",
                    self.station.clock.monotonic() + timeout,
                    lambda: self._connection_timed_out(evse),
                )
        status = info.status if info is not None else None
        self.station.token_reports.tell(TokenDecision(evse.id, token, True, status, source))

    def power_on(self) -> None:
        """A tag that was waiting for its cable is forgotten with the power (its
        ConnectionTimeOut timer went with the reboot too)."""
        self._waiting.clear()

    def _connection_timed_out(self, evse: Evse) -> None:
        # Section 9.1 ConnectionTimeOut: the incipient transaction is cancelled (B1).
        if self._waiting.pop(evse.id, None) is None:
            return
        for connector in evse.connectors.values():
            if connector.status is _S.PREPARING and not connector.cable_plugged:
                self.station.set_status(connector, _S.AVAILABLE)

    # -- helpers --------------------------------------------------------------------------------

    def evse_for_new_session(
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
            [self.station.model.evses[evse_id]]
            if evse_id is not None
            else list(self.station.model.evses.values())
        )
        free = [
            evse
            for evse in candidates
            if not self.station.going_down
            and evse.transaction is None
            and evse.id not in self._waiting
            and all(c.operative and not c.faulted for c in evse.connectors.values())
            and (
                token is None
                or self.station.may_start_session(evse, token, info, tentative=tentative)
            )
        ]
        for evse in free:
            connector = evse.plugged_connector()
            # A cable waits in a Preparing connector, or in a Reserved one (4.9: G2 follows).
            if connector is not None and connector.status in (_S.PREPARING, _S.RESERVED):
                return evse
        return free[0] if free else None

    def _ask_to_stop(self, token: IdToken, evse_id: int | None) -> bool:
        """A tag the station does not know, where every connector is taken by a transaction
        of a group: Authorize.req tells its parentIdTag, and one of the same group stops that
        transaction (sections 3.10, 4.1: Authorize.req "when the identifier used for stopping
        the transaction is different from the identifier that started it"). Whether it was
        asked."""
        grouped = [
            transaction
            for transaction in self.station.model.transactions()
            if transaction.phase in _RUNNING
            and (evse_id is None or transaction.evse_id == evse_id)
            and transaction.id_token_info is not None
            and transaction.id_token_info.group_id is not None
        ]
        if not grouped or not self.station.accepted:
            return False

        def answered(payload: Payload) -> None:
            info = id_tag_info_from_ocpp16(payload["idTagInfo"])
            now = self.station.clock.now()
            remember(
                token,
                info,
                now=now,
                policy=self.station.model.policy,
                local_list=self.station.model.local_list,
                cache=self.station.model.cache,
            )
            for transaction in grouped:
                started = transaction.id_token_info
                if (
                    transaction.phase in _RUNNING
                    and transaction.id_token is not None
                    and started is not None
                    and info.is_valid_at(now)
                    and may_stop(transaction.id_token, started.group_id, token, info)
                ):
                    self._stop_by_token(transaction, token)
                    self.station.token_reports.tell(
                        TokenStop(transaction.evse_id, token, transaction_id(transaction))
                    )
                    return
            why = "its group started no transaction here"
            if not info.is_valid_at(now):
                why = answered_refusal("Authorize", info, now)
            source = AuthorizationSource.CENTRAL_SYSTEM
            self.station.token_reports.tell(
                TokenDecision(grouped[0].evse_id, token, False, info.status, source, why)
            )

        request: v16.AuthorizeRequest = {"idTag": token.value}
        return self.station.call("Authorize", request, answered)

    def _stop_by_token(self, transaction: Transaction, token: IdToken) -> None:
        self.station.advance()
        self.station.end_transaction(
            self.station.model.evses[transaction.evse_id], "Local", id_tag=token.value
        )
        self.station.wake()


_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
