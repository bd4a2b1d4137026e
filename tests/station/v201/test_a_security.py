"""OCPP 2.0.1 A01: the CSMS changes the station's HTTP Basic password (SecurityCtrlr.
BasicAuthPassword), which every connection presents from then on."""

from __future__ import annotations

import pytest

from chargeyard.station.v201 import StationV201
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v201.support import set_variable

NEW = "Fresh-Basic_Auth:Pass|word@1"  # a passwordString of 28 characters


def _set(link: Link, value: str) -> dict[str, object]:
    answer = link.call_station(
        "SetVariables",
        {
            "setVariableData": [
                {
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                    "attributeValue": value,
                }
            ]
        },
    )
    result: dict[str, object] = answer["setVariableResult"][0]
    return result


def test_a01_a_new_password_is_the_one_of_the_next_connection_at_once(
    online: Link, station: StationV201
) -> None:
    assert set_variable(online, "SecurityCtrlr", "BasicAuthPassword", NEW) == "Accepted"
    assert station.password == NEW
    online.csms.clear()
    station.tick()  # once the answer is out, it closes the connection...
    assert not station.wants_connection
    online.follow_station()
    assert not online.up
    assert station.wants_connection  # ...and connects again at once, without a new boot
    online.follow_station()
    assert online.up
    assert "BootNotification" not in online.csms.actions()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("short-password", "OutOfRange"),  # 14 characters (A00.FR.205: 16 at least)
        ("", "OutOfRange"),
        ("a" * 41, "OutOfRange"),  # maxLimit 40
        ("sixteen chars ok", "InvalidValue"),  # a space: not a passwordString character
        ("password-with-!-in-it", "InvalidValue"),
    ],
)
def test_a00_fr_205_a_password_is_a_password_string_of_16_to_40_characters(
    online: Link, station: StationV201, value: str, reason: str
) -> None:
    result = _set(online, value)
    assert result["attributeStatus"] == "Rejected"
    assert result["attributeStatusInfo"] == {"reasonCode": reason}
    assert station.password is None
    station.tick()
    assert station.wants_connection  # the connection stays


def test_a01_fr_11_the_change_is_in_the_security_log_without_the_password(
    online: Link, station: StationV201, io: ScriptedIO
) -> None:
    assert set_variable(online, "SecurityCtrlr", "BasicAuthPassword", NEW) == "Accepted"
    online.call_station(
        "GetLog",
        {"logType": "SecurityLog", "requestId": 3, "log": {"remoteLocation": "ftp://h/logs/"}},
    )
    text = io.requested_uploads[0].content.decode()
    events = text.split("[security events]\n", 1)[1]
    assert "ReconfigurationOfSecurityParameters BasicAuthPassword changed" in events
    assert NEW not in text  # A01.FR.12


@pytest.fixture
def io(station: StationV201, online: Link) -> ScriptedIO:
    scripted = ScriptedIO(station.clock.monotonic)
    scripted.after = online.pump
    station.io = scripted
    return scripted
