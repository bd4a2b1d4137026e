"""The security whitepaper on a 1.6 station, without TLS or certificates: the security log and
GetLog (N01), and the AuthorizationKey the central system changes (A01, 7.2)."""

from __future__ import annotations

import pytest

from chargeyard.station.clock import ManualClock
from chargeyard.station.tls import Refusal
from chargeyard.station.v16 import StationV16
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link

LOG_URL = "https://logs.example/upload/"
NEW_KEY = "00112233445566778899aabbccddeeff"  # 16 bytes


@pytest.fixture
def io(station: StationV16, link: Link, clock: ManualClock) -> ScriptedIO:
    scripted = ScriptedIO(clock.monotonic)
    scripted.after = link.pump
    station.io = scripted
    return scripted


def _get_log(link: Link, request_id: int = 7) -> object:
    return link.call_station(
        "GetLog",
        {
            "logType": "SecurityLog",
            "requestId": request_id,
            "log": {"remoteLocation": LOG_URL},
            "retries": 0,
        },
    )


def test_n01_the_security_log_is_uploaded_with_its_request_id(
    online: Link, station: StationV16, io: ScriptedIO
) -> None:
    online.call_station("ChangeConfiguration", {"key": "AuthorizationKey", "value": NEW_KEY})
    online.run_for(1)  # it connects again with the new key
    online.csms.clear()
    assert _get_log(online) == {
        "status": "Accepted",
        "filename": "CP-1-security-20260101T000001Z.log",
    }
    assert online.csms.payloads("LogStatusNotification") == [
        {"status": "Uploading", "requestId": 7}
    ]
    [upload] = io.requested_uploads
    text = upload.content.decode()
    assert text.startswith("chargeyard security log (OCPP 1.6): CP-1\n")
    assert "ReconfigurationOfSecurityParameters AuthorizationKey changed" in text
    assert NEW_KEY not in text  # A01.FR.12: the key itself is never logged
    io.finish_upload()
    assert online.csms.payloads("LogStatusNotification")[1:] == [
        {"status": "Uploaded", "requestId": 7}
    ]


def test_n01_a_failed_upload_is_upload_failure(online: Link, io: ScriptedIO) -> None:
    _get_log(online, 8)
    io.fail_upload()
    assert online.csms.payloads("LogStatusNotification") == [
        {"status": "Uploading", "requestId": 8},
        {"status": "UploadFailure", "requestId": 8},
    ]


def test_n01_a_newer_request_cancels_the_upload_under_way(online: Link, io: ScriptedIO) -> None:
    _get_log(online, 1)
    assert _get_log(online, 2) == {
        "status": "AcceptedCanceled",
        "filename": "CP-1-security-20260101T000000Z.log",
    }


def test_a01_a_new_authorization_key_is_the_password_of_a_new_connection(
    online: Link, station: StationV16
) -> None:
    answer = online.call_station(
        "ChangeConfiguration", {"key": "AuthorizationKey", "value": NEW_KEY}
    )
    assert answer == {"status": "Accepted"}
    assert station.password == NEW_KEY
    online.csms.clear()
    station.tick()  # once the answer is out, it closes the connection...
    assert not station.wants_connection
    online.follow_station()
    assert not online.up
    assert station.wants_connection  # ...and connects again at once, without a new boot
    online.follow_station()
    assert online.up
    assert "BootNotification" not in online.csms.actions()


@pytest.mark.parametrize("value", ["too-short", "00112233445566778899aabbccddeeff00112233aa"])
def test_7_2_an_authorization_key_is_16_to_20_bytes_in_hexadecimal(
    online: Link, station: StationV16, value: str
) -> None:
    answer = online.call_station("ChangeConfiguration", {"key": "AuthorizationKey", "value": value})
    assert answer == {"status": "Rejected"}
    assert station.password is None


def test_7_2_the_authorization_key_is_write_only(online: Link, station: StationV16) -> None:
    online.call_station("ChangeConfiguration", {"key": "AuthorizationKey", "value": NEW_KEY})
    everything = online.call_station("GetConfiguration", {})
    assert "AuthorizationKey" not in {entry["key"] for entry in everything["configurationKey"]}
    asked = online.call_station("GetConfiguration", {"key": ["AuthorizationKey"]})
    assert asked == {"configurationKey": [{"key": "AuthorizationKey", "readonly": False}]}


def test_8_a_critical_event_offline_reaches_the_central_system_once_back(
    online: Link, station: StationV16
) -> None:
    online.drop()
    online.auto_reconnect = False
    station.tls_refused(Refusal.CERTIFICATE, "server certificate not valid: expired")
    assert online.csms.received == []
    online.run_for(10)
    online.connect()
    [event] = online.csms.payloads("SecurityEventNotification")
    assert event["type"] == "InvalidCentralSystemCertificate"
    assert event["techInfo"] == "server certificate not valid: expired"
    assert b"InvalidCentralSystemCertificate" in station.security.security_file()
    online.drop()
    online.csms.clear()
    online.connect()
    assert online.csms.payloads("SecurityEventNotification") == []  # confirmed: sent once


def test_8_an_unconfirmed_event_is_sent_again_on_the_next_connection(
    online: Link, station: StationV16
) -> None:
    confirm = online.csms.answers["SecurityEventNotification"]
    online.csms.answers["SecurityEventNotification"] = lambda p: {"unexpected": True}
    station.tls_refused(Refusal.VERSION, "no TLS version from 1.2 on offered")
    online.pump()
    online.csms.answers["SecurityEventNotification"] = confirm
    online.drop()
    online.csms.clear()
    online.connect()
    [event] = online.csms.payloads("SecurityEventNotification")
    assert event["type"] == "InvalidTLSVersion"
