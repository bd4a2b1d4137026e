"""What the central system's answer to an OCPP 2.0.1 TransactionEvent does at the station
(functional block E, with C and I).

The answer moves the transaction on (Started answered: Active; Ended answered: Ended), tells
its cost (``totalCost``: I02 for Updated, I03 for Ended) and, to the event that brought a token,
says what the central system thinks of it (idTokenInfo): the station remembers the answer in its
authorization cache (C), and a refusal of the token the transaction runs on deauthorizes it
(E05, TxCtrlr.StopTxOnInvalidId) or, with StopTxOnInvalidId false, suspends its energy. Whether
the token was confirmed is told to the station's ``token_reports`` (a TokenConfirmation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import Payload
from chargeyard.station.model.authorization import (
    AuthorizationStatus,
    IdToken,
    id_token_info_from_ocpp201,
    remember,
)
from chargeyard.station.model.states import TransactionPhase
from chargeyard.station.model.station import Evse, Transaction
from chargeyard.station.model.token_reports import TokenConfirmation, answered_refusal

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201
    from chargeyard.station.v201.transaction_events import TransactionEventsV201


def event_answered(
    events: TransactionEventsV201,
    evse: Evse,
    transaction: Transaction,
    event_type: str,
    carried: IdToken | None,
    answer: Payload,
) -> None:
    """The answer to ``transaction``'s event of ``event_type`` on ``evse``, which carried the
    idToken ``carried`` (or none), has come (see the module docstring)."""
    station = events.station
    if transaction.phase is TransactionPhase.STARTING:
        transaction.move(TransactionPhase.ACTIVE)
    if event_type == "Ended" and transaction.phase is TransactionPhase.STOPPING:
        transaction.move(TransactionPhase.ENDED)
    if "totalCost" in answer:  # I02 (Updated), I03 (Ended)
        station.tariff_cost.cost_known(transaction, float(answer["totalCost"]))
    if carried is None:
        return
    # The answer to the event that brought the token (not to the Ended one that carries
    # the token which stopped it, E07) confirms or refuses it.
    confirms = event_type != "Ended" and carried == transaction.id_token
    wire = answer.get("idTokenInfo")
    if wire is None:
        # No idTokenInfo: the authorization stands as the station decided it.
        if confirms:
            _confirmed(station, evse, transaction, carried, True, None)
        return
    info = id_token_info_from_ocpp201(wire)
    policy, now = station.model.policy, station.clock.now()
    cache, local_list = station.model.cache, station.model.local_list
    remember(carried, info, now=now, policy=policy, local_list=local_list, cache=cache)
    if carried != transaction.id_token:
        return
    valid = info.is_valid_at(now)
    why = None if valid else answered_refusal("TransactionEvent", info, now)
    if evse.transaction is transaction:
        transaction.id_token_info = info
        if not valid and events.session(evse).authorized:
            # E05: the central system refuses the token the transaction runs on.
            if station.device_model.get_bool("TxCtrlr", "StopTxOnInvalidId", None, True):
                events.deauthorize(evse, "Deauthorized", "DeAuthorized")
                why = f"{why} and the station ended its authorization"
            else:
                station.advance()
                evse.suspended_by_evse = True  # energy stops; the transaction goes on
                # E05.FR.02: not deauthorized: ChargingStateChanged, SuspendedEVSE.
                events.evaluate(evse, None)
                why = f"{why} and the station suspended it (StopTxOnInvalidId is false)"
    if confirms:
        _confirmed(station, evse, transaction, carried, valid, info.status, why)


def _confirmed(
    station: StationV201,
    evse: Evse,
    transaction: Transaction,
    token: IdToken,
    accepted: bool,
    status: AuthorizationStatus | None,
    why: str | None = None,
) -> None:
    report = TokenConfirmation(evse.id, token, transaction.local_id, accepted, status, why)
    station.token_reports.tell(report)
