"""OCPP 2.0.1 O01-O06: display messages set, replaced, read back, cleared, and shown and
removed on the station's clock."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import ts


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _message(id: int, content: str = "Welcome", **fields: Any) -> Payload:
    return {
        "id": id,
        "priority": "NormalCycle",
        "message": {"format": "UTF8", "content": content},
        **fields,
    }


def _set(link: Link, message: Payload) -> Payload:
    return link.call_station("SetDisplayMessage", {"message": message})


def _shown(link: Link) -> list[int]:
    return [message["id"] for message in _station(link).display_messages.shown()]


def _log(link: Link) -> list[str]:
    return [line for line in _station(link).frame_log.section() if " -- display:" in line]


def test_o01_a_message_shows_from_its_start_until_its_end(online: Link) -> None:
    message = _message(1, startDateTime=ts(60), endDateTime=ts(120))
    assert _set(online, message) == {"status": "Accepted"}
    assert _shown(online) == []  # O01.FR.06: not before its start
    online.run_for(60)
    assert _shown(online) == [1]
    online.run_for(60)
    assert _shown(online) == []  # O01.FR.07: removed at its end
    assert _log(online) == [
        f"{ts()} -- display: message 1 set (NormalCycle): Welcome",
        f"{ts(60)} -- display: showing message 1",
        f"{ts(120)} -- display: message 1 removed (its endDateTime passed)",
    ]
    assert online.call_station("GetDisplayMessages", {"requestId": 1}) == {"status": "Unknown"}
    assert _station(online).device_model.value("DisplayMessageCtrlr", "DisplayMessages") == "0"


def test_o01_what_the_station_cannot_show_is_refused(online: Link) -> None:
    station = _station(online)
    html = {**_message(1), "message": {"format": "HTML", "content": "<b>hi</b>"}}
    assert _set(online, html) == {"status": "NotSupportedMessageFormat"}  # O01.FR.03
    station.device_model.write("DisplayMessageCtrlr", "SupportedPriorities", "NormalCycle")
    assert _set(online, _message(1, priority="InFront")) == {"status": "NotSupportedPriority"}
    assert _set(online, _message(1, transactionId="no-such")) == {
        "status": "UnknownTransaction"  # O02.FR.01
    }
    backwards = _message(1, startDateTime=ts(60), endDateTime=ts(30))
    assert _set(online, backwards) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "InvalidPeriod"},
    }
    assert station.display_messages.messages == {}


def test_o01_no_more_messages_than_its_display_messages_max_limit(online: Link) -> None:
    for id in range(1, 11):
        assert _set(online, _message(id)) == {"status": "Accepted"}
    assert _set(online, _message(11)) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "TooManyMessages"},  # O01.FR.11
    }
    assert _set(online, _message(10, "replaced")) == {"status": "Accepted"}  # no new one


def test_o01_disabled_display_messages_are_rejected(online: Link) -> None:
    station = _station(online)
    station.device_model.write("DisplayMessageCtrlr", "Enabled", "false")
    assert _set(online, _message(1)) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "Disabled"},
    }


def test_o01_always_front_shows_alone_and_replaces_the_previous_one(online: Link) -> None:
    _set(online, _message(1))
    _set(online, _message(2, priority="InFront"))
    assert _shown(online) == [2, 1]  # O01.FR.13: in front of the normal cycle
    _set(online, _message(3, priority="AlwaysFront"))
    assert _shown(online) == [3]  # O01.FR.15
    _set(online, _message(4, priority="AlwaysFront"))
    assert sorted(_station(online).display_messages.messages) == [1, 2, 4]  # O01.FR.16
    assert _shown(online) == [4]


def test_o02_a_transactions_message_goes_when_the_transaction_ends(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    message = _message(5, "Charging at 22 kW", transactionId=transaction.local_id)
    assert _set(online, message) == {"status": "Accepted"}
    assert _shown(online) == [5]
    station.present_id_token("TAG-1")  # E07: stopped
    online.pump()
    assert station.display_messages.messages == {}  # O02.FR.02
    assert _log(online)[-1] == f"{ts()} -- display: message 5 removed (its transaction ended)"


def test_o01_a_message_with_a_state_shows_in_that_state(online: Link) -> None:
    station = _station(online)
    _set(online, _message(1, state="Charging"))
    _set(online, _message(2, state="Idle"))
    _set(online, _message(3, state="Faulted", display={"name": "Display", "evse": {"id": 1}}))
    assert _shown(online) == [2]
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    assert _shown(online) == [1]
    station.inject_fault(1, 1)
    assert _shown(online) == [3]


def test_o06_a_message_of_the_same_id_is_replaced_whole(online: Link) -> None:
    _set(online, _message(1, "Welcome", startDateTime=ts(600)))
    replacement = {**_message(1, "Closed for maintenance"), "priority": "InFront"}
    assert _set(online, replacement) == {"status": "Accepted"}  # O06.FR.01
    assert _shown(online) == [1]  # the old start time went with the old message
    online.call_station("GetDisplayMessages", {"requestId": 4})
    assert online.csms.payloads("NotifyDisplayMessages") == [
        {"requestId": 4, "messageInfo": [replacement]}
    ]


def test_o03_every_message_in_parts(online: Link) -> None:
    messages = [_message(id, f"message {id}") for id in (1, 2, 3)]
    for message in messages:
        _set(online, message)
    _station(online).device_model.write("DeviceDataCtrlr", "ItemsPerMessage", "2", "GetReport")
    assert online.call_station("GetDisplayMessages", {"requestId": 8}) == {"status": "Accepted"}
    assert (
        online.csms.payloads("NotifyDisplayMessages")
        == [
            {"requestId": 8, "messageInfo": messages[:2], "tbc": True},  # O03.FR.03-05
            {"requestId": 8, "messageInfo": messages[2:]},
        ]
    )


def test_o03_no_message_at_all_is_unknown(online: Link) -> None:
    assert online.call_station("GetDisplayMessages", {"requestId": 8}) == {"status": "Unknown"}
    assert online.csms.payloads("NotifyDisplayMessages") == []  # O03.FR.06


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ({"id": [2, 3, 9]}, [2, 3]),
        ({"priority": "InFront"}, [2]),
        ({"state": "Idle"}, [3]),
        ({"priority": "NormalCycle", "state": "Idle"}, [3]),
        ({"id": [1], "priority": "InFront"}, None),  # O04.FR.02: nothing matches every filter
    ],
)
def test_o04_specific_messages(online: Link, query: Payload, ids: list[int] | None) -> None:
    _set(online, _message(1))
    _set(online, _message(2, priority="InFront"))
    _set(online, _message(3, state="Idle"))
    answer = online.call_station("GetDisplayMessages", {"requestId": 3, **query})
    if ids is None:
        assert answer == {"status": "Unknown"}
        return
    assert answer == {"status": "Accepted"}  # O04.FR.01
    [notify] = online.csms.payloads("NotifyDisplayMessages")
    assert [m["id"] for m in notify["messageInfo"]] == ids


def test_o05_clear_a_message(online: Link) -> None:
    _set(online, _message(1))
    assert online.call_station("ClearDisplayMessage", {"id": 1}) == {"status": "Accepted"}
    assert online.call_station("ClearDisplayMessage", {"id": 1}) == {"status": "Unknown"}
    assert _shown(online) == []


def test_o01_messages_survive_a_reboot_and_still_end_on_time(online: Link) -> None:
    _set(online, _message(1, endDateTime=ts(600)))
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    online.follow_station()
    online.run_for(6)  # off 1 s after the answer (power.CLOSE_WAIT_AFTER_RESET_S), then 5 s
    assert "BootNotification" in online.csms.actions()
    assert _shown(online) == [1]  # O01.FR.10
    online.run_for(600)
    assert _shown(online) == []
    assert _log(online)[-1] == f"{ts(600)} -- display: message 1 removed (its endDateTime passed)"
