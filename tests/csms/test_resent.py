"""A connection's memory of the 1.6 MeterValues it stored (csms/resent.py)."""

from __future__ import annotations

from chargeyard.csms.resent import ResentMeterValues


def test_the_first_meter_values_of_a_transaction_is_checked_once() -> None:
    resent = ResentMeterValues()
    assert resent.first_of(7)
    assert not resent.first_of(7)
    assert resent.first_of(8)
    assert not resent.first_of(None)  # outside a transaction: never re-sent, never checked


def test_a_transaction_the_connection_opened_is_never_checked() -> None:
    resent = ResentMeterValues()
    resent.opened(7)
    assert not resent.first_of(7)
    assert resent.first_of(8)


def test_a_copy_on_the_same_connection_is_known_by_its_payload() -> None:
    resent = ResentMeterValues()
    payload = {"connectorId": 1, "transactionId": 7, "meterValue": []}
    assert not resent.is_copy(payload)
    resent.stored(payload)
    assert resent.is_copy(dict(payload))
    outside = {"connectorId": 1, "meterValue": []}
    resent.stored(outside)
    assert not resent.is_copy(outside)  # not a transaction message: stored as it comes
