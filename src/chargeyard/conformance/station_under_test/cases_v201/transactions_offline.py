"""OCPP 2.0.1 charging-station cases of transaction messages on a bad day (block E): a token
refused offline (E05, E15), the messages kept offline (E04, E08, E11, E12) and sent again when
refused (E13), and GetTransactionStatus (E14). What they share is ``transactions.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.answers import (
    ANSWERS_201,
    NO_ANSWER,
    CallErrorAnswer,
    CentralBooks,
    Reply,
    TagEntry,
)
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case, table
from chargeyard.conformance.station_under_test.cases_v201.authorization import (
    LOCAL_AUTHORIZE_OFFLINE,
    OFFLINE_UNKNOWN,
    STOP_ON_INVALID,
    cached,
    quiet,
    with_cache,
)
from chargeyard.conformance.station_under_test.cases_v201.boot import short
from chargeyard.conformance.station_under_test.cases_v201.transactions import (
    ATTEMPT_INTERVAL,
    ATTEMPTS,
    UPDATED_INTERVAL,
    UPDATED_MEASURANDS,
    all_offline,
    stop_at,
)
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.inbox import Received
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call
from chargeyard.protocol.messages import v201

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
    all_offline(run, [started], "the Started of the offline period says offline true")
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
    all_offline(run, offline, "the events of the offline period say offline true")
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
    sent: list[ReceivedView[v201.TransactionEventRequest]] = []
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


# A CALLERROR in place of the answer: the station retries as for no answer (E13.FR.02).
_REFUSED = CallErrorAnswer("InternalError", "refused for the case")

table(_retried)(
    {
        "TC_E_41_CS": (NO_ANSWER, None),
        "TC_E_42_CS": (NO_ANSWER, 2),
        "TC_E_50_CS": (_REFUSED, None),
        "TC_E_51_CS": (_REFUSED, 2),
    },
)


# -- E14 GetTransactionStatus -------------------------------------------------------------------


async def _status(
    run: StationCaseV201, transaction_id: str | None, ongoing: bool | None, queued: bool
) -> None:
    payload: v201.GetTransactionStatusRequest = (
        {} if transaction_id is None else {"transactionId": transaction_id}
    )
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
    run: StationCaseV201, ask_about: str | None, ended: bool, ongoing: bool | None
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


table(_back_with_queue)(
    {
        "TC_E_29_CS": ("id", False, True),
        "TC_E_31_CS": ("id", True, False),
        "TC_E_33_CS": (None, False, None),
    },
)
