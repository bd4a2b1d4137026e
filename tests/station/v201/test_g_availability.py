"""OCPP 2.0.1 G: status notifications, ChangeAvailability, faults; going offline."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V201, OcppError, Payload
from chargeyard.protocol.fields import request_field
from chargeyard.station.clock import ManualClock
from chargeyard.station.v201 import StationV201
from chargeyard.station.v201.availability import FAULT_REASONS
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import events, statuses, ts


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _change(link: Link, status: str, **evse: Any) -> Payload:
    payload: Payload = {"operationalStatus": status}
    if evse:
        payload["evse"] = evse
    return link.call_station("ChangeAvailability", payload)


def test_g01_only_changes_of_the_2_0_1_status_are_reported(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)  # Available -> Occupied
    station.present_id_token("TAG-1")  # Preparing -> Charging: still Occupied
    online.pump()
    station.ev_suspend(1)
    station.present_id_token("TAG-1")
    station.unplug(1, 1)
    online.pump()
    assert online.csms.payloads("StatusNotification") == [
        {"timestamp": ts(), "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
        {"timestamp": ts(), "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
    ]


def test_g03_connector_inoperative_at_once_when_idle(online: Link) -> None:
    station = _station(online)
    assert _change(online, "Inoperative", id=1, connectorId=1) == {"status": "Accepted"}
    assert statuses(online) == [(1, 1, "Unavailable")]
    with pytest.raises(OcppError):
        station.plug(1, 1)
    assert _change(online, "Inoperative", id=1) == {"status": "Accepted"}  # already so
    assert _change(online, "Operative", id=1) == {"status": "Accepted"}
    assert statuses(online) == [(1, 1, "Unavailable"), (1, 1, "Available")]


def test_g03_change_availability_scheduled_until_the_transaction_ends(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()
    assert _change(online, "Inoperative", id=1) == {"status": "Scheduled"}
    assert statuses(online) == []
    online.run_for(60)
    station.present_id_token("TAG-1")  # the transaction ends; the cable stays in
    online.pump()
    assert events(online)[-1]["eventType"] == "Ended"
    assert statuses(online) == [(1, 1, "Unavailable")]
    assert station.availability_state(1, None) == "Unavailable"


def test_g03_unknown_evse_or_connector_is_rejected(online: Link) -> None:
    assert _change(online, "Inoperative", id=2) == {"status": "Rejected"}
    assert _change(online, "Inoperative", id=1, connectorId=3) == {"status": "Rejected"}
    assert _change(online, "Inoperative", id=0, connectorId=1) == {"status": "Rejected"}


def test_g04_the_whole_station(clock: ManualClock) -> None:
    station = make_station(clock, "alfen-eve-double-pro-line")
    link = make_link(station, clock)
    link.connect()
    station.plug(2, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()
    assert _change(link, "Inoperative") == {"status": "Scheduled"}
    assert statuses(link) == [(1, 1, "Unavailable")]  # EVSE 2 charges on
    assert station.availability_state(None, None) == "Unavailable"
    assert station.transactions.evse_for_new_session(None) is None
    station.unplug(2, 1)
    link.pump()
    assert statuses(link) == [(1, 1, "Unavailable"), (2, 1, "Available"), (2, 1, "Unavailable")]
    link.csms.clear()
    assert _change(link, "Operative", id=0) == {"status": "Accepted"}
    assert statuses(link) == [(1, 1, "Available"), (2, 1, "Available")]


def test_g_a_fault_ends_the_transaction_and_is_reported(online: Link) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.csms.clear()
    station.inject_fault(1, 1, StationV201.TERMS.fault_named("GroundFault"))
    online.pump()
    [ended] = events(online)
    assert (ended["triggerReason"], ended["transactionInfo"]["stoppedReason"]) == (
        "AbnormalCondition",
        "GroundFault",
    )
    assert statuses(online) == [(1, 1, "Faulted")]
    with pytest.raises(OcppError):
        station.present_id_token("TAG-2")
    station.clear_fault(1, 1)
    online.pump()
    assert statuses(online) == [(1, 1, "Faulted"), (1, 1, "Occupied")]  # the cable is in
    station.present_id_token("TAG-2")  # a new session on the same cable
    online.pump()
    assert events(online)[-2]["eventType"] == "Started"


def test_go_offline_keeps_transaction_events_and_come_online_delivers_them(
    online: Link,
) -> None:
    station = _station(online)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    station.go_offline()
    online.follow_station()
    assert not online.up
    online.run_for(120)
    assert not online.up  # the network stays down, whatever the runner tries
    online.csms.clear()
    station.come_online()
    online.follow_station()
    assert online.up
    assert online.csms.actions() == ["TransactionEvent", "TransactionEvent"]
    assert [e["offline"] for e in events(online)] == [True, True]


def test_the_fault_reasons_are_reason_enum_type_values() -> None:
    allowed = request_field(V201.schemas, "TransactionEvent", "transactionInfo.stoppedReason")
    assert set(FAULT_REASONS) <= set(allowed.allowed or ())
