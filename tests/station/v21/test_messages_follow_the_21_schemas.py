"""A 2.1 station's every message, through a day of its life, is one 2.1's official schemas
take: boot, authorization, a transaction with its meter values, status changes, the device
model's reports, firmware and diagnostics, smart charging. The session of a 2.1 station checks
what it sends and receives with 2.1's schemas (so does the central system's double), and the
test checks every frame again itself, and that neither side refused one."""

from __future__ import annotations

from collections import Counter

import pytest

from chargeyard.protocol import V21, V201, OcppError
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v21 import StationV21
from tests.station.fakes import ScriptedIO
from tests.station.harness import Link
from tests.station.v21.conftest import DC_CHARGER, make_link, make_station
from tests.station.v21.recorder import FrameRecorder

FW_URL = "http://127.0.0.1:8080/images/chargeyard-2.1.1.bin"
LOG_URL = "ftp://user:secret@127.0.0.1/logs/"
PAST = "2025-12-31T00:00:00.000Z"


def _profile(purpose: str, limit: float, unit: str, **more: object) -> dict[str, object]:
    return {
        "id": 7,
        "stackLevel": 1,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {
                "id": 1,
                "chargingRateUnit": unit,
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}],
            }
        ],
        **more,
    }


def _day(link: Link, station: StationV21, io: ScriptedIO) -> None:
    """What the station does and is asked in a day, in the order a CSMS would see it."""
    link.connect()  # B01: BootNotification, StatusNotification of every connector
    link.run_for(300)  # Heartbeat
    # C01, E: a token at the reader, the cable in, a transaction with its meter values.
    station.present_id_token("TAG-1")
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.3))
    link.pump()
    link.run_for(1800)  # J02 TxUpdatedInterval and J01 clock-aligned values
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    # K01, K08, K09, K10 while it charges.
    # An AC station limits in amperes, a DC one in watts (SmartChargingCtrlr.RateUnit).
    unit, limit = ("A", 10.0) if station.template.current_type == "AC" else ("W", 50000.0)
    tx_profile = _profile("TxProfile", limit, unit, transactionId=transaction.local_id)
    assert link.call_station(
        "SetChargingProfile", {"evseId": 1, "chargingProfile": tx_profile}
    ) == {"status": "Accepted"}
    link.run_for(60)
    composite = link.call_station(
        "GetCompositeSchedule", {"evseId": 1, "duration": 3600, "chargingRateUnit": unit}
    )
    assert composite["status"] == "Accepted"
    criterion = {"chargingProfile": {"chargingProfilePurpose": "TxProfile"}}
    assert (
        link.call_station("GetChargingProfiles", {"requestId": 4, **criterion})["status"]
        == "Accepted"
    )
    assert link.call_station("ClearChargingProfile", {"chargingProfileId": 7}) == {
        "status": "Accepted"
    }
    # F06: a few messages asked for.
    for message in ("MeterValues", "TransactionEvent", "StatusNotification", "Heartbeat"):
        answer = link.call_station(
            "TriggerMessage", {"requestedMessage": message, "evse": {"id": 1, "connectorId": 1}}
        )
        assert answer == {"status": "Accepted"}, message
    station.stop_transaction(1)
    station.unplug(1, 1)
    link.pump()
    # G03: status changes.
    for status in ("Inoperative", "Operative"):
        answer = link.call_station(
            "ChangeAvailability", {"operationalStatus": status, "evse": {"id": 1}}
        )
        assert answer == {"status": "Accepted"}
    # B05-B08: the device model, read, set and reported.
    assert link.call_station("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}) == {
        "status": "Accepted"
    }
    variables = link.call_station(
        "GetVariables",
        {
            "getVariableData": [
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
            ]
        },
    )
    assert variables["getVariableResult"][0]["attributeStatus"] == "Accepted"
    assert (
        link.call_station(
            "SetVariables",
            {
                "setVariableData": [
                    {
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                        "attributeValue": "600",
                    }
                ]
            },
        )["setVariableResult"][0]["attributeStatus"]
        == "Accepted"
    )
    # N04, N02: a monitor set and reported (2.1: with who made it).
    monitored = link.call_station(
        "SetVariableMonitoring",
        {
            "setMonitoringData": [
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "type": "Delta",
                    "value": 1,
                    "severity": 7,
                }
            ]
        },
    )
    assert monitored["setMonitoringResult"][0]["status"] == "Accepted"
    assert link.call_station("GetMonitoringReport", {"requestId": 2}) == {"status": "Accepted"}
    # L01: a firmware update, installed and booted.
    update = {"requestId": 3, "firmware": {"location": FW_URL, "retrieveDateTime": PAST}}
    assert link.call_station("UpdateFirmware", update) == {"status": "Accepted"}
    io.finish_download(b"chargeyard-firmware 2.1.1\n")
    link.run_for(station.firmware_install_s + 10)
    # N01: the diagnostics log, uploaded.
    answer = link.call_station(
        "GetLog", {"logType": "DiagnosticsLog", "requestId": 11, "log": {"remoteLocation": LOG_URL}}
    )
    assert answer["status"] == "Accepted"
    io.finish_upload()
    link.run_for(60)


@pytest.mark.parametrize("template_id", ["chargeyard-ac-wallbox-21", DC_CHARGER])
def test_every_message_of_a_day_is_one_the_21_schemas_take(
    clock: ManualClock, template_id: str
) -> None:
    station = make_station(clock, template_id)
    link = make_link(station, clock)
    recorder = FrameRecorder(station)
    io = ScriptedIO(clock.monotonic)
    io.after = link.pump
    station.io = io

    _day(link, station, io)

    assert station.version is V21
    assert link.csms.session.version is V21  # the double checks with 2.1's schemas too
    assert recorder.refusals() == []
    assert recorder.violations(V21) == []
    sent = Counter(recorder.sent_actions())
    # Every kind of message the day was meant to show went out, and was checked above.
    assert {
        "BootNotification",
        "Heartbeat",
        "StatusNotification",
        "Authorize",
        "TransactionEvent",
        "MeterValues",
        "NotifyReport",
        "NotifyMonitoringReport",
        "ReportChargingProfiles",
        "FirmwareStatusNotification",
        "LogStatusNotification",
        "SecurityEventNotification",
        "SetChargingProfile answer",
        "GetCompositeSchedule answer",
        "GetBaseReport answer",
        "GetMonitoringReport answer",
        "UpdateFirmware answer",
        "GetLog answer",
    } <= set(sent)
    meter_values = [
        payload
        for payload in link.csms.payloads("TransactionEvent")
        if payload.get("meterValue") and payload["eventType"] == "Updated"
    ]
    assert meter_values  # the transaction's own meter values, in TransactionEvent


def test_the_21_monitoring_report_names_who_made_each_monitor(
    clock: ManualClock,
) -> None:
    # 2.1 N02: VariableMonitoringType.eventNotificationType is required; 2.0.1's report, which
    # has no room for it, would fail 2.1's schema without it.
    station = make_station(clock)
    link = make_link(station, clock)
    link.connect()
    target = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    link.call_station(
        "SetVariableMonitoring",
        {"setMonitoringData": [{**target, "type": "Delta", "value": 1, "severity": 7}]},
    )
    link.csms.clear()
    link.call_station("GetMonitoringReport", {"requestId": 5, "componentVariable": [target]})
    [report] = link.csms.payloads("NotifyMonitoringReport")
    assert report["monitor"] == [
        {
            **target,
            "variableMonitoring": [
                {
                    "id": 2,  # after the station's own, hard-wired monitor
                    "transaction": False,
                    "value": 1,
                    "type": "Delta",
                    "severity": 7,
                    "eventNotificationType": "CustomMonitor",
                }
            ],
        }
    ]
    V21.schemas.check_request("NotifyMonitoringReport", report)
    with pytest.raises(OcppError):  # 2.0.1's VariableMonitoringType has no such field
        V201.schemas.check_request("NotifyMonitoringReport", report)
