"""OCPP 2.0.1 B: boot, the device model over the wire (B01-B07)."""

from __future__ import annotations

import random

import pytest

from chargeyard.protocol import CallErrorReply, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.support import set_variable, statuses, ts


def test_b01_cold_boot_accepted_then_every_connector_reports(link: Link) -> None:
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Accepted",
        "currentTime": ts(),
        "interval": 120,
    }
    link.connect()
    assert link.csms.received == [
        (
            "BootNotification",
            {
                "reason": "PowerUp",
                "chargingStation": {
                    "model": "NG910-60003",
                    "vendorName": "Alfen BV",
                    "firmwareVersion": "6.4.0-4206",
                },
            },
        ),
        (
            "StatusNotification",
            {"timestamp": ts(), "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
        ),
        # A critical security event (A04.FR.01).
        ("SecurityEventNotification", {"type": "StartupOfTheDevice", "timestamp": ts()}),
    ]
    assert link.station.registration is Registration.ACCEPTED
    # B01: the interval of the answer becomes OCPPCommCtrlr.HeartbeatInterval.
    assert link.station.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "120"
    link.csms.clear()
    link.run_for(240)
    assert link.csms.actions() == ["Heartbeat", "Heartbeat"]


def test_b01_two_evses_report_each_connector_and_the_serial_number(clock: ManualClock) -> None:
    station = StationV201(
        "CS-2",
        make_station(clock, "alfen-eve-double-pro-line").template,
        clock=clock,
        serial_number="SN-0042",
    )
    link = make_link(station, clock)
    link.connect()
    boot = link.csms.payloads("BootNotification")[0]
    assert boot["chargingStation"]["serialNumber"] == "SN-0042"
    assert statuses(link) == [(1, 1, "Available"), (2, 1, "Available")]


def test_b02_pending_station_answers_the_csms_but_sends_nothing_of_its_own(link: Link) -> None:
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Pending",
        "currentTime": ts(),
        "interval": 60,
    }
    link.connect()
    link.station.plug(1, 1)  # Occupied, but no StatusNotification before Accepted
    assert link.call_station("GetBaseReport", {"requestId": 1, "reportBase": "SummaryInventory"})
    # B02.FR.02: what the central system asked for may go while Pending.
    assert link.csms.actions() == ["BootNotification", "NotifyReport"]
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Accepted",
        "currentTime": ts(),
        "interval": 300,
    }
    answer = link.call_station("TriggerMessage", {"requestedMessage": "BootNotification"})
    assert answer == {"status": "Accepted"}
    assert link.csms.payloads("BootNotification")[-1]["reason"] == "Triggered"
    assert statuses(link) == [(1, 1, "Occupied")]
    # Accepted now: a triggered boot is refused (F06.FR.17).
    again = link.call_station("TriggerMessage", {"requestedMessage": "BootNotification"})
    assert again == {"status": "Rejected"}
    assert link.station.boot_reason == "PowerUp"


def test_b02_fr_05_pending_station_refuses_remote_start_and_stop(link: Link) -> None:
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Pending",
        "currentTime": ts(),
        "interval": 60,
    }
    link.connect()
    start = {"idToken": {"idToken": "TAG-1", "type": "ISO14443"}, "evseId": 1, "remoteStartId": 1}
    assert link.call_station("RequestStartTransaction", start) == {"status": "Rejected"}
    assert link.call_station("RequestStopTransaction", {"transactionId": "T-1"}) == {
        "status": "Rejected"
    }
    assert link.csms.actions() == ["BootNotification"]


def test_b03_fr_08_rejected_station_answers_security_error(link: Link) -> None:
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Rejected",
        "currentTime": ts(),
        "interval": 60,
    }
    link.connect()
    with pytest.raises(CallErrorReply) as refused:
        link.call_station("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"})
    assert refused.value.code == "SecurityError"
    assert link.csms.actions() == ["BootNotification"]  # and no NotifyReport
    link.csms.answers["BootNotification"] = lambda p: {
        "status": "Accepted",
        "currentTime": ts(),
        "interval": 300,
    }
    link.run_for(60)  # the next boot is Accepted: it answers again
    answer = link.call_station("GetBaseReport", {"requestId": 2, "reportBase": "FullInventory"})
    assert answer == {"status": "Accepted"}


def test_reconnecting_follows_the_retry_back_off_variables_once_set(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    rng = random.Random(1)
    assert station.reconnect_wait(0, rng) is None  # defaults: the runner's own back-off
    for name, value in (("RepeatTimes", "2"), ("RandomRange", "0"), ("WaitMinimum", "10")):
        assert set_variable(online, "OCPPCommCtrlr", f"RetryBackOff{name}", value) == "Accepted"
    # Part 4 section 5.3: the minimum, doubled after each failed attempt, twice at most.
    assert [station.reconnect_wait(n, rng) for n in range(5)] == [10, 20, 40, 40, 40]
    assert set_variable(online, "OCPPCommCtrlr", "RetryBackOffRandomRange", "3") == "Accepted"
    waits = [station.reconnect_wait(0, rng) for _ in range(50)]
    assert all(10 <= wait <= 13 for wait in waits if wait is not None)
    assert len({wait for wait in waits}) > 1  # a random part each time


def test_b04_short_absence_reports_only_changed_statuses(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    online.drop()
    online.auto_reconnect = False
    station.plug(1, 1)
    online.run_for(60)  # within OfflineThreshold (300 s)
    online.connect()
    assert online.csms.actions() == ["StatusNotification"]
    assert statuses(online) == [(1, 1, "Occupied")]
    online.csms.clear()
    online.drop()
    online.run_for(301)  # beyond the threshold: every connector, changed or not
    online.connect()
    assert statuses(online) == [(1, 1, "Occupied")]


def _get(link: Link, *items: Payload) -> list[Payload]:
    answer = link.call_station("GetVariables", {"getVariableData": list(items)})
    results: list[Payload] = answer["getVariableResult"]
    return results


def test_b06_get_variables_answers_each_item(online: Link) -> None:
    evse = {"name": "EVSE", "evse": {"id": 1}}
    connector = {"name": "Connector", "evse": {"id": 1, "connectorId": 1}}
    results = _get(
        online,
        {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
        {"component": evse, "variable": {"name": "Power"}, "attributeType": "MaxSet"},
        {"component": connector, "variable": {"name": "ConnectorType"}},
        {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}},
        {"component": {"name": "Nope"}, "variable": {"name": "HeartbeatInterval"}},
        {"component": {"name": "EVSE", "evse": {"id": 9}}, "variable": {"name": "Power"}},
        {"component": {"name": "TxCtrlr"}, "variable": {"name": "Nope"}},
        {
            "component": {"name": "TxCtrlr"},
            "variable": {"name": "TxStartPoint"},
            "attributeType": "Target",
        },
    )
    assert results == [
        {
            "attributeStatus": "Accepted",
            "attributeType": "Actual",
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
            "attributeValue": "300",
        },
        {
            "attributeStatus": "Accepted",
            "attributeType": "MaxSet",
            "component": evse,
            "variable": {"name": "Power"},
            "attributeValue": "7360",
        },
        {
            "attributeStatus": "Accepted",
            "attributeType": "Actual",
            "component": connector,
            "variable": {"name": "ConnectorType"},
            "attributeValue": "sType2",
        },
        {  # WriteOnly: never read back
            "attributeStatus": "Rejected",
            "attributeType": "Actual",
            "component": {"name": "SecurityCtrlr"},
            "variable": {"name": "BasicAuthPassword"},
        },
        {
            "attributeStatus": "UnknownComponent",
            "attributeType": "Actual",
            "component": {"name": "Nope"},
            "variable": {"name": "HeartbeatInterval"},
        },
        {
            "attributeStatus": "UnknownComponent",
            "attributeType": "Actual",
            "component": {"name": "EVSE", "evse": {"id": 9}},
            "variable": {"name": "Power"},
        },
        {
            "attributeStatus": "UnknownVariable",
            "attributeType": "Actual",
            "component": {"name": "TxCtrlr"},
            "variable": {"name": "Nope"},
        },
        {
            "attributeStatus": "NotSupportedAttributeType",
            "attributeType": "Target",
            "component": {"name": "TxCtrlr"},
            "variable": {"name": "TxStartPoint"},
        },
    ]


def test_b06_live_values_follow_the_station(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    online.run_for(10)
    connector = {"name": "Connector", "evse": {"id": 1, "connectorId": 1}}
    results = _get(
        online,
        {"component": connector, "variable": {"name": "AvailabilityState"}},
        {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}},
        {"component": {"name": "ClockCtrlr"}, "variable": {"name": "DateTime"}},
    )
    assert [r["attributeValue"] for r in results] == ["Occupied", "7360.0", ts(10)]


def test_b06_more_items_than_items_per_message_is_a_callerror(online: Link) -> None:
    item = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    with pytest.raises(CallErrorReply) as raised:
        online.call_station("GetVariables", {"getVariableData": [item] * 51})
    assert raised.value.code == "OccurrenceConstraintViolation"
    assert len(_get(online, *[item] * 50)) == 50


def test_b05_set_variables_heartbeat_interval_applies_at_once(online: Link) -> None:
    online.run_for(100)
    assert set_variable(online, "OCPPCommCtrlr", "HeartbeatInterval", "60") == "Accepted"
    online.run_for(59)
    assert online.csms.actions() == []
    online.run_for(1)
    assert online.csms.actions() == ["Heartbeat"]
    assert online.station.heartbeat_interval == 60


def test_b05_set_variables_answers_each_item(online: Link) -> None:
    def item(component: Payload, variable: str, value: str, **extra: str) -> Payload:
        return {
            "component": component,
            "variable": {"name": variable},
            "attributeValue": value,
            **extra,
        }

    tx = {"name": "TxCtrlr"}
    comm = {"name": "OCPPCommCtrlr"}
    answer = online.call_station(
        "SetVariables",
        {
            "setVariableData": [
                item(tx, "TxStopPoint", "EVConnected"),
                item(tx, "StopTxOnInvalidId", "FALSE"),
                item(comm, "HeartbeatInterval", "often"),
                item(comm, "HeartbeatInterval", "-1"),
                item(tx, "TxStartPoint", "ParkingBayOccupancy"),
                item({"name": "ChargingStation"}, "Model", "X"),
                item(comm, "WebSocketPingInterval", "30"),
                item({"name": "Nope"}, "Enabled", "true"),
                item(tx, "Nope", "1"),
                item(tx, "TxStartPoint", "Authorized", attributeType="MaxSet"),
            ]
        },
    )

    def result(component: Payload, variable: str, status: str, **extra: object) -> Payload:
        return {
            "attributeType": extra.pop("attributeType", "Actual"),
            "attributeStatus": status,
            "component": component,
            "variable": {"name": variable},
            **extra,
        }

    assert answer == {
        "setVariableResult": [
            result(tx, "TxStopPoint", "Accepted"),
            result(tx, "StopTxOnInvalidId", "Accepted"),
            result(
                comm,
                "HeartbeatInterval",
                "Rejected",
                attributeStatusInfo={"reasonCode": "InvalidValue"},
            ),
            result(
                comm,
                "HeartbeatInterval",
                "Rejected",
                attributeStatusInfo={"reasonCode": "OutOfRange"},
            ),
            result(
                tx, "TxStartPoint", "Rejected", attributeStatusInfo={"reasonCode": "OutOfRange"}
            ),
            result(
                {"name": "ChargingStation"},
                "Model",
                "Rejected",
                attributeStatusInfo={"reasonCode": "ReadOnly"},
            ),
            result(comm, "WebSocketPingInterval", "RebootRequired"),
            result({"name": "Nope"}, "Enabled", "UnknownComponent"),
            result(tx, "Nope", "UnknownVariable"),
            result(tx, "TxStartPoint", "NotSupportedAttributeType", attributeType="MaxSet"),
        ]
    }
    dm = online.station.device_model  # type: ignore[attr-defined]
    assert dm.value("TxCtrlr", "TxStopPoint") == "EVConnected"
    assert dm.value("TxCtrlr", "StopTxOnInvalidId") == "false"
    assert dm.value("OCPPCommCtrlr", "HeartbeatInterval") == "300"
    assert dm.value("OCPPCommCtrlr", "WebSocketPingInterval") == "30"  # stored for the reboot


def test_b05_authorization_policy_follows_auth_ctrlr(online: Link) -> None:
    station = online.station
    assert isinstance(station, StationV201)
    assert not station.model.policy.local_pre_authorize
    assert set_variable(online, "AuthCtrlr", "LocalPreAuthorize", "true") == "Accepted"
    assert set_variable(online, "AuthCtrlr", "AuthorizeRemoteStart", "true") == "Accepted"
    assert station.model.policy.local_pre_authorize
    assert station.model.policy.authorize_remote_tx_requests
