"""The station's own log of frames (``station/maintenance.py``), which a diagnostics file
shows: a Basic password the central system sets is kept masked (OCPP 2.0.1 A01.FR.12; the 1.6
security whitepaper's AuthorizationKey alike), while the station takes it as sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargeyard.station.clock import ManualClock
from chargeyard.station.maintenance import FrameLog
from tests.station.harness import Link
from tests.station.v16.conftest import make_station as make_station_16
from tests.station.v201.conftest import make_link, make_station

NEW_KEY = "00112233445566778899aabbccddeeff"  # 16 bytes as hexadecimal (whitepaper 7.2)
NEW_PASSWORD = "a-new-basic-password-201"


def _received(link: Link) -> list[str]:
    return [line.split(" << ", 1)[1] for line in link.station.frame_log.section() if " << " in line]


def test_a01_fr_12_an_authorization_key_set_is_logged_masked() -> None:
    clock = ManualClock()
    link = Link(make_station_16(clock), clock)
    link.connect()
    answer = link.call_station("ChangeConfiguration", {"key": "AuthorizationKey", "value": NEW_KEY})
    assert answer == {"status": "Accepted"}
    assert link.station.password == NEW_KEY  # taken as sent: the wire frame is unchanged
    [change] = [frame for frame in _received(link) if "ChangeConfiguration" in frame]
    assert change.endswith('"ChangeConfiguration",{"key":"AuthorizationKey","value":"********"}]')
    assert all(NEW_KEY not in line for line in link.station.frame_log.section())


def test_a01_fr_12_a_basic_auth_password_set_is_logged_masked() -> None:
    clock = ManualClock()
    link = make_link(make_station(clock), clock)
    link.connect()
    heartbeat = {
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
        "attributeValue": "120",
    }
    password = {
        "component": {"name": "SecurityCtrlr"},
        "variable": {"name": "BasicAuthPassword"},
        "attributeValue": NEW_PASSWORD,
    }
    answer = link.call_station("SetVariables", {"setVariableData": [heartbeat, password]})
    assert [result["attributeStatus"] for result in answer["setVariableResult"]] == [
        "Accepted",
        "Accepted",
    ]
    [change] = [frame for frame in _received(link) if "SetVariables" in frame]
    assert change.endswith(
        '"SetVariables",{"setVariableData":['
        '{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"},'
        '"attributeValue":"120"},'
        '{"component":{"name":"SecurityCtrlr"},"variable":{"name":"BasicAuthPassword"},'
        '"attributeValue":"********"}]}]'
    )
    assert all(NEW_PASSWORD not in line for line in link.station.frame_log.section())


def test_the_log_keeps_the_last_entries_oldest_first() -> None:
    log = FrameLog(3)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    for second in range(7):
        log.note(start + timedelta(seconds=second), f"event {second}")
    assert [event for _, _, event in log.entries()] == ["event 4", "event 5", "event 6"]
    assert log.section(start + timedelta(seconds=5)) == [
        "[log] the last 3 OCPP frames and events",
        "2030-01-01T00:00:05.000Z -- event 5",
        "2030-01-01T00:00:06.000Z -- event 6",
    ]


def test_a_log_of_size_zero_keeps_nothing() -> None:
    log = FrameLog(0)
    log.sent(datetime(2030, 1, 1, tzinfo=UTC), [b'[2,"1","Heartbeat",{}]'])
    assert log.entries() == []


def test_frames_sent_together_and_received_keep_their_order_in_a_full_log() -> None:
    log = FrameLog(2)
    at = datetime(2030, 1, 1, tzinfo=UTC)
    log.sent(at, [b"one", b"two", b"three"])
    log.received(at, b'[3,"1",{}]')
    assert log.entries() == [(at, ">>", b"three"), (at, "<<", '[3,"1",{}]')]
