"""OCPP 2.0.1 B11 / B12: Reset without and with transactions, of the station or one EVSE."""

from __future__ import annotations

import pytest

from chargeyard.protocol import OcppError
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from chargeyard.station.v201.device_model import Component
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import events, statuses


def _charging(link: Link, evse_id: int = 1, token: str = "TAG-1") -> StationV201:
    station = link.station
    assert isinstance(station, StationV201)
    station.plug(evse_id, 1)
    station.present_id_token(token, evse_id)
    link.pump()
    return station


def test_b11_reset_immediate_without_transaction_reboots_with_remote_reset(online: Link) -> None:
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    assert online.csms.actions() == []  # the answer first; the reboot follows it
    online.follow_station()  # what the runtime does when the station wakes it
    assert online.up  # the CSMS has a moment to close first (power.CLOSE_WAIT_AFTER_RESET_S)
    online.run_for(1)
    assert not online.up
    online.run_for(5)  # core.reboot: back after 5 s
    # Then the critical security events of the reboot (A04.FR.01).
    assert (
        online.csms.actions()
        == ["BootNotification", "StatusNotification"] + ["SecurityEventNotification"] * 2
    )
    assert [p["type"] for p in online.csms.payloads("SecurityEventNotification")] == [
        "ResetOrReboot",
        "StartupOfTheDevice",
    ]
    assert online.csms.payloads("BootNotification")[0]["reason"] == "RemoteReset"
    online.csms.clear()
    online.station.reboot()  # a power cut later: a plain power-up again
    online.follow_station()
    online.run_for(6)
    assert online.csms.payloads("BootNotification")[0]["reason"] == "PowerUp"


def test_b11_reset_on_idle_without_transaction_is_accepted(online: Link) -> None:
    assert online.call_station("Reset", {"type": "OnIdle"}) == {"status": "Accepted"}
    online.follow_station()
    online.run_for(6)
    assert online.csms.payloads("BootNotification")[0]["reason"] == "RemoteReset"


def test_b12_reset_on_idle_waits_for_the_transaction_to_end(online: Link) -> None:
    station = _charging(online)
    online.csms.clear()
    assert online.call_station("Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    online.run_for(120)
    assert online.up
    assert "BootNotification" not in online.csms.actions()
    station.present_id_token("TAG-1")  # the driver stops
    online.pump()
    assert events(online)[-1]["eventType"] == "Ended"
    assert events(online)[-1]["transactionInfo"]["stoppedReason"] == "Local"
    online.follow_station()
    online.run_for(6)
    # BootReasonEnumType: the reset waited for idle.
    assert online.csms.payloads("BootNotification")[0]["reason"] == "ScheduledReset"


def test_b12_reset_immediate_ends_transactions_with_immediate_reset(online: Link) -> None:
    _charging(online)
    online.csms.clear()
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    ended = events(online)[-1]
    assert (ended["eventType"], ended["triggerReason"]) == ("Ended", "ResetCommand")
    assert ended["transactionInfo"]["stoppedReason"] == "ImmediateReset"
    online.follow_station()
    online.run_for(6)
    assert online.csms.payloads("BootNotification")[0]["reason"] == "RemoteReset"
    # The cable is still in after the reboot: the connector says so.
    assert statuses(online)[-1] == (1, 1, "Occupied")


def test_b12_reset_of_one_evse_leaves_the_other_charging(clock: ManualClock) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = make_link(station, clock)
    link.connect()
    _charging(link, 1, "TAG-1")
    _charging(link, 2, "TAG-2")
    link.csms.clear()
    assert link.call_station("Reset", {"type": "Immediate", "evseId": 2}) == {"status": "Accepted"}
    ended = events(link)
    assert [(e["eventType"], e["transactionInfo"]["stoppedReason"]) for e in ended] == [
        ("Ended", "ImmediateReset")
    ]
    assert station.model.evses[1].transaction is not None
    link.follow_station()
    link.run_for(6)
    assert link.up
    assert "BootNotification" not in link.csms.actions()


def test_b11_reset_of_an_unknown_evse_or_one_that_may_not_is_rejected(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    assert online.call_station("Reset", {"type": "OnIdle", "evseId": 7}) == {"status": "Rejected"}
    station.device_model.write(Component("EVSE", evse=1), "AllowReset", "false")
    assert online.call_station("Reset", {"type": "OnIdle", "evseId": 1}) == {"status": "Rejected"}


def test_b12_no_new_session_while_a_reset_is_scheduled(clock: ManualClock) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = make_link(station, clock)
    link.connect()
    _charging(link, 1)
    assert link.call_station("Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    assert station.transactions.evse_for_new_session(2) is None


def test_a_power_cut_ends_running_transactions_at_power_on(online: Link) -> None:
    _charging(online)
    online.csms.clear()
    online.station.reboot()
    online.follow_station()
    online.run_for(6)
    assert [a for a in online.csms.actions() if a != "SecurityEventNotification"] == [
        "BootNotification",
        "TransactionEvent",
        "StatusNotification",
    ]
    [ended] = events(online)
    assert (ended["eventType"], ended["triggerReason"]) == ("Ended", "AbnormalCondition")
    assert ended["transactionInfo"]["stoppedReason"] == "PowerLoss"
    assert ended["offline"] is True  # decided at power-on, before the connection is back


def test_b12_the_ended_event_is_answered_before_the_reset_and_never_sent_again(
    online: Link,
) -> None:
    station = _charging(online)
    assert online.call_station("Reset", {"type": "OnIdle"}) == {"status": "Scheduled"}
    online.csms.clear()
    station.present_id_token("TAG-1")  # the driver stops: the last transaction ends
    on_its_way = online.to_csms()  # the Ended is there; its answer is not yet back
    online.follow_station()  # what the runtime does after writing the station's frames
    assert online.up  # it waits for the answer before the power goes
    online.to_station(on_its_way)
    online.follow_station()
    assert not online.up
    online.run_for(6)
    assert online.csms.payloads("BootNotification")[0]["reason"] == "ScheduledReset"
    # Delivered once, so sent once.
    ended = [
        (e["eventType"], e["seqNo"], e["transactionInfo"]["stoppedReason"]) for e in events(online)
    ]
    assert ended == [("Ended", 2, "Local")]


def test_b12_reset_immediate_delivers_every_ended_event_before_it_reboots(
    clock: ManualClock,
) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = make_link(station, clock)
    link.connect()
    _charging(link, 1, "TAG-1")
    _charging(link, 2, "TAG-2")
    link.csms.clear()
    link.csms.session.call("Reset", {"type": "Immediate"})
    link.to_station(link.csms.session.data_to_send())
    on_its_way = link.to_csms()  # Accepted, and the first Ended
    link.follow_station()
    assert link.up
    link.to_station(on_its_way)  # answered: the second Ended goes
    link.follow_station()
    assert link.up
    link.pump()
    link.run_for(1)  # (the CSMS's moment to close first)
    assert not link.up
    link.run_for(6)
    ended = [
        (e["eventType"], e["triggerReason"], e["transactionInfo"]["stoppedReason"])
        for e in events(link)
    ]
    assert ended == [("Ended", "ResetCommand", "ImmediateReset")] * 2  # each once, before the boot
    assert len({e["transactionInfo"]["transactionId"] for e in events(link)}) == 2
    assert link.csms.actions().index("BootNotification") > link.csms.actions().index(
        "TransactionEvent"
    )


def test_b12_an_ended_event_never_answered_goes_again_after_the_boot(online: Link) -> None:
    station = _charging(online)
    online.call_station("Reset", {"type": "OnIdle"})
    online.csms.clear()
    station.present_id_token("TAG-1")
    online.to_csms()  # its answer is lost
    online.run_for(29)
    assert online.up  # (the call timeout is 30 s)
    online.run_for(2)
    assert not online.up
    online.run_for(6)
    # Unanswered within its timeout, so kept and sent again (E13), with the same seqNo.
    assert [(e["eventType"], e["seqNo"]) for e in events(online)] == [("Ended", 2), ("Ended", 2)]


def test_b11_no_transaction_starts_on_a_station_that_is_rebooting(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.present_id_token("TAG-1")  # authorized; the cable is still to come
    online.pump()
    assert online.call_station("Reset", {"type": "OnIdle"}) == {"status": "Accepted"}
    online.run_for(1)  # (the CSMS's moment to close first)
    assert not station.powered
    with pytest.raises(OcppError, match="off"):
        station.plug(1, 1)  # the lock and the meter have no power: nothing starts
    with pytest.raises(OcppError, match="off"):
        station.present_id_token("TAG-1")
    online.run_for(6)
    assert station.in_service
    assert events(online) == []  # nothing started, so nothing ended by a power loss


def test_no_energy_flows_while_the_station_is_off(online: Link) -> None:
    station = _charging(online)
    online.run_for(60)
    station.reboot(delay_s=300)  # a power cut of five minutes
    online.follow_station()
    station.advance()
    register = station.model.evses[1].meter.energy_register_wh
    online.run_for(301)
    [ended] = [e for e in events(online) if e["eventType"] == "Ended"]
    assert ended["transactionInfo"]["stoppedReason"] == "PowerLoss"
    end_registers = [
        sampled["value"]
        for value in ended["meterValue"]
        for sampled in value["sampledValue"]
        if sampled.get("context") == "Transaction.End"
        and sampled.get("measurand", "Energy.Active.Import.Register")
        == "Energy.Active.Import.Register"
    ]
    assert end_registers == [round(register, 1)]  # what the meter had when the power went
