"""OCPP 2.1 ad hoc payment on the station's side (``station/v21/payments.py``): a card at the
station's payment terminal pays a transaction, settled with NotifySettlement when it ends; a
web payment the central system tells of (NotifyWebPaymentStarted) is waited for."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V21, CallErrorReply, OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v21 import StationV21
from tests.station.harness import Link
from tests.station.v21.conftest import DC_CHARGER, make_link, make_station
from tests.station.v21.recorder import FrameRecorder
from tests.station.v201.support import ts

# The DC charger's terminal (catalog chargeyard.toml).
PRICE_PER_KWH = 0.59
RECEIPTS = "https://receipts.chargeyard.example/"
COMPANY = {
    "name": "Example Logistics BV",
    "address1": "Kade 1",
    "city": "Utrecht",
    "country": "Netherlands",
}


@pytest.fixture
def charger(clock: ManualClock) -> StationV21:
    return make_station(clock, DC_CHARGER)


@pytest.fixture
def online(charger: StationV21, clock: ManualClock) -> Link:
    link = make_link(charger, clock)
    link.csms.answers["NotifySettlement"] = lambda p: {}
    link.csms.answers["VatNumberValidation"] = lambda p: {
        "vatNumber": p["vatNumber"],
        "status": "Accepted",
        "company": COMPANY,
    }
    link.connect()
    link.csms.clear()
    return link


def _settlements(link: Link) -> list[Payload]:
    return link.csms.payloads("NotifySettlement")


def _started(link: Link) -> Payload:
    [started] = [p for p in link.csms.payloads("TransactionEvent") if p["eventType"] == "Started"]
    return started


def test_a_card_payment_is_settled_at_the_terminal_s_price_for_the_energy_charged(
    online: Link, charger: StationV21
) -> None:
    recorder = FrameRecorder(charger)
    psp_ref = charger.pay_by_card(1)
    charger.plug(1, 1)
    online.pump()
    started = _started(online)
    assert started["idToken"] == {"idToken": psp_ref, "type": "DirectPayment"}
    online.run_for(600)
    charger.stop_transaction(1)
    online.pump()
    energy_wh = charger.model.evses[1].meter.energy_register_wh - 1000.0  # from 1 kWh
    amount = round(energy_wh / 1000 * PRICE_PER_KWH, 2)
    assert amount > 0
    assert _settlements(online) == [
        {
            "pspRef": psp_ref,
            "status": "Settled",
            "settlementAmount": amount,
            "settlementTime": ts(600),
            "transactionId": started["transactionInfo"]["transactionId"],
            "receiptId": "CS-1-1",
            "receiptUrl": f"{RECEIPTS}CS-1-1",
        }
    ]
    assert charger.payments.payment(1) is None  # settled once
    assert recorder.violations(V21) == []
    assert recorder.refusals() == []


def test_the_cost_the_central_system_told_is_what_is_settled(
    online: Link, charger: StationV21
) -> None:
    charger.pay_by_card(1)
    charger.plug(1, 1)
    online.pump()
    transaction_id = _started(online)["transactionInfo"]["transactionId"]
    online.run_for(300)
    online.call_station("CostUpdated", {"totalCost": 4.2, "transactionId": transaction_id})
    charger.unplug(1, 1)
    online.pump()
    [settled] = _settlements(online)
    assert (settled["status"], settled["settlementAmount"]) == ("Settled", 4.2)


def test_a_payment_whose_cable_never_comes_is_canceled_without_a_transaction(
    online: Link, charger: StationV21
) -> None:
    psp_ref = charger.pay_by_card(2)
    online.run_for(60)  # TxCtrlr.EVConnectionTimeOut (E03)
    assert _settlements(online) == [
        {
            "pspRef": psp_ref,
            "status": "Canceled",
            "settlementAmount": 0.0,
            "settlementTime": ts(60),
        }
    ]
    assert [p["eventType"] for p in online.csms.payloads("TransactionEvent")] == []


def test_a_company_vat_number_the_central_system_accepted_goes_on_the_receipt(
    online: Link, charger: StationV21
) -> None:
    recorder = FrameRecorder(charger)
    charger.enter_vat_number("NL123456789B01", 1)
    online.pump()
    assert online.csms.payloads("VatNumberValidation") == [
        {"vatNumber": "NL123456789B01", "evseId": 1}
    ]
    answer = charger.vat_answer(1)
    assert answer is not None
    assert (answer.status, answer.company) == ("Accepted", COMPANY)
    charger.pay_by_card(1)
    charger.plug(1, 1)
    online.run_for(60)
    charger.unplug(1, 1)
    online.pump()
    [settled] = _settlements(online)
    assert (settled["vatNumber"], settled["vatCompany"]) == ("NL123456789B01", COMPANY)
    assert charger.vat_answer(1) is None  # used up by the receipt
    assert recorder.violations(V21) == []


def test_a_vat_number_the_central_system_rejects_is_kept_with_its_reason(
    online: Link, charger: StationV21
) -> None:
    online.csms.answers["VatNumberValidation"] = lambda p: {
        "vatNumber": p["vatNumber"],
        "status": "Rejected",
        "statusInfo": {"reasonCode": "InvalidValue", "additionalInfo": "not a VAT number"},
    }
    charger.enter_vat_number("12")
    online.pump()
    answer = charger.vat_answer()
    assert answer is not None
    assert (answer.vat_number, answer.status, answer.company, answer.reason) == (
        "12",
        "Rejected",
        None,
        "not a VAT number",
    )
    assert charger.vat_numbers.take_for_receipt(1) is None


def test_a_vat_number_the_schema_refuses_is_not_sent(online: Link, charger: StationV21) -> None:
    with pytest.raises(ValueError, match="vat_number"):
        charger.enter_vat_number("X" * 21)
    online.pump()
    assert online.csms.payloads("VatNumberValidation") == []


def test_a_station_without_a_terminal_takes_no_card(link: Link, station: StationV21) -> None:
    link.connect()
    with pytest.raises(OcppError, match="no payment terminal"):
        station.pay_by_card(1)
    assert station.payments.payment(1) is None


def test_a_card_for_an_evse_in_use_is_refused(online: Link, charger: StationV21) -> None:
    charger.pay_by_card(1)
    with pytest.raises(OcppError, match="EVSE 1 is in use"):
        charger.pay_by_card(1)
    with pytest.raises(OcppError, match="no EVSE 9"):
        charger.pay_by_card(9)


def test_a_web_payment_is_waited_for_until_its_remote_start_begins_a_transaction(
    online: Link, charger: StationV21
) -> None:
    recorder = FrameRecorder(charger)
    answer = online.call_station("NotifyWebPaymentStarted", {"evseId": 1, "timeout": 120})
    assert answer == {}
    assert charger.web_payment_waiting(1) == 120
    assert charger.web_payment_waiting(2) is None
    online.run_for(30)
    assert charger.web_payment_waiting(1) == 90
    # The payment is authorized: the central system starts the transaction for it (F01).
    token = {"idToken": "WEBPAY-1", "type": "Central"}
    started = online.call_station(
        "RequestStartTransaction", {"evseId": 1, "idToken": token, "remoteStartId": 3}
    )
    assert started["status"] == "Accepted"
    charger.plug(1, 1)
    online.pump()
    assert _started(online)["idToken"] == token
    assert charger.web_payment_waiting(1) is None
    assert recorder.violations(V21) == []


def test_a_web_payment_not_authorized_within_its_timeout_is_no_longer_waited_for(
    online: Link, charger: StationV21
) -> None:
    online.call_station("NotifyWebPaymentStarted", {"evseId": 2, "timeout": 60})
    online.run_for(60)
    assert charger.web_payment_waiting(2) is None


def test_a_web_payment_for_an_evse_the_station_lacks_is_refused(online: Link) -> None:
    with pytest.raises(CallErrorReply) as refused:
        online.call_station("NotifyWebPaymentStarted", {"evseId": 9, "timeout": 60})
    assert (refused.value.code, refused.value.description) == (
        "PropertyConstraintViolation",
        "the station has no EVSE 9",
    )
