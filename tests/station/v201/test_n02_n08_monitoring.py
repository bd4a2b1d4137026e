"""OCPP 2.0.1 N02-N08: monitors set on the station's variables, their report, base, level and
clearing, and the NotifyEvent requests they make (thresholds, deltas, periodic), on the
station's clock."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import CallErrorReply, Payload
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import set_variable, ts

EVSE_POWER = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}
CONNECTOR_STATE = {
    "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
    "variable": {"name": "AvailabilityState"},
}
PASSWORD = {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}
HARD_WIRED = 1  # the station's own monitor (on BasicAuthPassword)


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _set(link: Link, *items: Payload) -> list[Payload]:
    answer = link.call_station("SetVariableMonitoring", {"setMonitoringData": list(items)})
    results: list[Payload] = answer["setMonitoringResult"]
    return results


def _item(target: Payload, type: str, value: float, severity: int = 4, **more: Any) -> Payload:
    return {**target, "type": type, "value": value, "severity": severity, **more}


def _event(at: float, event_id: int, target: Payload, monitor_id: int, **fields: Any) -> Payload:
    """One eventData of a custom monitor."""
    return {
        "eventId": event_id,
        "timestamp": ts(at),
        **target,
        "variableMonitoringId": monitor_id,
        "eventNotificationType": "CustomMonitor",
        **fields,
    }


def _charge(link: Link) -> None:
    station = _station(link)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()


# -- N04 ------------------------------------------------------------------------------------------


def test_n04_each_monitor_gets_its_own_status(online: Link) -> None:
    results = _set(
        online,
        _item(EVSE_POWER, "UpperThreshold", 5000),
        _item({**EVSE_POWER, "component": {"name": "Nope"}}, "Delta", 1),
        _item({**EVSE_POWER, "variable": {"name": "Nope"}}, "Delta", 1),
        _item(
            {"component": {"name": "ChargingStation"}, "variable": {"name": "Problem"}},
            "UpperThreshold",
            1,
        ),
        _item(EVSE_POWER, "UpperThreshold", 9000, severity=3),  # above its maxLimit 7360
        _item(EVSE_POWER, "Delta", -5),
        _item(EVSE_POWER, "UpperThreshold", 6000),  # same type and severity as the first
        _item(EVSE_POWER, "LowerThreshold", 100, id=99),
        _item(EVSE_POWER, "Delta", 100, severity=10),
        _item(EVSE_POWER, "Periodic", 0),
        _item(CONNECTOR_STATE, "Delta", 1, severity=8),
    )
    power = {"component": EVSE_POWER["component"], "variable": EVSE_POWER["variable"]}

    def result(status: str, type: str, severity: int = 4, **more: Any) -> Payload:
        return {"status": status, "type": type, "severity": severity, **power, **more}

    def rejected(type: str, reason: str, severity: int = 4) -> Payload:
        return result("Rejected", type, severity, statusInfo={"reasonCode": reason})

    assert results == [
        result("Accepted", "UpperThreshold", id=2),  # N04.FR.08, N04.FR.11
        {**result("UnknownComponent", "Delta"), "component": {"name": "Nope"}},  # N04.FR.03
        {**result("UnknownVariable", "Delta"), "variable": {"name": "Nope"}},  # N04.FR.04
        {  # N04.FR.05: a threshold on a boolean
            **result("UnsupportedMonitorType", "UpperThreshold"),
            "component": {"name": "ChargingStation"},
            "variable": {"name": "Problem"},
        },
        rejected("UpperThreshold", "OutOfRange", 3),  # N04.FR.06
        rejected("Delta", "NegativeDelta"),  # N04.FR.14
        result("Duplicate", "UpperThreshold"),  # N04.FR.10
        rejected("LowerThreshold", "UnknownId"),  # N04.FR.13
        rejected("Delta", "InvalidSeverity", 10),
        rejected("Periodic", "InvalidPeriod"),
        {
            "status": "Accepted",
            "type": "Delta",
            "severity": 8,
            **CONNECTOR_STATE,
            "id": 3,
        },
    ]


def test_n04_a_monitor_is_replaced_by_its_id_on_its_own_variable_only(online: Link) -> None:
    [first] = _set(online, _item(EVSE_POWER, "UpperThreshold", 5000))
    [replaced] = _set(online, _item(EVSE_POWER, "UpperThreshold", 6000, id=first["id"]))
    assert (replaced["status"], replaced["id"]) == ("Accepted", first["id"])  # N04.FR.12
    [moved] = _set(online, _item(CONNECTOR_STATE, "Delta", 1, id=first["id"]))
    assert moved["statusInfo"] == {"reasonCode": "OtherVariable"}  # N04.FR.16
    [hard_wired] = _set(online, _item(PASSWORD, "Delta", 1, severity=2, id=HARD_WIRED))
    assert (hard_wired["status"], hard_wired["statusInfo"]) == (
        "Rejected",
        {"reasonCode": "HardWired"},  # N04.FR.18
    )
    monitors = _station(online).monitoring.monitors
    assert [(m.id, m.value) for m in monitors] == [(HARD_WIRED, 1), (first["id"], 6000)]


def test_n04_more_items_than_items_per_message_is_refused(online: Link) -> None:
    items = [_item(EVSE_POWER, "Delta", n, severity=n % 10) for n in range(21)]
    with pytest.raises(CallErrorReply, match="OccurrenceConstraintViolation: 21 items"):
        _set(online, *items)  # MonitoringCtrlr.ItemsPerMessage (SetVariableMonitoring): 20


# -- N07 ------------------------------------------------------------------------------------------


def test_n07_an_upper_threshold_alerts_once_exceeded_and_once_cleared(online: Link) -> None:
    [monitor] = _set(online, _item(EVSE_POWER, "UpperThreshold", 5000))
    _charge(online)
    assert online.csms.payloads("NotifyEvent") == []  # no power flows at the start yet
    online.run_for(5)  # the meter shows 7360 W from the first second on
    transaction_id = online.csms.payloads("TransactionEvent")[0]["transactionInfo"]["transactionId"]
    assert online.csms.payloads("NotifyEvent") == [
        {
            "generatedAt": ts(1),
            "seqNo": 0,
            "eventData": [
                _event(
                    1,
                    1,
                    EVSE_POWER,
                    monitor["id"],
                    trigger="Alerting",
                    actualValue="7360.0",
                    transactionId=transaction_id,  # the EVSE's
                )  # N07.FR.06, N07.FR.16: once, not at each look
            ],
        }
    ]
    online.csms.clear()
    _station(online).present_id_token("TAG-1")  # E07: the driver stops
    online.pump()
    [cleared] = online.csms.payloads("NotifyEvent")
    assert cleared == {
        "generatedAt": ts(5),
        "seqNo": 0,
        "eventData": [
            _event(
                5,
                2,
                EVSE_POWER,
                monitor["id"],
                trigger="Alerting",
                actualValue="0.0",
                cleared=True,  # N07.FR.02
                transactionId=transaction_id,  # its last look, as the transaction ends
            )
        ],
    }


def test_n07_a_new_threshold_already_exceeded_alerts_after_the_answer(online: Link) -> None:
    _charge(online)
    online.run_for(2)
    online.csms.clear()
    _set(online, _item(EVSE_POWER, "UpperThreshold", 5000, severity=2))
    assert online.csms.actions() == ["NotifyEvent"]  # N07.FR.11, N07.FR.16
    [event] = online.csms.payloads("NotifyEvent")[0]["eventData"]
    assert (event["trigger"], event["actualValue"], "cleared" in event) == (
        "Alerting",
        "7360.0",
        False,
    )


def test_n07_a_delta_on_a_state_reports_every_change(online: Link) -> None:
    [monitor] = _set(online, _item(CONNECTOR_STATE, "Delta", 1, severity=8))
    station = _station(online)
    station.plug(1, 1)
    online.pump()
    # N07.FR.19: any change of a value that is not a number, after its StatusNotification.
    assert online.csms.actions() == ["StatusNotification", "NotifyEvent"]
    assert online.csms.payloads("NotifyEvent")[0]["eventData"] == [
        _event(0, 1, CONNECTOR_STATE, monitor["id"], trigger="Delta", actualValue="Occupied")
    ]
    online.csms.clear()
    station.unplug(1, 1)
    online.pump()
    assert online.csms.payloads("NotifyEvent")[0]["eventData"] == [
        _event(0, 2, CONNECTOR_STATE, monitor["id"], trigger="Delta", actualValue="Available")
    ]


def test_n07_a_numeric_delta_counts_from_the_last_event(online: Link) -> None:
    interval = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    _set(online, _item(interval, "Delta", 100, severity=6))
    assert set_variable(online, "OCPPCommCtrlr", "HeartbeatInterval", "350") == "Accepted"
    assert online.csms.payloads("NotifyEvent") == []  # 50 from 300: within the delta
    assert set_variable(online, "OCPPCommCtrlr", "HeartbeatInterval", "420") == "Accepted"
    [event] = online.csms.payloads("NotifyEvent")[0]["eventData"]  # N07.FR.18: 120 from 300
    assert (event["trigger"], event["actualValue"]) == ("Delta", "420")
    online.csms.clear()
    assert set_variable(online, "OCPPCommCtrlr", "HeartbeatInterval", "500") == "Accepted"
    assert online.csms.payloads("NotifyEvent") == []  # 80 from 420


def test_n07_the_hard_wired_monitor_reports_a_new_password_without_its_value(
    online: Link,
) -> None:
    assert set_variable(online, "SecurityCtrlr", "BasicAuthPassword", "s3cret-s3cret-s3cret") == (
        "Accepted"
    )
    assert online.csms.payloads("NotifyEvent") == [
        {
            "generatedAt": ts(),
            "seqNo": 0,
            "eventData": [
                {
                    "eventId": 1,
                    "timestamp": ts(),
                    "trigger": "Delta",
                    "actualValue": "",  # N07.FR.10: a WriteOnly variable
                    **PASSWORD,
                    "variableMonitoringId": HARD_WIRED,
                    "eventNotificationType": "HardWiredMonitor",
                }
            ],
        }
    ]


def test_n07_a_transaction_monitor_looks_only_during_a_transaction(online: Link) -> None:
    [monitor] = _set(online, _item(EVSE_POWER, "Delta", 1000, transaction=True))
    online.run_for(3)
    assert online.csms.payloads("NotifyEvent") == []
    _charge(online)
    transaction_id = online.csms.payloads("TransactionEvent")[0]["transactionInfo"]["transactionId"]
    online.run_for(2)
    [event] = online.csms.payloads("NotifyEvent")[0]["eventData"]
    assert event == _event(
        4,
        1,
        EVSE_POWER,
        monitor["id"],
        trigger="Delta",
        actualValue="7360.0",
        transactionId=transaction_id,
    )


def test_n07_an_evse_monitor_s_event_names_the_evse_s_transaction(online: Link) -> None:
    [monitor] = _set(online, _item(EVSE_POWER, "UpperThreshold", 100))
    _charge(online)
    transaction_id = online.csms.payloads("TransactionEvent")[0]["transactionInfo"]["transactionId"]
    online.run_for(2)
    [event] = online.csms.payloads("NotifyEvent")[0]["eventData"]
    assert (event["variableMonitoringId"], event["trigger"]) == (monitor["id"], "Alerting")
    assert event["transactionId"] == transaction_id  # Part 6 TC_N_20_CS


def test_n07_offline_events_wait_up_to_the_offline_queuing_severity(online: Link) -> None:
    _set(
        online,
        _item(CONNECTOR_STATE, "Delta", 1, severity=3),  # kept (OfflineQueuingSeverity 4)
        _item(CONNECTOR_STATE, "Periodic", 3600, severity=5),  # dropped
    )
    station = _station(online)
    station.go_offline()
    online.follow_station()
    online.run_for(3600)  # the periodic monitor fires while offline
    station.plug(1, 1)
    online.csms.clear()
    station.come_online()
    online.follow_station()
    assert online.csms.actions() == ["StatusNotification", "NotifyEvent"]  # B04, N07.FR.04
    [queued] = online.csms.payloads("NotifyEvent")[0]["eventData"]
    assert (queued["timestamp"], queued["trigger"], queued["actualValue"]) == (
        ts(3600),
        "Delta",
        "Occupied",
    )


def test_n07_monitors_and_what_they_saw_survive_a_reboot(online: Link) -> None:
    interval = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    [monitor] = _set(online, _item(interval, "UpperThreshold", 400))
    assert set_variable(online, "OCPPCommCtrlr", "HeartbeatInterval", "500") == "Accepted"
    [alert] = online.csms.payloads("NotifyEvent")[0]["eventData"]
    assert (alert["trigger"], alert["actualValue"]) == ("Alerting", "500")
    online.csms.clear()
    assert online.call_station("Reset", {"type": "Immediate"}) == {"status": "Accepted"}
    online.follow_station()
    online.run_for(6)  # off 1 s after the answer (power.CLOSE_WAIT_AFTER_RESET_S), then 5 s
    # The boot's answer sets the interval back to 300 (B01): N07.FR.13, the monitor is
    # still there; N07.FR.14, it reports the return to normal once the station is back.
    assert online.csms.actions() == [
        "BootNotification",
        "StatusNotification",
        "NotifyEvent",
        *["SecurityEventNotification"] * 2,
    ]
    [cleared] = online.csms.payloads("NotifyEvent")[0]["eventData"]
    assert cleared == _event(
        6, 2, interval, monitor["id"], trigger="Alerting", actualValue="300", cleared=True
    )


# -- N08 ------------------------------------------------------------------------------------------


def test_n08_periodic_monitors_report_on_their_clock(online: Link) -> None:
    interval = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    [periodic, aligned] = _set(
        online,
        _item(interval, "Periodic", 400, severity=8),
        _item(interval, "PeriodicClockAligned", 900, severity=8),
    )
    online.run_for(1000)
    events = [
        (e["timestamp"], e["variableMonitoringId"], e["trigger"], e["actualValue"])
        for p in online.csms.payloads("NotifyEvent")
        for e in p["eventData"]
    ]
    assert events == [
        (ts(400), periodic["id"], "Periodic", "300"),  # N08.FR.06: from the set on
        (ts(800), periodic["id"], "Periodic", "300"),
        (ts(900), aligned["id"], "Periodic", "300"),  # N08.FR.07: on the quarter hour
    ]


# -- N05 / N03 / N06 ------------------------------------------------------------------------------


def test_n05_the_level_silences_monitors_of_a_higher_severity_number(online: Link) -> None:
    _set(online, _item(CONNECTOR_STATE, "Delta", 1, severity=6))
    assert online.call_station("SetMonitoringLevel", {"severity": 10}) == {"status": "Rejected"}
    assert online.call_station("SetMonitoringLevel", {"severity": 5}) == {"status": "Accepted"}
    _station(online).plug(1, 1)
    online.pump()
    assert online.csms.actions() == ["StatusNotification"]  # N07.FR.15
    level = _station(online).device_model.value("MonitoringCtrlr", "ActiveMonitoringLevel")
    assert level == "5"


def test_n03_factory_default_deletes_the_custom_monitors_all_keeps_them(online: Link) -> None:
    _set(online, _item(EVSE_POWER, "Delta", 100), _item(CONNECTOR_STATE, "Delta", 1))
    monitors = _station(online).monitoring.monitors
    assert online.call_station("SetMonitoringBase", {"monitoringBase": "All"}) == {
        "status": "Accepted"
    }
    assert [m.id for m in monitors] == [HARD_WIRED, 2, 3]  # N03.FR.03
    assert online.call_station("SetMonitoringBase", {"monitoringBase": "FactoryDefault"}) == {
        "status": "Accepted"
    }
    assert [m.id for m in monitors] == [HARD_WIRED]  # N03.FR.04
    base = _station(online).device_model.value("MonitoringCtrlr", "ActiveMonitoringBase")
    assert base == "FactoryDefault"


def test_n06_clear_answers_per_id(online: Link) -> None:
    _set(online, _item(EVSE_POWER, "Delta", 100))
    answer = online.call_station("ClearVariableMonitoring", {"id": [2, 2, 7, HARD_WIRED]})
    assert answer == {
        "clearMonitoringResult": [
            {"status": "Accepted", "id": 2},  # N06.FR.01
            {"status": "NotFound", "id": 2},  # N06.FR.02 (cleared just before)
            {"status": "NotFound", "id": 7},
            {"status": "Rejected", "id": HARD_WIRED},  # N06.FR.03
        ]
    }


# -- N02 ------------------------------------------------------------------------------------------


def test_n02_the_monitoring_report_in_parts(online: Link) -> None:
    _set(
        online,
        _item(EVSE_POWER, "UpperThreshold", 5000),
        _item(EVSE_POWER, "Delta", 1000, severity=8, transaction=True),
        _item(CONNECTOR_STATE, "Periodic", 60),
    )
    _station(online).device_model.write("DeviceDataCtrlr", "ItemsPerMessage", "2", "GetReport")
    answer = online.call_station("GetMonitoringReport", {"requestId": 5})
    assert answer == {"status": "Accepted"}  # N02.FR.01, N02.FR.11: every monitor
    assert online.csms.payloads("NotifyMonitoringReport") == [
        {
            "requestId": 5,
            "seqNo": 0,
            "generatedAt": ts(),
            "tbc": True,
            "monitor": [
                {
                    **PASSWORD,
                    "variableMonitoring": [
                        {"id": 1, "transaction": False, "value": 1, "type": "Delta", "severity": 7}
                    ],
                },
                {
                    **EVSE_POWER,
                    "variableMonitoring": [
                        {
                            "id": 2,
                            "transaction": False,
                            "value": 5000,
                            "type": "UpperThreshold",
                            "severity": 4,
                        },
                        {
                            "id": 3,
                            "transaction": True,
                            "value": 1000,
                            "type": "Delta",
                            "severity": 8,
                        },
                    ],
                },
            ],
        },
        {
            "requestId": 5,
            "seqNo": 1,
            "generatedAt": ts(),
            "monitor": [
                {
                    **CONNECTOR_STATE,
                    "variableMonitoring": [
                        {
                            "id": 4,
                            "transaction": False,
                            "value": 60,
                            "type": "Periodic",
                            "severity": 4,
                        }
                    ],
                }
            ],
        },
    ]


def test_n02_criteria_and_components_narrow_the_report(online: Link) -> None:
    _set(online, _item(EVSE_POWER, "UpperThreshold", 5000), _item(CONNECTOR_STATE, "Delta", 1))
    answer = online.call_station(
        "GetMonitoringReport",
        {
            "requestId": 6,
            "monitoringCriteria": ["DeltaMonitoring"],
            "componentVariable": [{"component": {"name": "Connector"}}],  # N02.FR.16, FR.18
        },
    )
    assert answer == {"status": "Accepted"}  # N02.FR.05
    [report] = online.csms.payloads("NotifyMonitoringReport")
    assert [
        (m["component"]["name"], [v["id"] for v in m["variableMonitoring"]])
        for m in report["monitor"]
    ] == [("Connector", [3])]
    nothing = online.call_station(
        "GetMonitoringReport",
        {"requestId": 7, "monitoringCriteria": ["PeriodicMonitoring"]},
    )
    assert nothing == {"status": "EmptyResultSet"}  # N02.FR.10
