"""What an OCPP 2.0.1 station's TransactionEventRequests carry (functional block E).

An event of a running transaction (:func:`event_request`) carries the station's own
transactionId (``Transaction.local_id``), its seqNo (from 0 per transaction), the charging state
and, after the Started event, the time spent charging; offline=true when it happened while
offline (E04/E12). Some fields go in once, and the session remembers they went: the EVSE (the
first event, E01) and its connector (the first once it is known), the idToken (the first event
after an authorization; an Ended by StopAuthorized carries the token that ended it, E07), the
remoteStartId (the first after a remote start), the reservationId (the first after the
reservation was used, H01.FR.15).

A transaction the power cut (:func:`power_loss_request`) is reported on the boot after by an
Ended event of its own, built from what was kept when the power went.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol.messages import v201
from chargeyard.station.clock import iso
from chargeyard.station.model.authorization import IdToken, id_token_to_ocpp201
from chargeyard.station.model.meter import SampledValue
from chargeyard.station.model.station import Evse, Transaction
from chargeyard.station.power_loss import POWER_LOSS, OpenTransaction
from chargeyard.station.v201.power_path import charging_state
from chargeyard.station.v201.sessions import Session

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201


def event_request(
    station: StationV201,
    evse: Evse,
    transaction: Transaction,
    session: Session,
    event_type: v201.TransactionEventEnumType,
    trigger: v201.TriggerReasonEnumType,
    readings: list[SampledValue],
    *,
    samples: list[tuple[datetime, list[SampledValue]]] | None = None,
    reason: v201.ReasonEnumType | None = None,
) -> tuple[v201.TransactionEventRequest, IdToken | None]:
    """A TransactionEvent of ``transaction`` on ``evse`` now, with ``readings`` taken now and
    ``samples`` taken at their times; and the idToken it carries, or None. Takes the event's
    seqNo, and marks in ``session`` what goes in once (the module docstring)."""
    info: v201.TransactionType = {
        "transactionId": transaction.local_id,
        "chargingState": charging_state(evse),
    }
    if event_type != "Started":
        info["timeSpentCharging"] = int(session.time_charging(station.clock.monotonic()))
    if reason is not None:
        info["stoppedReason"] = reason
    if session.remote_pending and transaction.remote_start_id is not None:
        info["remoteStartId"] = transaction.remote_start_id
        session.remote_pending = False
    payload: v201.TransactionEventRequest = {
        "eventType": event_type,
        "timestamp": iso(station.clock.now()),
        "triggerReason": trigger,
        "seqNo": transaction.next_seq_no(),
        "transactionInfo": info,
    }
    if not station.connected:
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
        payload["idToken"] = id_token_to_ocpp201(carried, station.dialect.id_token_types)
    if transaction.reservation_id is not None and not session.reservation_sent:
        payload["reservationId"] = transaction.reservation_id  # H01: the first event after
        session.reservation_sent = True
    values = [station.meter_value(readings)] if readings else []
    values += [station.meter_value(sampled, at) for at, sampled in samples or [] if sampled]
    if values:
        payload["meterValue"] = values
    return payload, carried


def power_loss_request(
    station: StationV201, transaction: OpenTransaction, lost_at: datetime
) -> v201.TransactionEventRequest:
    """The Ended event of a transaction the power cut: stoppedReason PowerLoss, triggerReason
    AbnormalCondition, with the Transaction.End register it had when the power went."""
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
        "transactionInfo": {
            "transactionId": transaction.transaction_id,
            "stoppedReason": POWER_LOSS,
        },
        "evse": evse,
        "meterValue": [station.meter_value([register], lost_at)],
    }
    if transaction.id_tag is not None:
        token = IdToken(transaction.id_tag, transaction.id_token_type)
        payload["idToken"] = id_token_to_ocpp201(token, station.dialect.id_token_types)
    return payload
