"""The OCPP 2.0.1 moves of a charging-station case around a transaction: the reusable states of
Part 6 (section 2.18: EVConnectedPreSession, Authorized, EnergyTransferStarted,
EnergyTransferSuspended, StopAuthorized, EVConnectedPostSession, EVDisconnected), each
waiting for what the station sends and checking it.

Theory of operation
-------------------
What a station sends at each state depends on where it starts and stops its transactions
(TxCtrlr.TxStartPoint and TxStopPoint, E01 and E06), which the moves read from it and follow
as Part 6's notes do: plugging in sends a TransactionEvent only when EVConnected starts the
transaction or it runs already; authorizing only when Authorized starts it, the cable closes
the power path, or it runs already; and so on. A :class:`Session` per EVSE remembers what
the case has done and seen (the transactionId the station gave, the cable, the
authorization, the energy).

:meth:`TransactionMovesV201.transaction_event` expects one TransactionEvent of a session,
recognised by what the step is about (its chargingState, else its triggerReason), and checks
it: eventType Started for a session that has none yet (with the EVSE and connector,
E01.FR.16), Updated or Ended after; the same transactionId; the triggerReason the spec gives
(E01.FR.15); the idToken in the first event after an authorization (E01.FR.10); the
remoteStartId after a remote start (F01.FR.25); the stoppedReason of an Ended. An event that
differs only in its triggerReason is taken with a failed check, so that the report says what
the station sent instead. At the end of a case every transaction's events are checked whole
(:meth:`check_transactions`): one Started, at most one Ended and last, seqNo counting up by one
without a gap or a repeat (E01.FR.07; a retry repeats its message whole, E12).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from chargeyard.conformance.endings import CaseEnded, NothingCame
from chargeyard.conformance.exchanges import ReceivedView, present
from chargeyard.conformance.station_under_test.case import StationCase, is_timestamp
from chargeyard.conformance.station_under_test.device_v201 import DeviceMovesV201, Var, id_token
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]

TX_START = Var("TxCtrlr", "TxStartPoint")
TX_STOP = Var("TxCtrlr", "TxStopPoint")
BACKGROUND = frozenset({"MeterValuePeriodic", "MeterValueClock", "Trigger"})
"""triggerReasons of events a running transaction sends on its own: never the one a step
waits for, unless it names them."""
POWER_POINTS = frozenset({"Authorized", "PowerPathClosed", "EnergyTransfer"})
"""Stop points an ended authorization reaches with the cable still in (E06)."""
ENERGY_STATES = ("Charging", "SuspendedEV", "SuspendedEVSE")


@dataclass(slots=True)
class Session:
    """What the case did and saw on one EVSE since its last session ended."""

    evse: int
    connector: int = 1
    transaction_id: str | None = None
    ended: bool = False
    ev_connected: bool = False
    authorized: bool = False
    charging: bool = False
    token: str | None = None
    token_reported: bool = False
    remote_start_id: int | None = None
    stop_reason: str | None = None  # the stoppedReason the driver's or CSMS's stop gives

    @property
    def started(self) -> bool:
        return self.transaction_id is not None and not self.ended

    @property
    def known_transaction(self) -> str:
        """The id of the transaction the station began (a case that names it to the station
        needs one: without it the case ends, rather than send a null transactionId)."""
        if self.transaction_id is None:
            raise CaseEnded(f"the station began no transaction on EVSE {self.evse}")
        return self.transaction_id


class TransactionMovesV201(DeviceMovesV201):
    """The transaction moves of a 2.0.1 case (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions: dict[int, Session] = {}
        self._points: dict[str, frozenset[str]] = {}
        self._remote_ids = itertools.count(1)

    def session(self, evse: int = 1) -> Session:
        """The EVSE's session (a new one when the last ended and its cable is out)."""
        current = self.sessions.get(evse)
        if current is None or (current.ended and not current.ev_connected):
            current = self.sessions[evse] = Session(evse)
        return current

    # -- TxStartPoint / TxStopPoint (E01, E06) ---------------------------------------------

    async def tx_points(self) -> tuple[frozenset[str], frozenset[str]]:
        """The station's TxStartPoint and TxStopPoint, read once a case (and followed when
        the case sets them)."""
        missing = [var for var in (TX_START, TX_STOP) if var.name not in self._points]
        if missing:
            results = await self.get_variables(*missing)
            for result in results:
                name = result.get("variable", {}).get("name")
                value = result.get("attributeValue") or ""
                self._points[str(name)] = frozenset(p.strip() for p in value.split(",") if p)
        return (
            self._points.get("TxStartPoint", frozenset()),
            self._points.get("TxStopPoint", frozenset()),
        )

    def on_restored(self, var: Var, value: str) -> None:
        if var in (TX_START, TX_STOP):
            self._points[var.name] = frozenset(p.strip() for p in value.split(",") if p)

    # -- one TransactionEvent ---------------------------------------------------------------

    def _of(
        self, session: Session, item: ReceivedView[v201.TransactionEventRequest] | Received
    ) -> bool:
        payload = item.payload
        info = present(payload.get("transactionInfo"))
        if session.transaction_id is not None:
            return bool(info.get("transactionId") == session.transaction_id)
        evse = present(payload.get("evse")).get("id")
        return payload.get("eventType") == "Started" and evse in (None, session.evse)

    async def transaction_event(
        self,
        session: Session,
        what: str,
        *,
        triggers: Collection[str],
        charging_state: Collection[str] | None = None,
        ended: bool | None = False,
        stopped_reason: Collection[str | None] | None = None,
        token: str | None = None,
        since: int | None = None,
        within: float | None = None,
        reconnects: bool = False,
    ) -> ReceivedView[v201.TransactionEventRequest]:
        """The next TransactionEvent of ``session`` that the step waits for, with its
        checks (module docstring). It is recognised by ``charging_state`` when given, else
        by ``triggers``; ``ended``: it must be Ended (True), must not be (False) or may be
        (None); ``stopped_reason``: the reasons an Ended may give (None among them: left
        out); ``token``: the idToken it must carry (None: the session's, if not yet
        reported)."""
        states = tuple(charging_state) if charging_state is not None else None

        def strict(item: ReceivedView[v201.TransactionEventRequest]) -> bool:
            if not self._of(session, item):
                return False
            trigger = item.payload.get("triggerReason")
            if states is not None:
                state = present(item.payload.get("transactionInfo")).get("chargingState")
                return state in states and (trigger not in BACKGROUND or trigger in triggers)
            return trigger in triggers

        def loose(item: Received) -> bool:
            return self._of(session, item) and (item.payload.get("triggerReason") not in BACKGROUND)

        words = f"TransactionEvent ({what}) of EVSE {session.evse}"
        try:
            item = await self.expect(
                "TransactionEvent",
                where=strict,
                what=words,
                since=since,
                within=within,
                reconnects=reconnects,
            )
        except NothingCame:
            others = self.peer.received("TransactionEvent", since=since, where=loose)
            others = [other for other in others if not other.expected]
            if not others:
                raise
            self.take(others[0])
            # A TransactionEvent, as asked of peer.received, its schema checked as it came.
            item = cast("ReceivedView[v201.TransactionEventRequest]", others[0])
        self._check_event(session, item, triggers, states, ended, stopped_reason, token)
        return item

    def _check_event(
        self,
        session: Session,
        item: ReceivedView[v201.TransactionEventRequest],
        triggers: Collection[str],
        states: tuple[str, ...] | None,
        ended: bool | None,
        stopped_reason: Collection[str | None] | None,
        token: str | None,
    ) -> None:
        payload = item.payload
        info = present(payload.get("transactionInfo"))
        event_type = payload.get("eventType")
        if session.transaction_id is None:
            wanted_types: tuple[str, ...] = ("Started",)
        elif ended is None:
            wanted_types = ("Updated", "Ended")
        else:
            wanted_types = ("Ended",) if ended else ("Updated",)
        self.log.check(
            f"the TransactionEvent is {' or '.join(wanted_types)}",
            event_type in wanted_types,
            expected=" or ".join(wanted_types),
            observed=event_type,
        )
        self.log.check(
            f"its triggerReason is {' or '.join(triggers)} (E01.FR.15)",
            payload.get("triggerReason") in triggers,
            weight=Weight.SPEC,
            expected=" or ".join(triggers),
            observed=payload.get("triggerReason"),
        )
        if states is not None:
            self.log.check(
                f"its chargingState is {' or '.join(states)}",
                info.get("chargingState") in states,
                weight=Weight.SPEC,
                expected=" or ".join(states),
                observed=info.get("chargingState"),
            )
        self.log.check(
            "its timestamp is a date-time with a zone",
            is_timestamp(payload.get("timestamp")),
            weight=Weight.SPEC,
            expected="RFC 3339 with a zone",
            observed=payload.get("timestamp"),
        )
        if session.transaction_id is None:
            evse = present(payload.get("evse"))
            self.log.check(
                f"the Started event names EVSE {session.evse} (E01.FR.16)",
                evse.get("id") == session.evse,
                expected=session.evse,
                observed=evse.get("id"),
            )
            session.transaction_id = str(info.get("transactionId"))
        wanted_token = token or (session.token if not session.token_reported else None)
        carried = present(payload.get("idToken")).get("idToken")
        if wanted_token is not None and (token is not None or session.authorized):
            self.log.check(
                f"it carries the idToken {wanted_token} (E01.FR.10)",
                carried == wanted_token,
                expected=wanted_token,
                observed=carried,
            )
            session.token_reported = session.token_reported or carried == wanted_token
        if session.remote_start_id is not None and payload.get("triggerReason") == "RemoteStart":
            self.log.check(
                f"it carries the remoteStartId {session.remote_start_id} (F01.FR.25)",
                info.get("remoteStartId") == session.remote_start_id,
                weight=Weight.SPEC,
                expected=session.remote_start_id,
                observed=info.get("remoteStartId"),
            )
        if event_type == "Ended":
            session.ended = True
            if stopped_reason is not None:
                reasons = [r for r in stopped_reason if r is not None]
                words = " or ".join(reasons) + (" or none" if None in stopped_reason else "")
                self.log.check(
                    f"its stoppedReason is {words}",
                    info.get("stoppedReason") in stopped_reason,
                    weight=Weight.SPEC,
                    expected=words,
                    observed=info.get("stoppedReason", "none"),
                )
        state = info.get("chargingState")
        if state is not None:
            session.charging = state == "Charging"

    def reported_state(self, session: Session) -> str | None:
        """The last chargingState the session's transaction reported so far."""
        state = None
        for item in self.peer.received("TransactionEvent", since=self._began):
            if session.transaction_id is not None and self._of(session, item):
                state = present(item.payload.get("transactionInfo")).get("chargingState", state)
        return state

    async def ended_event(
        self,
        session: Session,
        what: str,
        *,
        triggers: Collection[str],
        stopped_reason: Collection[str | None],
        charging_state: Collection[str] | None = None,
    ) -> ReceivedView[v201.TransactionEventRequest] | None:
        """The session's Ended event, unless an earlier one ended it."""
        if session.ended:
            return None
        return await self.transaction_event(
            session,
            what,
            triggers=triggers,
            charging_state=charging_state,
            ended=True,
            stopped_reason=stopped_reason,
        )

    # -- the reusable states (Part 6 section 2.18) ------------------------------------------

    async def ev_connected_pre_session(self, evse: int = 1, connector: int = 1) -> Session:
        """Reusable State EVConnectedPreSession: the EV plugged in, the connector Occupied,
        and a TransactionEvent (CablePluggedIn) when that starts the transaction or one
        runs."""
        session = self.session(evse)
        self.step(f"The EV is plugged into EVSE {evse} connector {connector}: Occupied")
        await self._plugged(session, connector)
        return session

    async def _plugged(self, session: Session, connector: int) -> None:
        session.connector = connector
        await self.connect_ev(session.evse, connector)
        await self.connector_status("Occupied", session.evse, connector)
        start, _ = await self.tx_points()
        starts = "EVConnected" in start or (session.authorized and "PowerPathClosed" in start)
        if session.started or starts:
            states = ("EVConnected", *ENERGY_STATES) if session.authorized else ("EVConnected",)
            triggers: tuple[str, ...] = ("CablePluggedIn", "ChargingStateChanged", "RemoteStart")
            if session.authorized and not session.started:
                # The answer to Authorize may reach the station after the cable does: the
                # authorization then starts the transaction.
                triggers = (*triggers, "Authorized")
            await self.transaction_event(
                session, "CablePluggedIn", triggers=triggers, charging_state=states
            )
        session.ev_connected = True

    async def authorized(
        self,
        evse: int = 1,
        tag: str | None = None,
        *,
        remote: bool = False,
        authorize: bool | None = None,
        charging_profile: Payload | None = None,
    ) -> Session:
        """Reusable State Authorized: ``tag`` presented at the reader (A) or sent in a
        RequestStartTransaction (B, ``remote``, with ``charging_profile`` if given); Authorize
        of it unless ``authorize`` is False (None: a local one asks it, a remote one when
        AuthCtrlr.AuthorizeRemoteStart is true); then a TransactionEvent with the idToken when
        that starts the transaction or one runs."""
        session = self.session(evse)
        tag = tag or self.tags.valid
        if remote:
            self.step(f"The central system starts a transaction of {tag} on EVSE {evse}")
            session.remote_start_id = next(self._remote_ids)
            request: v201.RequestStartTransactionRequest = {
                "idToken": id_token(tag),
                "evseId": evse,
                "remoteStartId": session.remote_start_id,
            }
            if charging_profile is not None:
                # The case's own profile (smart_charging.profile), passed on as it is.
                request["chargingProfile"] = cast("v201.ChargingProfileType", charging_profile)
            answer = await self.order("RequestStartTransaction", request, "Accepted")
            if session.started:
                self.log.check(
                    "RequestStartTransaction's answer names the transaction under way (F01.FR.13)",
                    answer.get("transactionId") == session.transaction_id,
                    weight=Weight.SPEC,
                    expected=session.transaction_id,
                    observed=answer.get("transactionId"),
                )
            if authorize is None:
                authorize = await self.variable(Var("AuthCtrlr", "AuthorizeRemoteStart")) == "true"
        else:
            self.step(f"The driver presents {tag} at EVSE {evse}")
            await self.present(tag, evse)
            authorize = True if authorize is None else authorize
        if authorize:
            await self.expect_authorize(tag)
        session.authorized, session.token, session.token_reported = True, tag, False
        start, _ = await self.tx_points()
        starts = "Authorized" in start or (session.ev_connected and "PowerPathClosed" in start)
        if session.started or starts:
            trigger = "RemoteStart" if remote else "Authorized"
            await self.transaction_event(session, trigger, triggers=(trigger,), token=tag)
        return session

    async def expect_authorize(
        self, tag: str, *, since: int | None = None
    ) -> ReceivedView[v201.AuthorizeRequest]:
        """AuthorizeRequest of ``tag`` (C01), its idToken of the cases' type."""
        item = await self.expect(
            "Authorize",
            where=lambda r: present(r.payload.get("idToken")).get("idToken") == tag,
            what=f"Authorize of {tag}",
            since=since,
        )
        self.log.check(
            f"Authorize names {tag} as an {item.payload['idToken'].get('type')} token",
            item.payload["idToken"].get("type") == id_token(tag)["type"],
            weight=Weight.SPEC,
            expected=id_token(tag)["type"],
            observed=item.payload["idToken"].get("type"),
        )
        return item

    async def energy_transfer_started(
        self, evse: int = 1, tag: str | None = None, connector: int = 1
    ) -> Session:
        """Reusable State EnergyTransferStarted: Authorized if not yet, the EV plugged in if
        not yet, then energy flows: a TransactionEvent with chargingState Charging
        (ChargingStateChanged), unless an earlier one said so."""
        session = self.session(evse)
        if not session.authorized:
            await self.authorized(evse, tag)
        if not session.ev_connected:
            self.step(f"The EV is plugged into EVSE {evse} connector {connector}")
            await self._plugged(session, connector)
        if self.reported_state(session) != "Charging":
            self.step("Energy flows: TransactionEvent (ChargingStateChanged, Charging)")
            await self.transaction_event(
                session,
                "Charging",
                triggers=("ChargingStateChanged",),
                charging_state=("Charging",),
            )
        session.charging = True
        return session

    async def energy_transfer_suspended(
        self, evse: int = 1
    ) -> ReceivedView[v201.TransactionEventRequest]:
        """Reusable State EnergyTransferSuspended: the EV stops drawing: SuspendedEV
        (ChargingStateChanged), or the transaction Ended (StoppedByEV) where EnergyTransfer
        stops it."""
        session = self.session(evse)
        self.step("The EV suspends charging: TransactionEvent (SuspendedEV)")
        await self.act(StationAct(Verb.EV_SUSPEND, evse))
        _, stop = await self.tx_points()
        ends = "EnergyTransfer" in stop
        return await self.transaction_event(
            session,
            "SuspendedEV",
            triggers=("ChargingStateChanged", "EnergyLimitReached"),
            charging_state=("SuspendedEV", "EVConnected") if not ends else None,
            ended=None,
            stopped_reason=("StoppedByEV",) if ends else None,
        )

    async def stop_authorized(
        self, evse: int = 1, tag: str | None = None, *, remote: bool = False
    ) -> ReceivedView[v201.TransactionEventRequest]:
        """Reusable State StopAuthorized: the driver presents ``tag`` (the one that
        started, by default) again (A), or the central system sends RequestStopTransaction
        (B, ``remote``): a TransactionEvent StopAuthorized (with the idToken, or none) or
        RemoteStop, which may end the transaction."""
        session = self.session(evse)
        tag = tag or session.token or self.tags.valid
        reason = "Remote" if remote else "Local"
        if remote:
            self.step(f"The central system stops transaction {session.transaction_id}")
            # StationCase's order, untyped: a session the station never gave an id sends
            # null, which the station refuses (its answer is the verdict).
            await StationCase.order(
                self,
                "RequestStopTransaction",
                {"transactionId": session.transaction_id},
                "Accepted",
            )
            trigger = "RemoteStop"
        else:
            self.step(f"The driver presents {tag} again: TransactionEvent (StopAuthorized)")
            await self.present(tag, evse)
            trigger = "StopAuthorized"
        item = await self.transaction_event(
            session,
            trigger,
            triggers=(trigger,),
            ended=None,
            stopped_reason=(reason, None) if reason == "Local" else (reason,),
            token=None,
        )
        carried = present(item.payload.get("idToken")).get("idToken")
        if not remote:
            self.log.check(
                f"the StopAuthorized event carries {tag} or no idToken",
                carried in (None, tag),
                weight=Weight.SPEC,
                expected=f"{tag} or none",
                observed=carried,
            )
        session.authorized = False
        session.stop_reason = reason
        return item

    async def ev_connected_post_session(self, evse: int = 1) -> None:
        """Reusable State EVConnectedPostSession: energy stopped with the cable still in:
        chargingState EVConnected, and the transaction Ended where TxStopPoint has
        Authorized, PowerPathClosed or EnergyTransfer (E06), unless it ended already."""
        session = self.session(evse)
        if session.ended:
            return
        _, stop = await self.tx_points()
        ends = bool(stop & POWER_POINTS)
        reason = session.stop_reason or "Local"
        if self.reported_state(session) != "EVConnected":
            self.step("Energy stops, the cable stays: TransactionEvent (EVConnected)")
            await self.transaction_event(
                session,
                "EVConnected",
                triggers=("ChargingStateChanged", "StopAuthorized", "RemoteStop"),
                charging_state=("EVConnected",),
                ended=None,
                stopped_reason=(reason, None) if reason == "Local" else (reason,),
            )
        if ends and not session.ended:
            await self.ended_event(
                session,
                "Ended",
                triggers=("ChargingStateChanged", "StopAuthorized", "RemoteStop"),
                stopped_reason=(reason, None) if reason == "Local" else (reason,),
            )

    async def ev_disconnected(self, evse: int = 1, *, status: str | None = "Available") -> None:
        """Reusable State EVDisconnected: the cable out, the connector ``status`` (None: it
        stays as it was, Unavailable say), and the transaction Ended (EVCommunicationLost,
        Idle) unless it ended already."""
        session = self.session(evse)
        self.step(f"The cable is unplugged from EVSE {evse}")
        await self.disconnect_ev(evse, session.connector)
        if status is not None:
            await self.connector_status(status, evse, session.connector)
        if session.started:
            reason = session.stop_reason
            await self.ended_event(
                session,
                "EVCommunicationLost",
                triggers=("EVCommunicationLost",),
                charging_state=("Idle",),
                stopped_reason=(reason, None)
                if reason == "Local"
                else (reason or "EVDisconnected",),
            )
        session.ev_connected = False

    async def session_ends(self, evse: int = 1, *, remote: bool = False) -> None:
        """From EnergyTransferStarted to its end: StopAuthorized, EVConnectedPostSession,
        EVDisconnected (ParkingBayUnoccupied is nothing without a bay sensor)."""
        await self.stop_authorized(evse, remote=remote)
        await self.ev_connected_post_session(evse)
        await self.ev_disconnected(evse)

    # -- every transaction's events, whole ---------------------------------------------------

    def check_transactions(self) -> None:
        """Each transaction whose Started the case saw: one Started, at most one Ended and
        that last, seqNo counting up by one without gap or repeat (E01.FR.07; a retry repeats
        its message whole, E12)."""
        events: dict[str, list[Payload]] = {}
        for item in self.peer.received("TransactionEvent", since=self._began):
            info = present(item.payload.get("transactionInfo"))
            events.setdefault(str(info.get("transactionId")), []).append(item.payload)
        for transaction_id, payloads in events.items():
            unique: list[Payload] = []
            for payload in payloads:
                if payload not in unique:
                    unique.append(payload)
            kinds = [payload.get("eventType") for payload in unique]
            if "Started" not in kinds:
                continue
            numbers = [payload.get("seqNo") for payload in unique]
            first = min(n for n in numbers if isinstance(n, int)) if numbers else 0
            ordered = sorted(n for n in numbers if isinstance(n, int))
            self.log.check(
                f"transaction {transaction_id}'s seqNo count up by one, without a gap or a"
                " repeat (E01.FR.07)",
                ordered == list(range(first, first + len(numbers))),
                weight=Weight.SPEC,
                expected="consecutive",
                observed=numbers,
            )
            self.log.check(
                f"transaction {transaction_id} has one Started, its first event",
                kinds.count("Started") == 1
                and unique[kinds.index("Started")].get("seqNo") == first,
                weight=Weight.SPEC,
                expected="one Started, lowest seqNo",
                observed=list(zip(kinds, numbers, strict=True)),
            )
            if "Ended" in kinds:
                self.log.check(
                    f"transaction {transaction_id} has one Ended, its last event",
                    kinds.count("Ended") == 1
                    and unique[kinds.index("Ended")].get("seqNo") == ordered[-1],
                    weight=Weight.SPEC,
                    expected="one Ended, highest seqNo",
                    observed=list(zip(kinds, numbers, strict=True)),
                )
