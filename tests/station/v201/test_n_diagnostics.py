"""OCPP 2.0.1 N01: GetLog, the file it uploads, and LogStatusNotification. Transfers are
scripted (``ScriptedIO``)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v201.support import ts

LOG_URL = "ftp://user:secret@127.0.0.1/logs/"


@pytest.fixture
def io(station: StationV201, link: Link, clock: ManualClock) -> ScriptedIO:
    scripted = ScriptedIO(clock.monotonic)
    scripted.after = link.pump
    station.io = scripted
    return scripted


def _get_log(
    link: Link, request_id: int = 11, log_type: str = "DiagnosticsLog", **fields: Any
) -> Payload:
    window = {"remoteLocation": fields.pop("location", LOG_URL), **fields.pop("log", {})}
    payload = {"logType": log_type, "requestId": request_id, "log": window, **fields}
    return link.call_station("GetLog", payload)


def _log_statuses(link: Link) -> list[Payload]:
    return link.csms.payloads("LogStatusNotification")


def _trigger(link: Link) -> Payload:
    link.csms.clear()
    answer = link.call_station("TriggerMessage", {"requestedMessage": "LogStatusNotification"})
    assert answer == {"status": "Accepted"}
    [notification] = _log_statuses(link)
    return notification


def test_n01_get_log_uploads_a_real_file(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.run_for(60)
    online.csms.clear()
    answer = _get_log(online, retries=1, retryInterval=10)
    assert answer == {"status": "Accepted", "filename": "CS-1-DiagnosticsLog-20260101T000100Z.log"}
    assert _log_statuses(online) == [{"status": "Uploading", "requestId": 11}]  # N01.FR.08
    assert _trigger(online) == {"status": "Uploading", "requestId": 11}
    [upload] = io.requested_uploads
    assert (upload.url, upload.filename) == (LOG_URL, answer["filename"])
    text = upload.content.decode()
    assert text.startswith("chargeyard diagnostics (OCPP 2.0.1)\nstation: CS-1\n")
    assert f"firmware: {station.model.firmware_version}\n" in text
    assert "template: alfen-eve-single-pro-line (Alfen BV NG910-60003)\n" in text
    assert "\nEVSE 1 connector 1: Occupied (Charging), sType2, cable plugged\n" in text
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    assert f"EVSE 1: transaction {transaction.local_id} (" in text
    assert "\nOCPPCommCtrlr.HeartbeatInterval = 300\n" in text
    assert "\nConnector[1][1].ConnectorType = sType2\n" in text
    assert "BasicAuthPassword" not in text  # WriteOnly: never written out
    log = text.split("[log]", 1)[1]
    assert '>> [2,"m1","BootNotification",' in log
    assert '"TransactionEvent",{"eventType":"Started"' in log
    assert '"GetLog",{"logType":"DiagnosticsLog"' in log
    io.finish_upload()
    assert _log_statuses(online)[-1] == {"status": "Uploaded", "requestId": 11}  # N01.FR.09
    assert _trigger(online) == {"status": "Idle"}  # N01.FR.12


def test_n01_a_failed_upload_is_retried_then_upload_failure(online: Link, io: ScriptedIO) -> None:
    _get_log(online, 12, retries=1, retryInterval=10)
    io.fail_upload()
    online.run_for(10)
    io.fail_upload("HTTP 403 Forbidden")
    assert [u.at for u in io.requested_uploads] == [0.0, 10.0]
    assert _log_statuses(online) == [
        {"status": "Uploading", "requestId": 12},
        {"status": "UploadFailure", "requestId": 12},  # N01.FR.10
    ]
    # The file of a later request tells what happened.
    _get_log(online, 13)
    text = io.requested_uploads[-1].content.decode()
    assert "-- log: upload attempt 1 of 2 failed: HTTP 503 Service Unavailable" in text
    assert "-- log: HTTP 403 Forbidden" in text


def test_n01_a_new_get_log_cancels_the_upload_under_way(online: Link, io: ScriptedIO) -> None:
    _get_log(online, 11)
    answer = _get_log(online, 12, log_type="SecurityLog")
    assert answer == {
        "status": "AcceptedCanceled",
        "filename": "CS-1-SecurityLog-20260101T000000Z.log",
    }
    io.finish_upload()  # the first: cancelled, too late
    io.finish_upload()
    assert _log_statuses(online) == [
        {"status": "Uploading", "requestId": 11},
        {"status": "AcceptedCanceled", "requestId": 11},  # N01.FR.11
        {"status": "Uploading", "requestId": 12},
        {"status": "Uploaded", "requestId": 12},
    ]


def test_n01_security_log_lists_security_events(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    online.follow_station()
    online.run_for(65)
    _get_log(online, 14, log_type="SecurityLog")
    text = io.requested_uploads[0].content.decode()
    assert text.startswith("chargeyard security log (OCPP 2.0.1)\nstation: CS-1\n")
    assert text.split("[security events]\n", 1)[1].splitlines() == [
        f"{ts(0)} StartupOfTheDevice",
        f"{ts(0)} ResetOrReboot boot reason RemoteReset",
        f"{ts(6)} StartupOfTheDevice",  # off after 1 s (power.CLOSE_WAIT_AFTER_RESET_S), 5 s off
    ]
    assert "[log]" not in text


def test_n01_power_going_is_no_reset_or_reboot(
    online: Link, station: StationV201, io: ScriptedIO, caplog: pytest.LogCaptureFixture
) -> None:
    # Part 2 "Security events": ResetOrReboot is a reset or reboot the station makes (a Reset,
    # a firmware installation). A power cycle or a switch-off is none: the next power-on
    # logs StartupOfTheDevice, and nothing claims a reboot on the way down.
    caplog.set_level(logging.INFO, logger="chargeyard.station")
    station.reboot()  # the power cycled (boot reason PowerUp)
    online.follow_station()
    online.run_for(65)
    _get_log(online, 14, log_type="SecurityLog")
    text = io.requested_uploads[0].content.decode()
    assert text.split("[security events]\n", 1)[1].splitlines() == [
        f"{ts(0)} StartupOfTheDevice",
        f"{ts(5)} StartupOfTheDevice",
    ]
    station.switch_off()  # the process hosting it ends
    online.follow_station()
    online.run_for(1)
    assert not station.powered
    assert "ResetOrReboot" not in caplog.text


def test_n01_oldest_and_latest_timestamp_limit_the_log(online: Link, io: ScriptedIO) -> None:
    online.run_for(600)  # Heartbeats at 00:05:00 and 00:10:00
    window = {"oldestTimestamp": ts(240), "latestTimestamp": ts(360)}
    _get_log(online, log=window)
    text = io.requested_uploads[0].content.decode()
    assert f"period: {ts(240)} .. {ts(360)}\n" in text
    log = text.split("[log] the last 32 OCPP frames and events\n", 1)[1].splitlines()
    assert [line.split(" ", 2)[:2] for line in log] == [[ts(300), ">>"], [ts(300), "<<"]]
    assert '"Heartbeat",{}]' in log[0]


def test_n01_a_window_that_holds_nothing_is_rejected(online: Link, io: ScriptedIO) -> None:
    window = {"oldestTimestamp": ts(360), "latestTimestamp": ts(240)}
    assert _get_log(online, log=window) == {"status": "Rejected"}
    assert io.requested_uploads == []
    assert online.csms.actions() == []


def test_n01_a_reboot_abandons_the_upload(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    _get_log(online)
    station.reboot()
    online.follow_station()
    online.run_for(5)
    io.finish_upload()  # too late: nothing is reported
    assert _log_statuses(online) == [{"status": "Uploading", "requestId": 11}]
    assert _trigger(online) == {"status": "Idle"}


def test_a04_critical_security_events_reach_the_csms_once_it_can_hear_them(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.security_event("SettingSystemTime", "clock moved 90 s")
    online.pump()
    assert online.csms.received == [
        (
            "SecurityEventNotification",
            {"type": "SettingSystemTime", "timestamp": ts(), "techInfo": "clock moved 90 s"},
        )
    ]
    online.csms.clear()
    station.security_event("InvalidMessages")  # not critical: kept in the security log only
    online.drop()
    online.auto_reconnect = False
    station.security_event("TamperDetectionActivated")  # offline: kept for later (A04.FR.02)
    assert online.csms.received == []
    online.run_for(10)
    online.connect()
    assert online.csms.received == [
        ("SecurityEventNotification", {"type": "TamperDetectionActivated", "timestamp": ts()})
    ]


def test_a04_an_unconfirmed_security_event_is_sent_again(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    confirm = online.csms.answers["SecurityEventNotification"]
    online.csms.answers["SecurityEventNotification"] = lambda p: {"unexpected": True}
    station.security_event("MemoryExhaustion")  # the answer breaks the schema: not confirmed
    online.pump()
    online.csms.answers["SecurityEventNotification"] = confirm
    online.drop()
    online.csms.clear()
    online.connect()
    assert online.csms.actions() == ["SecurityEventNotification"]
    online.drop()
    online.csms.clear()
    online.connect()
    assert online.csms.actions() == []  # confirmed the second time
