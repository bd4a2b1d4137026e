"""OCPP 1.6 Remote Trigger profile: TriggerMessage (section 5.17)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chargeyard.protocol import ErrorKind, OcppError, Payload
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.core_support import (
    booted,
    reply_frames,
    start_charging,
    station_of,
    statuses,
)

T0 = "2026-01-01T00:00:00.000Z"


def trigger(link: Link, message: str, connector_id: int | None = None) -> Payload:
    payload: Payload = {"requestedMessage": message}
    if connector_id is not None:
        payload["connectorId"] = connector_id
    return link.call_station("TriggerMessage", payload)


def boot_answers(link: Link, *statuses: str, interval: int = 300) -> Iterator[str]:
    """The central system answers the BootNotifications with ``statuses``, in turn."""
    answers = iter(statuses)
    link.csms.answers["BootNotification"] = lambda p: {
        "status": next(answers),
        "currentTime": T0,
        "interval": interval,
    }
    return answers


# -- the answer first, then the message ------------------------------------------------------------


def test_5_17_the_answer_goes_before_the_triggered_message(online: Link) -> None:
    frames = reply_frames(online, "TriggerMessage", {"requestedMessage": "Heartbeat"})
    assert [frame[0] for frame in frames] == [3, 2]  # CALLRESULT, then the CALL
    assert frames[0][2] == {"status": "Accepted"}
    assert frames[1][2:] == ["Heartbeat", {}]
    assert online.csms.actions() == ["Heartbeat"]


@pytest.mark.parametrize(
    ("message", "holder", "attribute", "status"),
    [
        # UpdateFirmware's status is the firmware update machine's (firmware_update.py).
        ("FirmwareStatusNotification", "firmware_update", "reported", "Downloading"),
        ("DiagnosticsStatusNotification", None, "diagnostics_status", "Uploading"),
    ],
)
def test_5_17_firmware_and_diagnostics_status_as_they_are_now(
    online: Link,
    station: StationV16,
    message: str,
    holder: str | None,
    attribute: str,
    status: str,
) -> None:
    assert trigger(online, message) == {"status": "Accepted"}
    setattr(station if holder is None else getattr(station, holder), attribute, status)
    assert trigger(online, message) == {"status": "Accepted"}
    assert online.csms.payloads(message) == [{"status": "Idle"}, {"status": status}]


def test_5_17_a_connector_id_is_ignored_where_it_is_not_relevant(online: Link) -> None:
    assert trigger(online, "Heartbeat", 7) == {"status": "Accepted"}
    assert online.csms.actions() == ["Heartbeat"]


# -- StatusNotification ----------------------------------------------------------------------------


def test_5_17_status_notification_of_one_connector(clock: ManualClock) -> None:
    link = booted(clock)
    station_of(link).plug(2, 1)
    link.pump()
    link.csms.clear()
    assert trigger(link, "StatusNotification", 2) == {"status": "Accepted"}
    assert link.csms.payloads("StatusNotification") == [
        {"connectorId": 2, "errorCode": "NoError", "status": "Preparing", "timestamp": T0}
    ]


def test_5_17_status_notification_of_connector_0_is_the_station_itself(online: Link) -> None:
    assert trigger(online, "StatusNotification", 0) == {"status": "Accepted"}
    assert online.csms.payloads("StatusNotification") == [
        {"connectorId": 0, "errorCode": "NoError", "status": "Available", "timestamp": T0}
    ]


def test_5_17_status_notification_without_connector_is_for_the_station_and_all(
    clock: ManualClock,
) -> None:
    link = booted(clock)
    station_of(link).inject_fault(1, 1, StationV16.TERMS.fault_named("HighTemperature"))
    link.pump()
    link.csms.clear()
    assert trigger(link, "StatusNotification") == {"status": "Accepted"}
    assert link.csms.payloads("StatusNotification") == [
        {"connectorId": 0, "errorCode": "NoError", "status": "Available", "timestamp": T0},
        {"connectorId": 1, "errorCode": "HighTemperature", "status": "Faulted", "timestamp": T0},
        {"connectorId": 2, "errorCode": "NoError", "status": "Available", "timestamp": T0},
    ]


@pytest.mark.parametrize("message", ["StatusNotification", "MeterValues"])
def test_5_17_a_connector_the_station_does_not_have_is_rejected(online: Link, message: str) -> None:
    assert trigger(online, message, 2) == {"status": "Rejected"}
    assert online.csms.actions() == []


# -- MeterValues -----------------------------------------------------------------------------------


def test_5_17_meter_values_while_charging_are_the_current_readings(online: Link) -> None:
    start_charging(online)
    online.run_for(30)
    online.csms.clear()
    assert trigger(online, "MeterValues", 1) == {"status": "Accepted"}

    def reading(value: str, measurand: str, unit: str) -> Payload:
        return {
            "value": value,
            "context": "Trigger",
            "format": "Raw",
            "measurand": measurand,
            "location": "Outlet",
            "unit": unit,
        }

    assert online.csms.payloads("MeterValues") == [
        {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": "2026-01-01T00:00:30.000Z",
                    "sampledValue": [
                        reading("1061.3", "Energy.Active.Import.Register", "Wh"),
                        reading("7360.0", "Power.Active.Import", "W"),
                        reading("32.00", "Current.Import", "A"),
                        reading("230.0", "Voltage", "V"),
                    ],
                }
            ],
            "transactionId": 1,
        }
    ]


def test_5_17_meter_values_without_connector_for_every_connector(clock: ManualClock) -> None:
    link = booted(clock)
    assert trigger(link, "MeterValues") == {"status": "Accepted"}
    sent = link.csms.payloads("MeterValues")
    assert [p["connectorId"] for p in sent] == [1, 2]
    assert all("transactionId" not in p for p in sent)
    assert {v["context"] for p in sent for v in p["meterValue"][0]["sampledValue"]} == {"Trigger"}


def test_5_17_meter_values_of_connector_0_are_rejected_without_a_main_meter(online: Link) -> None:
    assert trigger(online, "MeterValues", 0) == {"status": "Rejected"}
    assert online.csms.actions() == []


def test_5_17_meter_values_with_nothing_configured_are_rejected(online: Link) -> None:
    online.call_station("ChangeConfiguration", {"key": "MeterValuesSampledData", "value": ""})
    assert trigger(online, "MeterValues", 1) == {"status": "Rejected"}
    assert online.csms.actions() == []


# -- BootNotification ------------------------------------------------------------------------------


def test_5_17_boot_notification_while_accepted_keeps_the_registration(online: Link) -> None:
    station = start_charging(online)
    boot_answers(online, "Accepted", interval=120)
    assert trigger(online, "BootNotification") == {"status": "Accepted"}
    # Only the BootNotification: no second round of status reports, no new registration.
    assert online.csms.actions() == ["BootNotification"]
    assert station.registration is Registration.ACCEPTED
    online.run_for(120)
    assert online.csms.actions().count("Heartbeat") == 1  # the new interval applies
    station.unplug(1, 1)
    online.pump()
    assert "StopTransaction" in online.csms.actions()  # other messages keep flowing


def test_5_17_a_triggered_boot_answered_pending_registers_again(online: Link) -> None:
    station = station_of(online)
    boot_answers(online, "Pending", "Accepted", interval=30)
    trigger(online, "BootNotification")
    assert station.registration is Registration.PENDING
    assert station.call("Heartbeat", {}) is False
    online.run_for(30)
    assert (
        online.csms.actions()
        == ["BootNotification", "BootNotification"] + ["StatusNotification"] * 2
    )
    assert station.registration is Registration.ACCEPTED


def test_5_17_a_triggered_boot_that_fails_leaves_the_registration_standing(online: Link) -> None:
    def refuse(payload: Payload) -> Payload:
        raise OcppError(ErrorKind.INTERNAL_ERROR, "busy")

    online.csms.answers["BootNotification"] = refuse
    assert trigger(online, "BootNotification") == {"status": "Accepted"}
    assert station_of(online).registration is Registration.ACCEPTED
    online.run_for(300)
    assert online.csms.actions() == ["BootNotification", "Heartbeat"]


def test_5_17_boot_notification_while_pending_is_the_next_attempt_now(link: Link) -> None:
    boot_answers(link, "Pending", "Accepted", interval=300)
    link.connect()
    link.run_for(10)
    assert link.csms.actions() == ["BootNotification"]
    assert trigger(link, "BootNotification") == {"status": "Accepted"}
    assert (
        link.csms.actions() == ["BootNotification", "BootNotification"] + ["StatusNotification"] * 2
    )
    link.run_for(600)
    assert link.csms.actions().count("BootNotification") == 2  # the retry timer is gone


def test_4_2_1_while_pending_the_station_sends_what_it_is_asked_for(link: Link) -> None:
    boot_answers(link, "Pending", interval=300)
    link.connect()
    for message in ("StatusNotification", "Heartbeat", "MeterValues"):
        assert trigger(link, message) == {"status": "Accepted"}
    assert link.csms.actions() == ["BootNotification"] + ["StatusNotification"] * 2 + [
        "Heartbeat",
        "MeterValues",
    ]
    assert statuses(link) == [(0, "Available"), (1, "Available")]
    assert link.station.registration is Registration.PENDING


def test_4_2_1_while_rejected_only_a_boot_notification_is_accepted(link: Link) -> None:
    boot_answers(link, "Rejected", "Accepted", interval=300)
    link.connect()
    assert trigger(link, "StatusNotification") == {"status": "Rejected"}
    assert trigger(link, "BootNotification") == {"status": "Accepted"}
    assert link.station.registration is Registration.ACCEPTED
