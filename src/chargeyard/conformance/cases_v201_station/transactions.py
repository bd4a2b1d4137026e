"""OCPP 2.0.1 charging-station cases of transactions (block E): where a transaction starts and
stops (E01, E06: each TxStartPoint and TxStopPoint the station has), local starts cable first
and token first and their time-outs (E02, E03), stops by the driver, the CSMS, the EV or the
cable (E06-E10), the station's transaction messages kept offline (E04, E08, E11, E12) and sent
again when refused (E13), and GetTransactionStatus (E14)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from chargeyard.conformance.cases_v201_station._registry import case
from chargeyard.conformance.cases_v201_station.authorization import (
    LOCAL_AUTHORIZE_OFFLINE,
    OFFLINE_UNKNOWN,
    STOP_ON_INVALID,
    cached,
    quiet,
    with_cache,
)
from chargeyard.conformance.cases_v201_station.boot import short
from chargeyard.conformance.csms_answers import (
    ANSWERS_201,
    NO_ANSWER,
    CallErrorAnswer,
    CentralBooks,
    Reply,
    TagEntry,
)
from chargeyard.conformance.csms_inbox import Received
from chargeyard.conformance.station_case_v201 import StationCaseV201
from chargeyard.conformance.station_device_v201 import Var
from chargeyard.conformance.station_transactions_v201 import TX_START, TX_STOP, Session
from chargeyard.conformance.station_triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call

EV_CONNECTION_TIMEOUT = Var("TxCtrlr", "EVConnectionTimeOut")
STOP_ON_EV_SIDE = Var("TxCtrlr", "StopTxOnEVSideDisconnect")
UPDATED_INTERVAL = Var("SampledDataCtrlr", "TxUpdatedInterval")
UPDATED_MEASURANDS = Var("SampledDataCtrlr", "TxUpdatedMeasurands")
ATTEMPTS = Var("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent")
ATTEMPT_INTERVAL = Var("OCPPCommCtrlr", "MessageAttemptInterval", "TransactionEvent")


async def start_at(run: StationCaseV201, point: str) -> None:
    """TxStartPoint is ``point`` for the case (a station that cannot is not one the case
    applies to)."""
    run.step(f"TxStartPoint is {point}")
    await run.set_variable(TX_START, point)


async def stop_at(run: StationCaseV201, point: str) -> None:
    run.step(f"TxStopPoint is {point}")
    await run.set_variable(TX_STOP, point)


def _offline_events(run: StationCaseV201, since: int) -> list[Received]:
    return run.peer.received(
        "TransactionEvent", since=since, where=lambda r: r.payload.get("offline") is True
    )


def _all_offline(run: StationCaseV201, events: list[Received], rule: str) -> None:
    run.log.check(
        rule,
        bool(events) and all(e.payload.get("offline") is True for e in events),
        weight=Weight.SPEC,
        expected="offline true",
        observed=[(e.payload.get("eventType"), e.payload.get("offline")) for e in events],
    )


# -- E01 where a transaction starts -----------------------------------------------------------


@case("TC_E_01_CS")
async def start_at_power_path_closed(run: StationCaseV201) -> None:
    """TxStartPoint PowerPathClosed: authorized, then the cable: the transaction starts with
    the EVSE and connector (E01.FR.05, E01.FR.16) and the idToken (E01.FR.10)."""
    await run.ready()
    await start_at(run, "PowerPathClosed")
    await run.authorized()
    await run.ev_connected_pre_session()


@case("TC_E_02_CS")
async def start_at_energy_transfer(run: StationCaseV201) -> None:
    """TxStartPoint EnergyTransfer: the transaction starts once energy flows, Charging
    (E01.FR.06)."""
    await run.ready()
    await start_at(run, "EnergyTransfer")
    await run.authorized()
    await run.energy_transfer_started()


@case("TC_E_09_CS")
async def start_at_ev_connected(run: StationCaseV201) -> None:
    """TxStartPoint EVConnected: the cable starts the transaction, EVConnected (E01.FR.02)."""
    await run.ready()
    await start_at(run, "EVConnected")
    await run.ev_connected_pre_session()


@case("TC_E_10_CS")
async def start_at_authorized_local(run: StationCaseV201) -> None:
    """TxStartPoint Authorized: the driver's token starts the transaction (E01.FR.03)."""
    await run.ready()
    await start_at(run, "Authorized")
    await run.authorized()


@case("TC_E_13_CS")
async def start_at_authorized_remote(run: StationCaseV201) -> None:
    """TxStartPoint Authorized: a remote start starts the transaction, RemoteStart with the
    remoteStartId (E01.FR.03, F01.FR.19, F01.FR.25)."""
    await run.ready()
    await start_at(run, "Authorized")
    await run.authorized(remote=True)


# -- E02 / E03 local starts -------------------------------------------------------------------


@case("TC_E_03_CS")
async def cable_first(run: StationCaseV201) -> None:
    await run.ready()
    await run.ev_connected_pre_session()
    await run.authorized()
    await run.energy_transfer_started()


@case("TC_E_04_CS")
async def token_first(run: StationCaseV201) -> None:
    await run.ready()
    await run.authorized()
    await run.energy_transfer_started()


async def _ev_connection_timed_out(run: StationCaseV201, session: Session, seconds: int) -> None:
    """No cable within EVConnectionTimeOut: a transaction the authorization started ends
    (EVConnectTimeout, Timeout: E03.FR.05), else the authorization lapses unseen."""
    run.step(f"No cable within EVConnectionTimeOut ({seconds} s)")
    if session.started:
        _, stop = await run.tx_points()
        ends = "Authorized" in stop
        await run.transaction_event(
            session,
            "EVConnectTimeout",
            triggers=("EVConnectTimeout",),
            ended=ends,
            stopped_reason=("Timeout",) if ends else None,
            within=seconds + run.step_s,
        )
        if not ends:
            return  # the transaction outlives its authorization here
    else:
        await asyncio.sleep(seconds + quiet(run))
    run.sessions.pop(session.evse, None)


@case("TC_E_05_CS")
async def token_first_cable_times_out(run: StationCaseV201) -> None:
    """Authorized, no cable within EVConnectionTimeOut: the authorization ends (E03.FR.05);
    the EVSE takes the next driver."""
    await run.ready()
    timeout = short(run)
    await run.set_variable(EV_CONNECTION_TIMEOUT, str(timeout))
    await run.set_variable(Var("AuthCacheCtrlr", "Enabled"), "false")
    await run.set_variable(Var("AuthCtrlr", "LocalPreAuthorize"), "false")
    session = await run.authorized()
    await _ev_connection_timed_out(run, session, timeout)
    await run.authorized()
    await run.energy_transfer_started()


@case("TC_E_39_CS")
async def deauthorized_by_timeout(run: StationCaseV201) -> None:
    """Authorized, no cable within EVConnectionTimeOut: the authorization ends; a cable after
    that charges nothing."""
    await run.ready()
    timeout = short(run)
    await run.set_variable(EV_CONNECTION_TIMEOUT, str(timeout))
    session = await run.authorized()
    await _ev_connection_timed_out(run, session, timeout)
    run.step("The cable comes now: no energy flows")
    await run.connect_ev()
    await run.connector_status("Occupied")
    await run.absent(
        "TransactionEvent",
        quiet(run),
        "no energy flows once the authorization lapsed",
        where=lambda r: (r.payload.get("transactionInfo") or {}).get("chargingState") == "Charging",
        since=run.step_began,
    )


@case("TC_E_38_CS")
async def ev_not_ready(run: StationCaseV201) -> None:
    """Authorized, then an EV that takes no energy: SuspendedEV (ChargingStateChanged,
    E01.FR.19)."""
    await run.ready()
    session = await run.authorized()
    run.step("An EV that takes no energy is plugged in: Occupied, then SuspendedEV")
    await run.connect_ev()
    await run.act(StationAct(Verb.EV_SUSPEND))
    await run.connector_status("Occupied")
    start, _ = await run.tx_points()
    if not session.started and start & {"EVConnected", "PowerPathClosed", "Authorized"}:
        await run.transaction_event(
            session,
            "Started",
            triggers=("CablePluggedIn", "Authorized", "ChargingStateChanged"),
        )
    session.ev_connected = True
    await run.transaction_event(
        session,
        "SuspendedEV",
        triggers=("ChargingStateChanged",),
        charging_state=("SuspendedEV",),
        ended=None,
    )


# -- E06-E10 where a transaction stops ----------------------------------------------------


@case("TC_E_06_CS")
async def local_stop(run: StationCaseV201) -> None:
    """The driver's token stops the session (E07.FR.04)."""
    await run.ready()
    await run.energy_transfer_started()
    await run.session_ends()


@case("TC_E_07_CS")
async def stop_at_power_path_closed_local(run: StationCaseV201) -> None:
    """TxStopPoint PowerPathClosed: the driver's stop opens the power path and ends the
    transaction (E06.FR.06)."""
    await run.ready()
    await stop_at(run, "PowerPathClosed")
    await run.energy_transfer_started()
    item = await run.stop_authorized()
    _ended(run, item)


@case("TC_E_35_CS")
async def stop_at_power_path_closed_remote(run: StationCaseV201) -> None:
    """TxStopPoint PowerPathClosed: RequestStopTransaction ends it (RemoteStop, Remote)."""
    await run.ready()
    await stop_at(run, "PowerPathClosed")
    await run.energy_transfer_started()
    item = await run.stop_authorized(remote=True)
    _ended(run, item)


@case("TC_E_15_CS")
async def stop_at_authorized_local(run: StationCaseV201) -> None:
    """TxStopPoint Authorized: the driver's stop ends it (StopAuthorized, Local: E06.FR.03)."""
    await run.ready()
    await stop_at(run, "Authorized")
    await run.energy_transfer_started()
    item = await run.stop_authorized()
    _ended(run, item)


@case("TC_E_21_CS")
async def stop_at_authorized_remote(run: StationCaseV201) -> None:
    """TxStopPoint Authorized: RequestStopTransaction ends it (RemoteStop, Remote: F03.FR.09)."""
    await run.ready()
    await stop_at(run, "Authorized")
    await run.energy_transfer_started()
    item = await run.stop_authorized(remote=True)
    _ended(run, item)


def _ended(run: StationCaseV201, item: Received) -> None:
    run.log.check(
        "the stop ends the transaction (eventType Ended)",
        item.payload.get("eventType") == "Ended",
        expected="Ended",
        observed=item.payload.get("eventType"),
    )


@case("TC_E_08_CS")
async def stop_at_energy_transfer_authorized(run: StationCaseV201) -> None:
    """TxStopPoint EnergyTransfer: the driver's stop stops the energy and the transaction
    (E06.FR.07)."""
    await run.ready()
    await stop_at(run, "EnergyTransfer")
    await run.energy_transfer_started()
    await run.stop_authorized()
    await run.ev_connected_post_session()


@case("TC_E_22_CS")
async def stop_at_energy_transfer_suspended(run: StationCaseV201) -> None:
    """TxStopPoint EnergyTransfer: the EV stops drawing: the transaction ends, StoppedByEV
    (E06.FR.07)."""
    await run.ready()
    await stop_at(run, "EnergyTransfer")
    await run.energy_transfer_started()
    await run.energy_transfer_suspended()


@case("TC_E_14_CS")
async def stop_at_ev_connected(run: StationCaseV201) -> None:
    """TxStopPoint EVConnected: after the driver's stop the transaction lasts until the cable
    is out (E06.FR.02)."""
    await run.ready()
    await stop_at(run, "EVConnected")
    await run.energy_transfer_started()
    await run.stop_authorized()
    await run.ev_connected_post_session()
    await run.ev_disconnected()


async def _ev_side_disconnect(run: StationCaseV201, stop_point: str | None) -> None:
    """EnergyTransferSuspended, then the EV unplugged: the transaction ends, EVCommunicationLost,
    Idle, EVDisconnected (E10, E06)."""
    await run.ready()
    if stop_point is not None:
        await stop_at(run, stop_point)
        await run.set_variable(STOP_ON_EV_SIDE, "false")
    else:
        await run.set_variable(STOP_ON_EV_SIDE, "true")
    await run.energy_transfer_started()
    if stop_point is not None:
        await run.energy_transfer_suspended()
    await run.ev_disconnected()


@case("TC_E_17_CS")
async def deauthorized_by_ev_side_disconnect(run: StationCaseV201) -> None:
    """StopTxOnEVSideDisconnect true: the EV unplugged ends the transaction (E09)."""
    await _ev_side_disconnect(run, None)


@case("TC_E_20_CS")
async def stop_at_ev_connected_ev_side(run: StationCaseV201) -> None:
    """TxStopPoint EVConnected, StopTxOnEVSideDisconnect false: the EV unplugged ends it."""
    await _ev_side_disconnect(run, "EVConnected")


@case("TC_E_37_CS")
async def stop_at_power_path_closed_ev_side(run: StationCaseV201) -> None:
    """TxStopPoint PowerPathClosed, StopTxOnEVSideDisconnect false: the EV unplugged opens the
    power path and ends it."""
    await _ev_side_disconnect(run, "PowerPathClosed")


# -- E05 / E15 a token refused offline --------------------------------------------------------


@case("TC_E_16_CS")
async def deauthorized_offline_invalid(run: StationCaseV201) -> None:
    """Offline, an unknown token starts a transaction (OfflineTxForUnknownIdEnabled); back
    online, the CSMS refuses it and StopTxOnInvalidId ends it (Deauthorized, DeAuthorized:
    E05.FR.10)."""
    await run.ready()
    await stop_at(run, "Authorized,EVConnected")
    await run.ask("ClearCache", {})
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await run.set_variable(OFFLINE_UNKNOWN, "true")
    await run.set_variable(STOP_ON_INVALID, "true")
    tag = run.tags.invalid
    run.books.id_tags[tag] = TagEntry("Invalid")
    session = run.session()
    run.step(f"Offline, {tag} is presented and the EV plugged in; back online")
    since = run.mark()
    async with run.offline():
        await run.present(tag)
        await run.connect_ev()
        await asyncio.sleep(quiet(run))
    session.ev_connected = session.authorized = True
    session.token, session.token_reported = tag, True
    started = await run.transaction_event(
        session, "Started", triggers=("Authorized", "CablePluggedIn"), since=since
    )
    _all_offline(run, [started], "the Started of the offline period says offline true")
    run.step("Its token refused: TransactionEvent Ended (Deauthorized)")
    await run.transaction_event(
        session,
        "Deauthorized",
        triggers=("Deauthorized",),
        ended=True,
        stopped_reason=("DeAuthorized",),
    )


# -- E04 / E08 / E11 / E12 offline ------------------------------------------------------------


async def _back_with(run: StationCaseV201, since: int, what: str) -> list[Received]:
    """The transaction events delivered once back online: each offline true (E04.FR.03,
    E08, E11.FR.06); returns them once the last arrived."""
    ended = await run.expect(
        "TransactionEvent",
        where=lambda r: (
            r.payload.get("offline") is True
            and (what != "Ended" or r.payload.get("eventType") == "Ended")
        ),
        what=f"TransactionEvent ({what}) kept while offline",
        since=since,
    )
    await run.settle(quiet(run) / 2)
    events = [e for e in run.peer.received("TransactionEvent", since=since) if e.at <= ended.at]
    offline = [e for e in events if e.payload.get("offline") is True]
    _all_offline(run, offline, "the events of the offline period say offline true")
    return events


@case("TC_E_40_CS")
async def connection_loss_during_transaction(run: StationCaseV201) -> None:
    """The connection is lost during a transaction: its periodic meter values are kept and
    delivered once back, offline true (E11.FR.01, E11.FR.02, E11.FR.06)."""
    await run.ready()
    interval = short(run)
    await run.set_variable(UPDATED_MEASURANDS, "Energy.Active.Import.Register")
    await run.set_variable(UPDATED_INTERVAL, str(interval))
    await run.energy_transfer_started()
    run.step(f"The connection is lost for more than TxUpdatedInterval ({interval} s)")
    since = run.mark()
    async with run.offline():
        await asyncio.sleep(interval * 1.5)
    events = await _back_with(run, since, "MeterValuePeriodic")
    kept = [e for e in events if e.payload.get("offline") is True]
    run.log.check(
        "what was kept is Updated events with meter values",
        all(e.payload.get("eventType") == "Updated" and e.payload.get("meterValue") for e in kept),
        weight=Weight.SPEC,
        expected="Updated with meterValue",
        observed=[(e.payload.get("eventType"), bool(e.payload.get("meterValue"))) for e in kept],
    )


@case("TC_E_43_CS")
async def transaction_while_offline(run: StationCaseV201) -> None:
    """A whole transaction while offline (a cached token, LocalAuthorizeOffline): back online
    its events are delivered, Started to Ended, offline true (E12.FR.01, E12.FR.02)."""
    await run.ready()
    await with_cache(run)
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    tag = run.tags.valid
    await cached(run, tag)
    run.step(f"Offline: the EV plugged in, {tag} presented twice, the EV unplugged")
    since = run.mark()
    async with run.offline():
        await run.connect_ev()
        await run.present(tag)
        await asyncio.sleep(quiet(run) / 2)
        await run.present(tag)
        await run.disconnect_ev()
        await asyncio.sleep(quiet(run) / 2)
    events = await _back_with(run, since, "Ended")
    kinds = [e.payload.get("eventType") for e in events]
    run.log.check(
        "the transaction's Started and Ended are delivered",
        "Started" in kinds and "Ended" in kinds,
        expected="Started ... Ended",
        observed=kinds,
    )


async def _stopped_offline(run: StationCaseV201, stopper: str) -> None:
    run.step(f"Offline: {stopper} is presented and the EV unplugged")
    since = run.mark()
    async with run.offline():
        await run.present(stopper)
        await asyncio.sleep(quiet(run) / 2)
        await run.disconnect_ev()
        await asyncio.sleep(quiet(run) / 2)
    run.session().ev_connected = False
    await _back_with(run, since, "Ended")


@case("TC_E_44_CS")
async def stop_while_offline(run: StationCaseV201) -> None:
    """A transaction stopped while offline by its token: its events are delivered once back,
    the Ended among them (E08)."""
    await run.ready()
    await run.energy_transfer_started()
    await _stopped_offline(run, run.tags.valid)


@case("TC_E_45_CS")
async def stop_while_offline_by_group(run: StationCaseV201) -> None:
    """The same by another token of the starter's group, which the cache knows (E08.FR.02)."""
    await run.ready()
    await with_cache(run)
    await run.set_variable(LOCAL_AUTHORIZE_OFFLINE, "true")
    await cached(run, run.tags.second)
    await run.energy_transfer_started()
    await _stopped_offline(run, run.tags.second)


# -- E13 transaction messages sent again --------------------------------------------------


def _refuse(times: int, how: Reply) -> Callable[[Call, CentralBooks], Reply]:
    """Answer the first ``times`` TransactionEvents carrying an idToken with ``how`` (no
    answer, a CALLERROR), then as a CSMS does."""
    refused: list[Call] = []

    def answer(call: Call, books: CentralBooks) -> Reply:
        if "idToken" in call.payload and len(refused) < times:
            refused.append(call)
            return how
        return ANSWERS_201["TransactionEvent"](call, books)

    return answer


async def _retried(run: StationCaseV201, how: Reply, answered_at: int | None) -> None:
    """MessageAttempts 2 (3 when one is answered), MessageAttemptInterval 1 s; the
    transaction's first event carrying the token is refused (``how``) until attempt
    ``answered_at`` (None: never): the station sends it again after the interval times the
    attempts so far (E13.FR.02, E13.FR.03), no more than MessageAttempts times
    (E13.FR.04)."""
    await run.ready()
    attempts = 2 if answered_at is None else 3
    await run.set_variable(ATTEMPTS, str(attempts))
    await run.set_variable(ATTEMPT_INTERVAL, "1")
    timeout = await run.learnt(Var("OCPPCommCtrlr", "MessageTimeout", "Default"))
    wait = float(timeout) if timeout and timeout.isdigit() and how is NO_ANSWER else 0.0
    refusals = attempts if answered_at is None else answered_at - 1
    run.answer_with("TransactionEvent", _refuse(refusals, how))
    session = await run.ev_connected_pre_session()
    tag = run.tags.valid
    run.step(f"{tag} is presented; its TransactionEvent refused: sent again")
    await run.present(tag)
    await run.expect_authorize(tag)
    session.authorized, session.token = True, tag
    sends = answered_at or attempts
    sent: list[Received] = []
    for number in range(sends):
        item = await run.expect(
            "TransactionEvent",
            where=lambda r: "idToken" in r.payload and r not in sent,
            what=f"TransactionEvent with the token, attempt {number + 1}",
            within=run.step_s + wait + number,
        )
        if sent:
            gap = item.at - sent[-1].at
            least = wait + 1.0 * len(sent)
            run.log.check(
                f"attempt {number + 1} waits MessageAttemptInterval times the attempts so far"
                f" ({least:g} s, E13.FR.02)",
                gap >= least * 0.9,
                weight=Weight.SPEC,
                expected=f">= {least:g} s",
                observed=f"{gap:.2f} s",
            )
            run.log.check(
                "it is the same message (E13.FR.03)",
                item.payload == sent[0].payload,
                weight=Weight.SPEC,
                expected=sent[0].payload,
                observed=item.payload,
            )
        sent.append(item)
    info = sent[0].payload.get("transactionInfo") or {}
    session.transaction_id = str(info.get("transactionId"))
    if answered_at is None:
        run.step(f"After {attempts} attempts it is not sent again (E13.FR.04)")
        await run.absent(
            "TransactionEvent",
            wait + attempts + quiet(run),
            f"the message is sent no more than MessageAttempts ({attempts}) times",
            where=lambda r: r.payload == sent[0].payload,
        )
    run.answer_with("TransactionEvent", None)
    await run.stop_authorized()
    await run.ev_connected_post_session()


@case("TC_E_41_CS")
async def retried_unanswered(run: StationCaseV201) -> None:
    await _retried(run, NO_ANSWER, None)


@case("TC_E_42_CS")
async def retried_unanswered_then_answered(run: StationCaseV201) -> None:
    await _retried(run, NO_ANSWER, 2)


@case("TC_E_50_CS")
async def retried_call_error(run: StationCaseV201) -> None:
    await _retried(run, CallErrorAnswer("InternalError", "refused for the case"), None)


@case("TC_E_51_CS")
async def retried_call_error_then_answered(run: StationCaseV201) -> None:
    await _retried(run, CallErrorAnswer("InternalError", "refused for the case"), 2)


# -- E14 GetTransactionStatus -------------------------------------------------------------------


async def _status(
    run: StationCaseV201, transaction_id: str | None, ongoing: bool | None, queued: bool
) -> None:
    payload = {} if transaction_id is None else {"transactionId": transaction_id}
    run.step(f"GetTransactionStatus {transaction_id or '(no transactionId)'}")
    answer = await run.call("GetTransactionStatus", payload)
    run.log.check(
        f"ongoingIndicator is {'absent' if ongoing is None else ongoing}",
        answer.get("ongoingIndicator") == ongoing,
        expected="absent" if ongoing is None else ongoing,
        observed=answer.get("ongoingIndicator", "absent"),
    )
    run.log.check(
        f"messagesInQueue is {queued}",
        answer.get("messagesInQueue") == queued,
        expected=queued,
        observed=answer.get("messagesInQueue"),
    )


@case("TC_E_28_CS")
async def status_unknown_transaction(run: StationCaseV201) -> None:
    """A transactionId the station never had: not ongoing, nothing queued (E14.FR.01)."""
    await run.ready()
    await _status(run, "CY-NO-SUCH-TRANSACTION", False, False)


@case("TC_E_30_CS")
async def status_ongoing(run: StationCaseV201) -> None:
    """A running transaction whose messages were delivered: ongoing, nothing queued."""
    await run.ready()
    session = await run.energy_transfer_started()
    await _status(run, session.transaction_id, True, False)


@case("TC_E_32_CS")
async def status_ended(run: StationCaseV201) -> None:
    """An ended transaction whose messages were delivered: not ongoing, nothing queued."""
    await run.ready()
    session = await run.energy_transfer_started()
    await run.session_ends()
    await _status(run, session.transaction_id, False, False)


@case("TC_E_34_CS")
async def status_nothing_queued(run: StationCaseV201) -> None:
    """No transactionId, nothing queued: no ongoingIndicator (E14.FR.06), false."""
    await run.ready()
    await _status(run, None, None, False)


async def _back_with_queue(
    run: StationCaseV201, *, ask_about: str | None, ended: bool, ongoing: bool | None
) -> None:
    """Offline during a transaction (ended meanwhile when ``ended``); back online, the first
    event it delivers is refused once (so that the queue still holds it) and meanwhile
    GetTransactionStatus says messagesInQueue true (E14.FR.04, E14.FR.07)."""
    await run.ready()
    interval = short(run)
    await run.set_variable(UPDATED_MEASURANDS, "Energy.Active.Import.Register")
    await run.set_variable(UPDATED_INTERVAL, str(interval))
    await run.set_variable(ATTEMPTS, "3")
    await run.set_variable(ATTEMPT_INTERVAL, "1")
    session = await run.energy_transfer_started()
    refused: list[Call] = []

    def once(call: Call, books: CentralBooks) -> Reply:
        if call.payload.get("offline") is True and not refused:
            refused.append(call)
            return CallErrorAnswer("InternalError", "held for the case")
        return ANSWERS_201["TransactionEvent"](call, books)

    run.answer_with("TransactionEvent", once)
    run.step("The connection is lost" + (" while the transaction ends" if ended else ""))
    since = run.mark()
    async with run.offline():
        if ended:
            await run.present(session.token or run.tags.valid)
            await asyncio.sleep(quiet(run) / 2)
            await run.disconnect_ev()
            session.ev_connected = False
        await asyncio.sleep(interval * 1.5)
    await run.peer.until(lambda: bool(refused), run.step_s)
    await _status(run, session.transaction_id if ask_about == "id" else None, ongoing, True)
    await _back_with(run, since, "Ended" if ended else "MeterValuePeriodic")


@case("TC_E_29_CS")
async def status_ongoing_queued(run: StationCaseV201) -> None:
    await _back_with_queue(run, ask_about="id", ended=False, ongoing=True)


@case("TC_E_31_CS")
async def status_ended_queued(run: StationCaseV201) -> None:
    await _back_with_queue(run, ask_about="id", ended=True, ongoing=False)


@case("TC_E_33_CS")
async def status_queued_without_id(run: StationCaseV201) -> None:
    await _back_with_queue(run, ask_about=None, ended=False, ongoing=None)
