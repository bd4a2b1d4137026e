"""The gateway's commands that present a token and wait for the answer: start-session,
authorize and start-transaction (their checks are the executor's).

Each acts through the station's own verbs inside a :class:`~chargeyard.gateway.attempts.
TokenAttempt` and reports what the station was answered, in OCPP terms: the authorization
(status and where it came from), the transaction id, or why no transaction started.

* **start-session** succeeds only when its transaction started with the tag accepted (1.6:
  StartTransaction.conf idTagInfo Accepted; 2.0.1: the TransactionEventResponse to the event
  that carried the idToken did not refuse it), or started offline under the station's offline
  rules. Otherwise it fails with the reason and leaves the station as it found it: a
  transaction it caused is stopped (reason DeAuthorized, 1.6 section 7.39 / 2.0.1
  ReasonEnumType), a cable it plugged is unplugged. Its check made sure that no transaction
  ran and nobody else's start was pending on the EVSE, so whatever runs there is its own.
* **authorize** reports the decision as it is: a refusal fails; an accepted tag succeeds with
  its transaction once the central system accepted it, or with none while the station waits
  for a cable; a tag that ended a running transaction succeeds with that transaction's id.
  Nothing is undone: what the station does about a refusal (StopTransactionOnInvalidId) is the
  behaviour under test.
* **start-transaction** (the station's own authority, a cable in) succeeds once the central
  system accepted the transaction, like authorize.
"""

from __future__ import annotations

from dataclasses import dataclass

from chargeyard.gateway.attempts import AttemptResult, TokenAttempt
from chargeyard.gateway.commands import (
    AuthorizePayload,
    StartSessionPayload,
    StartTransactionPayload,
)
from chargeyard.gateway.sessions import SessionEnded, SessionWatch
from chargeyard.protocol import OcppError
from chargeyard.station.model.states import IllegalTransition, TransactionPhase
from chargeyard.station.model.token_reports import TokenDecision
from chargeyard.station.verbs import StationVerbs

# Why the gateway ends a transaction it started for a tag that was then refused.
_UNDO_REASON = "DeAuthorized"
_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})


@dataclass(frozen=True, slots=True)
class StartSettings:
    """How long the answers may take (station clock) and how often a session is looked at."""

    grace_s: float
    check_s: float


@dataclass(frozen=True, slots=True)
class Reported:
    """A command's outcome: ok with ``result``, or not with ``error`` (and what is known)."""

    ok: bool
    result: dict[str, object]
    error: str | None = None
    refused: bool = False


def own_authorization(station: StationVerbs, evse_id: int, id_tag: str) -> TokenDecision | None:
    """The authorization ``id_tag`` already holds on the EVSE, waiting for its cable (an
    authorize before: 1.6 section 5.11, 2.0.1 E03), or None."""
    held = station.waiting_authorization(evse_id)
    if held is None or held.token.value.casefold() != id_tag.casefold():
        return None
    return held


async def start_session(
    station: StationVerbs,
    p: StartSessionPayload,
    settings: StartSettings,
    on_session_end: SessionEnded | None,
) -> Reported:
    connector = station.model.evses[p.evse_id].connectors[p.connector_id]
    plugged = not connector.cable_plugged
    # A tag the driver already authorized there needs only the cable: presenting it again
    # would end the transaction the cable starts (1.6 section 5.11; 2.0.1 E03, E07).
    held = own_authorization(station, p.evse_id, p.id_tag)
    attempt = TokenAttempt(
        station,
        p.id_tag,
        p.evse_id,
        needs_transaction=True,
        grace_s=settings.grace_s,
        decided=held,
    )
    with attempt:
        try:
            if plugged:
                ev = None if p.ev is None else p.ev.build()
                station.plug(p.evse_id, p.connector_id, ev=ev)
            if held is None:
                station.present_id_token(p.id_tag, p.evse_id)
        except (OcppError, IllegalTransition):
            _give_back(station, p, plugged)
            raise
        attempt.look()
        outcome = await attempt.result()
    result = {
        "evse_id": p.evse_id,
        "connector_id": p.connector_id,
        "id_tag": p.id_tag,
        "plugged": plugged,
        **outcome.as_result(),
        "duration_seconds": p.duration_seconds,
        "target_energy_kwh": p.target_energy_kwh,
    }
    if not outcome.ok:
        _give_back(station, p, plugged)
        return Reported(False, result, outcome.error, outcome.refused)
    transaction = outcome.transaction
    if transaction is None:
        # A transaction of the same tag began on the EVSE between the check and the tag
        # presented (the driver at the station, an automatic session): presenting the tag
        # again ended it (1.6 section 5.11, 2.0.1 E07) instead of starting one.
        stopped = outcome.stopped_transaction_id
        why = f"the tag ended transaction {stopped} on EVSE {p.evse_id}, begun meanwhile"
        return Reported(False, result, why, False)
    if p.duration_seconds is not None or p.target_energy_kwh is not None:
        evse_id = p.evse_id

        def stop(why: str) -> None:
            station.stop_transaction(evse_id, station.TERMS.session_stop_reason(why))

        SessionWatch(
            station=station,
            transaction=transaction,
            evse_id=p.evse_id,
            connector_id=p.connector_id,
            duration_s=p.duration_seconds,
            target_wh=None if p.target_energy_kwh is None else p.target_energy_kwh * 1000.0,
            unplug=plugged,
            check_s=settings.check_s,
            stop=stop,
            on_end=on_session_end,
        ).start()
    return Reported(True, result)


def _give_back(station: StationVerbs, p: StartSessionPayload, plugged: bool) -> None:
    """Leave the EVSE as the session found it: no transaction, the cable as it was."""
    evse = station.model.evses[p.evse_id]
    transaction = evse.transaction
    if transaction is not None and transaction.phase in _RUNNING:
        station.stop_transaction(p.evse_id, _UNDO_REASON)
    if plugged and evse.connectors[p.connector_id].cable_plugged:
        station.unplug(p.evse_id, p.connector_id)  # the driver takes the cable back


async def authorize(
    station: StationVerbs, p: AuthorizePayload, settings: StartSettings
) -> Reported:
    attempt = TokenAttempt(
        station, p.id_tag, p.evse_id, needs_transaction=False, grace_s=settings.grace_s
    )
    with attempt:
        station.present_id_token(p.id_tag, p.evse_id)
        attempt.look()
        outcome = await attempt.result()
    return _reported(outcome, id_tag=p.id_tag, evse_id=outcome.evse_id or p.evse_id)


async def start_transaction(
    station: StationVerbs, p: StartTransactionPayload, settings: StartSettings
) -> Reported:
    attempt = TokenAttempt(
        station, p.id_tag, p.evse_id, needs_transaction=True, grace_s=settings.grace_s
    )
    with attempt:
        station.start_transaction(p.evse_id, p.id_tag)
        attempt.look()
        outcome = await attempt.result()
    return _reported(outcome, evse_id=p.evse_id, connector_id=p.connector_id, id_tag=p.id_tag)


def _reported(outcome: AttemptResult, **where: object) -> Reported:
    return Reported(outcome.ok, {**where, **outcome.as_result()}, outcome.error, outcome.refused)
