"""OCPP 2.0.1 J01 / J02: clock-aligned meter values."""

from __future__ import annotations

from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import energy, events, set_variable


def test_j01_clock_aligned_meter_values_of_an_idle_evse(online: Link) -> None:
    online.run_for(1800)
    # AlignedDataCtrlr.Interval 900 s (from the template), aligned to midnight.
    assert online.csms.payloads("MeterValues") == [
        {"evseId": 1, "meterValue": [energy(1000.0, "Sample.Clock", 900)]},
        {"evseId": 1, "meterValue": [energy(1000.0, "Sample.Clock", 1800)]},
    ]


def test_j02_clock_aligned_values_of_a_transaction_go_in_transaction_events(
    online: Link,
) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(900)
    clock = [e for e in events(online) if e["triggerReason"] == "MeterValueClock"]
    assert [e["meterValue"] for e in clock] == [[energy(2840.0, "Sample.Clock", 900)]]
    assert online.csms.payloads("MeterValues") == []


def test_j01_send_during_idle_sends_nothing_while_a_transaction_runs(online: Link) -> None:
    set_variable(online, "AlignedDataCtrlr", "SendDuringIdle", "true")
    station = online.station
    assert isinstance(station, StationV201)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(900)
    assert [e for e in events(online) if e["triggerReason"] == "MeterValueClock"] == []


def test_j01_a_new_interval_applies_at_once_and_zero_stops_it(online: Link) -> None:
    online.run_for(100)
    assert set_variable(online, "AlignedDataCtrlr", "Interval", "300") == "Accepted"
    online.run_for(500)
    assert [
        p["meterValue"][0]["timestamp"][11:19] for p in online.csms.payloads("MeterValues")
    ] == [
        "00:05:00",
        "00:10:00",
    ]
    online.csms.clear()
    assert set_variable(online, "AlignedDataCtrlr", "Interval", "0") == "Accepted"
    online.run_for(3600)
    assert online.csms.payloads("MeterValues") == []


def test_j01_clock_aligned_tx_ended_values_go_in_the_ended_event(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    set_variable(online, "AlignedDataCtrlr", "Interval", "0")  # no MeterValueClock updates
    assert set_variable(online, "AlignedDataCtrlr", "TxEndedInterval", "300") == "Accepted"
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(650)
    station.present_id_token("TAG-1")  # the driver stops
    online.pump()
    [ended] = [e for e in events(online) if e["eventType"] == "Ended"]
    contexts = [
        (value["timestamp"][11:19], value["sampledValue"][0]["context"])
        for value in ended["meterValue"]
    ]
    # Aligned to midnight, every TxEndedInterval while the transaction ran, between its
    # begin and end readings.
    assert contexts == [
        ("00:00:00", "Transaction.Begin"),
        ("00:05:00", "Sample.Clock"),
        ("00:10:00", "Sample.Clock"),
        ("00:10:50", "Transaction.End"),
    ]


def test_j01_a_late_timer_stamps_the_aligned_instant(online: Link) -> None:
    online.clock.advance(900.4)  # the timer fires 0.4 s after the quarter hour
    online.station.tick()
    online.pump()
    assert online.csms.payloads("MeterValues") == [
        {"evseId": 1, "meterValue": [energy(1000.0, "Sample.Clock", 900)]}
    ]
