"""A station losing its power with a transaction running, and booting again: the transaction
is reported ended with reason PowerLoss and the meter it had (station/power_loss.py)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chargeyard.protocol import ErrorKind, OcppError
from chargeyard.station.clock import ManualClock
from chargeyard.station.power_loss import PowerLossSnapshot, restore, take
from tests.station.harness import Link
from tests.station.v16.conftest import make_station as make_v16
from tests.station.v201.conftest import make_link as make_v201_link
from tests.station.v201.conftest import make_station as make_v201


def _after_power_loss(snapshot: PowerLossSnapshot) -> PowerLossSnapshot:
    """The snapshot as the next process reads it back from the charger's row."""
    return PowerLossSnapshot.from_json(snapshot.to_json())


def test_16_open_transaction_is_reported_power_loss_after_the_next_boot() -> None:
    clock = ManualClock()
    powered = make_v16(clock)
    before = Link(powered, clock)
    before.connect()
    powered.plug(1, 1)
    powered.present_id_token("TAG-1")
    before.pump()
    before.run_for(600)  # ten minutes of charging
    register = powered.model.evses[1].meter.energy_register_wh
    snapshot = _after_power_loss(take(powered, clock.now()))
    assert snapshot.meters[1] == register > 1000.0
    [open_transaction] = snapshot.transactions
    assert open_transaction.csms_id == 1

    clock.advance(60)  # the power comes back a minute later
    station = make_v16(clock)
    restore(station, snapshot)
    assert station.model.evses[1].meter.energy_register_wh == register  # the meter goes on
    after = Link(station, clock)
    after.connect()
    # The stop it kept goes before the boot's status reports (1.6 sections 4.2.1 and 4.9).
    assert after.csms.actions() == [
        "BootNotification",
        "StopTransaction",
        "StatusNotification",
        "StatusNotification",
    ]
    assert after.csms.payloads("StopTransaction") == [
        {
            "meterStop": int(register),
            "timestamp": snapshot.at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "transactionId": 1,
            "reason": "PowerLoss",
            "transactionData": [
                {
                    "timestamp": snapshot.at.isoformat(timespec="milliseconds").replace(
                        "+00:00", "Z"
                    ),
                    "sampledValue": [
                        {
                            "value": f"{register:.1f}" if register % 1 else str(int(register)),
                            "context": "Transaction.End",
                            "format": "Raw",
                            "measurand": "Energy.Active.Import.Register",
                            "location": "Outlet",
                            "unit": "Wh",
                        }
                    ],
                }
            ],
        }
    ]
    assert station.unreported_power_losses == {}  # answered: nothing left to report


def test_16_a_start_never_answered_is_sent_before_its_stop() -> None:
    clock = ManualClock()
    station = make_v16(clock)  # never connected: the StartTransaction waits in its queue
    station.plug(1, 1)
    station.start_transaction(1, "TAG-1")
    clock.advance(300)
    snapshot = _after_power_loss(take(station, clock.now()))
    assert [t.csms_id for t in snapshot.transactions] == [None]

    fresh = make_v16(clock)
    restore(fresh, snapshot)
    link = Link(fresh, clock)
    link.csms.answers["StartTransaction"] = lambda p: {
        "transactionId": 41,
        "idTagInfo": {"status": "Accepted"},
    }
    link.connect()
    assert link.csms.actions()[1:3] == ["StartTransaction", "StopTransaction"]
    [start] = link.csms.payloads("StartTransaction")
    assert (start["idTag"], start["meterStart"]) == ("TAG-1", 1000)
    [stop] = link.csms.payloads("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (41, "PowerLoss")


def test_201_open_transaction_ends_power_loss_after_the_next_boot() -> None:
    clock = ManualClock()
    powered = make_v201(clock)
    before = make_v201_link(powered, clock)
    before.connect()
    powered.plug(1, 1)
    powered.present_id_token("TAG-1")
    before.pump()
    before.run_for(600)
    started = before.csms.payloads("TransactionEvent")
    transaction_id = started[0]["transactionInfo"]["transactionId"]
    snapshot = _after_power_loss(take(powered, clock.now()))
    [open_transaction] = snapshot.transactions
    assert open_transaction.transaction_id == transaction_id
    assert open_transaction.seq_no == len(started)

    station = make_v201(clock)
    restore(station, snapshot)
    after = make_v201_link(station, clock)
    after.connect()
    assert after.csms.actions()[0] == "BootNotification"
    [ended] = after.csms.payloads("TransactionEvent")
    register = snapshot.meters[1]
    assert ended == {
        "eventType": "Ended",
        "timestamp": ended["timestamp"],
        "triggerReason": "AbnormalCondition",
        "seqNo": len(started),  # the transaction's numbering goes on
        "transactionInfo": {"transactionId": transaction_id, "stoppedReason": "PowerLoss"},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": [
            {
                "timestamp": ended["timestamp"],
                "sampledValue": [
                    {
                        "value": ended["meterValue"][0]["sampledValue"][0]["value"],
                        "context": "Transaction.End",
                        "measurand": "Energy.Active.Import.Register",
                        "location": "Outlet",
                        "unitOfMeasure": {"unit": "Wh", "multiplier": 0},
                    }
                ],
            }
        ],
        "idToken": {"idToken": "TAG-1", "type": "ISO14443"},
    }
    assert abs(ended["meterValue"][0]["sampledValue"][0]["value"] - register) < 1
    assert ended["timestamp"].startswith(snapshot.at.isoformat()[:19])
    assert station.unreported_power_losses == {}


def test_a_report_not_yet_sent_survives_the_next_power_loss_too() -> None:
    clock = ManualClock()
    station = make_v16(clock)
    station.plug(1, 1)
    station.start_transaction(1, "TAG-1")
    first = take(station, clock.now())
    again = make_v16(clock)
    restore(again, first)  # never connected before the power goes again
    second = take(again, clock.now())
    assert second.transactions == first.transactions


def _charging_on_both_connectors_then_power_lost(clock: ManualClock) -> PowerLossSnapshot:
    powered = make_v16(clock, "alfen-eve-double-pro-line")
    before = Link(powered, clock)
    before.connect()
    for connector in (1, 2):
        powered.plug(connector, 1)
        powered.present_id_token(f"TAG-{connector}", connector)
        before.pump()
    before.run_for(600)
    return _after_power_loss(take(powered, clock.now()))


def test_16_every_kept_stop_goes_before_the_boot_status_reports() -> None:
    # 1.6 sections 4.2.1 and 4.9: what the station kept goes once Accepted, then every
    # connector's status; a central system that heard "Available" first could not tell a
    # stop on its way from a transaction the station forgot.
    clock = ManualClock()
    snapshot = _charging_on_both_connectors_then_power_lost(clock)
    station = make_v16(clock, "alfen-eve-double-pro-line")
    restore(station, snapshot)
    after = Link(station, clock)
    after.connect()
    assert (
        after.csms.actions()
        == ["BootNotification"] + ["StopTransaction"] * 2 + ["StatusNotification"] * 3
    )
    assert [p["connectorId"] for p in after.csms.payloads("StatusNotification")] == [0, 1, 2]


def test_16_a_kept_stop_refused_lets_the_boot_status_reports_go() -> None:
    # A central system that refuses the stop (CALLERROR) still hears the connectors; the stop
    # waits out its retry interval (1.6 section 4.10) and goes again.
    clock = ManualClock()
    powered = make_v16(clock)
    before = Link(powered, clock)
    before.connect()
    powered.plug(1, 1)
    powered.present_id_token("TAG-1")
    before.pump()
    snapshot = _after_power_loss(take(powered, clock.now()))
    station = make_v16(clock)
    restore(station, snapshot)
    after = Link(station, clock)
    refusals = [OcppError(ErrorKind.INTERNAL_ERROR, "database down")]

    def refuse_once(payload: dict[str, Any]) -> dict[str, Any]:
        if refusals:
            raise refusals.pop()
        return {}

    after.csms.answers["StopTransaction"] = refuse_once
    after.connect()
    assert after.csms.actions() == [
        "BootNotification",
        "StopTransaction",
        "StatusNotification",
        "StatusNotification",
    ]
    after.run_for(61)
    assert after.csms.actions()[-1] == "StopTransaction"
    assert len(station.transaction_queue) == 0


def test_16_a_connection_lost_before_the_kept_stop_is_answered_reports_once_it_is() -> None:
    clock = ManualClock()
    snapshot = _charging_on_both_connectors_then_power_lost(clock)
    station = make_v16(clock, "alfen-eve-double-pro-line")
    restore(station, snapshot)
    after = Link(station, clock)
    station.connect()
    after.up = True
    after.to_station(after.to_csms())  # BootNotification answered: the first stop goes out
    after.to_csms()  # ... and is handled, its answer lost with the connection
    after.drop()
    assert after.csms.actions() == ["BootNotification", "StopTransaction"]
    after.connect()  # no second boot: the stops go again (at least once), then the reports
    assert (
        after.csms.actions()
        == ["BootNotification"] + ["StopTransaction"] * 3 + ["StatusNotification"] * 3
    )


def test_16_the_log_names_a_transaction_by_the_id_the_central_system_gave(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The CSMS's log says "transaction 1"; so does the station's, never its own key.
    caplog.set_level(logging.INFO, logger="chargeyard.station")
    clock = ManualClock()
    powered = make_v16(clock)
    before = Link(powered, clock)
    before.connect()
    powered.plug(1, 1)
    powered.present_id_token("TAG-1")
    before.pump()
    [running] = powered.model.transactions()
    snapshot = _after_power_loss(take(powered, clock.now()))
    station = make_v16(clock)
    restore(station, snapshot)
    assert "CP-1: transaction 1 ended by a power loss" in caplog.messages
    # One started offline is named once the central system has numbered it.
    offline = make_v16(clock)
    offline.plug(1, 1)
    offline.start_transaction(1, "TAG-2")
    [unnumbered] = offline.model.transactions()
    fresh = make_v16(clock)
    restore(fresh, _after_power_loss(take(offline, clock.now())))
    link = Link(fresh, clock)
    link.csms.answers["StartTransaction"] = lambda p: {
        "transactionId": 41,
        "idTagInfo": {"status": "Accepted"},
    }
    link.connect()
    assert "CP-1: transaction 41 ended by a power loss" in caplog.messages
    assert not [m for m in caplog.messages if running.local_id in m or unnumbered.local_id in m]
    # A stop the station makes itself names it so too.
    before.station.stop_transaction(1, "Local")
    assert "CP-1: transaction 1 stopped (Local)" in caplog.messages
