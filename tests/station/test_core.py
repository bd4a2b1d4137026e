"""The version-independent station core, exercised through a 1.6 station."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.conftest import make_station


def booted(clock: ManualClock) -> Link:
    link = Link(make_station(clock), clock)
    link.connect()
    link.csms.clear()
    return link


def test_4_10_a_refused_transaction_message_is_retried_then_dropped() -> None:
    clock = ManualClock()
    link = booted(clock)
    tries: list[float] = []

    def refuse(payload: Payload) -> Payload:
        tries.append(clock.monotonic())
        raise OcppError(ErrorKind.INTERNAL_ERROR, "database down")

    link.csms.answers["StartTransaction"] = refuse
    link.station.plug(1, 1)
    link.station.start_transaction(1, "TAG-1")
    link.pump()
    link.run_for(1000)
    # TransactionMessageAttempts 3, TransactionMessageRetryInterval 60: waits of 60 and 120 s.
    assert tries == [0.0, 60.0, 180.0]
    # Dropped after the third attempt; the queue moved on to the messages behind it.
    head = link.station.transaction_queue.head()
    assert head is None or head.action != "StartTransaction"


def test_reconnect_after_a_lost_connection_does_not_boot_again() -> None:
    clock = ManualClock()
    link = booted(clock)
    link.drop()
    link.connect()
    assert "BootNotification" not in link.csms.actions()
    assert link.station.registration is Registration.ACCEPTED


def test_statuses_changed_while_offline_are_reported_after_reconnect() -> None:
    clock = ManualClock()
    link = booted(clock)
    link.drop()
    link.auto_reconnect = False
    link.station.plug(1, 1)
    link.connect()
    assert [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")] == [
        (1, "Preparing")
    ]


def test_a_reboot_drops_the_connection_and_boots_again_after_the_delay() -> None:
    clock = ManualClock()
    link = booted(clock)
    link.station.reboot(delay_s=5)
    link.run_for(1)
    assert not link.up
    link.run_for(5)
    assert link.up
    assert link.csms.actions()[0] == "BootNotification"
    assert link.station.registration is Registration.ACCEPTED


def test_nothing_but_boot_is_sent_before_accepted() -> None:
    clock = ManualClock()
    station = make_station(clock)
    link = Link(station, clock)
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Rejected",
        "currentTime": "2026-01-01T00:00:00.000Z",
        "interval": 100,
    }
    link.connect()
    assert station.call("Heartbeat", {}) is False
    link.run_for(250)
    assert link.csms.actions() == ["BootNotification"] * 3


def test_a_timer_set_for_a_wall_clock_moment_runs_then_or_a_millisecond_after_a_past_one() -> None:
    clock = ManualClock()
    station = make_station(clock)
    fired: list[str] = []
    station.set_timer_at(
        "later", clock.now() + timedelta(seconds=90), lambda: fired.append("later")
    )
    station.set_timer_at("past", clock.now() - timedelta(hours=1), lambda: fired.append("past"))
    assert station.timers.deadline("later") == clock.monotonic() + 90
    assert station.timers.deadline("past") == clock.monotonic() + 0.001  # never "now" or before
    station.set_timer_at("gone", clock.now(), lambda: fired.append("gone"))
    station.set_timer_at("gone", None, lambda: fired.append("gone"))  # None cancels
    assert not station.timers.is_set("gone")
    clock.advance(90)
    station.tick()
    assert fired == ["past", "later"]


def test_a_reboot_waits_for_the_answer_to_a_call_in_flight_and_starts_nothing_meanwhile() -> None:
    clock = ManualClock()
    link = booted(clock)
    station = link.station
    assert isinstance(station, StationV16)
    assert station.call("Heartbeat", {}) is True
    on_its_way = link.to_csms()  # the Heartbeat is there; its answer is not yet back
    station.reboot(delay_s=5)
    link.follow_station()
    assert link.up  # still on: waiting for the answer
    assert (station.going_down, station.in_service, station.powered) == (True, False, True)
    assert station.call("Heartbeat", {}) is False  # nothing new leaves it
    with pytest.raises(OcppError, match="shutting down"):
        station.plug(1, 1)  # nor does a driver start anything
    link.to_station(on_its_way)
    link.follow_station()
    assert not link.up
    assert (station.going_down, station.powered) == (False, False)
    with pytest.raises(OcppError, match="off"):
        station.present_id_token("TAG-1")
    link.run_for(5)  # off for the delay, counted from the power going
    assert link.up
    assert link.csms.actions() == ["Heartbeat", "BootNotification"] + ["StatusNotification"] * 2
    assert station.in_service


def test_a_boot_accepted_while_the_power_goes_is_booted_again_once_it_is_back() -> None:
    clock = ManualClock()
    station = make_station(clock)
    link = Link(station, clock)
    station.connect()
    link.up = True
    answer = link.to_csms()  # the BootNotification is there; its Accepted not yet back
    station.power_cut(off_s=5)
    link.to_station(answer)  # the answer comes while the station goes down
    link.follow_station()
    assert not link.up
    link.csms.clear()
    link.run_for(5)
    assert link.up
    assert link.csms.actions() == ["BootNotification"] + ["StatusNotification"] * 2
    assert station.in_service


def test_a_lost_connection_ends_the_wait_of_a_station_going_down() -> None:
    clock = ManualClock()
    link = booted(clock)
    station = link.station
    station.call("Heartbeat", {})
    link.to_csms()
    station.reboot(delay_s=5)
    link.drop()
    assert not station.powered  # nothing can be answered any more: the power goes now
    link.run_for(5)
    assert link.up
    assert station.registration is Registration.ACCEPTED


def test_switched_off_a_station_stays_off() -> None:
    clock = ManualClock()
    link = booted(clock)
    station = link.station
    station.switch_off()
    link.follow_station()
    assert not link.up
    link.run_for(3600)
    assert (link.up, station.powered, station.wants_connection) == (False, False, False)
    station.come_online()  # the network coming back does not power it
    assert not station.wants_connection


def test_4_9_the_boot_reports_await_their_answers_until_the_csms_gives_them() -> None:
    clock = ManualClock()
    link = Link(make_station(clock), clock)
    link.station.connect()
    link.up = True
    assert link.station.awaiting_answers == 1  # the BootNotification

    # Its answer comes; the station reports every connector, connector 0 first (section 4.9).
    for frame in link.station.data_to_send():
        link.csms.session.receive(frame)
    for frame in link.csms.session.data_to_send():
        link.station.receive(frame)
    reports = 1 + link.station.model.connector_count
    assert link.station.awaiting_answers == reports

    link.pump()
    assert len(link.csms.payloads("StatusNotification")) == reports
    assert link.station.awaiting_answers == 0


def test_calls_awaiting_answers_fail_with_the_connection() -> None:
    clock = ManualClock()
    link = booted(clock)
    link.station.trigger_boot_notification()
    assert link.station.awaiting_answers == 1
    link.drop()
    assert link.station.awaiting_answers == 0
