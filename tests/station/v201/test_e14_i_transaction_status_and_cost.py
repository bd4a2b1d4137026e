"""OCPP 2.0.1 E14 (GetTransactionStatus, from the station's transaction-message queue) and I02 /
I03 (the running and final cost the central system sends, kept on the transaction)."""

from __future__ import annotations

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import set_variable, ts


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _charging(link: Link) -> str:
    station = _station(link)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    return transaction.local_id


def _status(link: Link, transaction_id: str | None = None) -> Payload:
    request = {} if transaction_id is None else {"transactionId": transaction_id}
    return link.call_station("GetTransactionStatus", request)


def _refuse(payload: Payload) -> Payload:
    raise OcppError(ErrorKind.INTERNAL_ERROR, "the database is down")


# -- E14 ------------------------------------------------------------------------------------------


def test_e14_a_transaction_the_station_never_had(online: Link) -> None:
    assert _status(online, "no-such") == {"ongoingIndicator": False, "messagesInQueue": False}
    assert _status(online) == {"messagesInQueue": False}  # E14.FR.06, E14.FR.08


def test_e14_a_running_transaction_whose_messages_are_delivered(online: Link) -> None:
    transaction_id = _charging(online)
    assert _status(online, transaction_id) == {
        "ongoingIndicator": True,  # E14.FR.02
        "messagesInQueue": False,  # E14.FR.05
    }


def test_e14_messages_refused_by_the_csms_wait_in_the_queue(online: Link) -> None:
    online.csms.answers["TransactionEvent"] = _refuse
    transaction_id = _charging(online)  # the Started is refused: retried in 60 s (E13)
    assert _status(online, transaction_id) == {
        "ongoingIndicator": True,
        "messagesInQueue": True,  # E14.FR.04
    }
    assert _status(online, "other") == {"ongoingIndicator": False, "messagesInQueue": False}
    assert _status(online) == {"messagesInQueue": True}  # E14.FR.07
    online.csms.answers["TransactionEvent"] = lambda payload: {}
    _station(online).present_id_token("TAG-1")  # E07: stopped, its Ended queued too
    online.pump()
    assert _status(online, transaction_id) == {
        "ongoingIndicator": False,  # E14.FR.03
        "messagesInQueue": True,
    }
    online.run_for(60)  # the retry delivers them all
    assert _status(online, transaction_id) == {
        "ongoingIndicator": False,
        "messagesInQueue": False,
    }


# -- I02 / I03 ------------------------------------------------------------------------------------


def _notes(link: Link) -> list[str]:
    return [line for line in _station(link).frame_log.section() if " -- cost:" in line]


def test_i02_cost_updated_is_kept_on_the_transaction(online: Link) -> None:
    transaction_id = _charging(online)
    answer = online.call_station(
        "CostUpdated", {"totalCost": 3.456, "transactionId": transaction_id}
    )
    assert answer == {}  # I02.FR.02: CostUpdatedResponse has no field
    transaction = _station(online).model.evses[1].transaction
    assert transaction is not None
    assert transaction.total_cost == 3.456
    assert _notes(online) == [f"{ts()} -- cost: transaction {transaction_id} costs 3.46 EUR"]


def test_i02_the_cost_of_a_transaction_not_running_here_is_only_noted(online: Link) -> None:
    answer = online.call_station("CostUpdated", {"totalCost": 1.0, "transactionId": "gone"})
    assert answer == {}
    assert _notes(online) == [f"{ts()} -- cost: transaction gone is not running here"]


def test_i02_with_cost_disabled_nothing_is_kept(online: Link) -> None:
    transaction_id = _charging(online)
    assert set_variable(online, "TariffCostCtrlr", "Enabled", "false", instance="Cost") == (
        "Accepted"
    )
    online.call_station("CostUpdated", {"totalCost": 2.0, "transactionId": transaction_id})
    transaction = _station(online).model.evses[1].transaction
    assert transaction is not None
    assert transaction.total_cost is None
    assert _notes(online) == [f"{ts()} -- cost: not shown (TariffCostCtrlr.Enabled[Cost] is false)"]


def test_i03_the_total_cost_in_the_answer_to_ended_is_kept(online: Link) -> None:
    transaction_id = _charging(online)
    transaction = _station(online).model.evses[1].transaction
    assert transaction is not None
    online.csms.answers["TransactionEvent"] = lambda payload: (
        {"totalCost": 7.5} if payload["eventType"] == "Ended" else {}
    )
    _station(online).present_id_token("TAG-1")
    online.pump()
    assert transaction.total_cost == 7.5
    assert _notes(online) == [f"{ts()} -- cost: transaction {transaction_id} costs 7.50 EUR"]
