"""Physical events of an OCPP 1.6 station (faults, network loss) and its clock-aligned meter
values (sections 3.16, 4.7, 9.1), on the single-connector Alfen wallbox."""

from __future__ import annotations

import pytest

from chargeyard.protocol import OcppError
from chargeyard.station.clock import ManualClock
from chargeyard.station.faults import fault_codes
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link
from tests.station.v16.core_support import booted, start_charging, statuses

# -- faults ----------------------------------------------------------------------------------------


def test_4_9_a_fault_is_reported_with_its_error_code(online: Link, station: StationV16) -> None:
    station.inject_fault(
        1,
        1,
        StationV16.TERMS.fault_named(
            "OverCurrentFailure", info="RCD tripped", vendor_error_code="E42"
        ),
    )
    online.pump()
    assert online.csms.payloads("StatusNotification") == [
        {
            "connectorId": 1,
            "errorCode": "OverCurrentFailure",
            "status": "Faulted",
            "timestamp": "2026-01-01T00:00:00.000Z",
            "info": "RCD tripped",
            "vendorErrorCode": "E42",
        }
    ]


@pytest.mark.parametrize("code", ["NoError", "Overheated", "groundfailure"])
def test_only_a_1_6_charge_point_error_code_may_be_injected(station: StationV16, code: str) -> None:
    with pytest.raises(OcppError):
        station.inject_fault(1, 1, StationV16.TERMS.fault_named(code))


def test_7_6_the_fault_codes_come_from_the_schema() -> None:
    assert "GroundFailure" in fault_codes()
    assert "WeakSignal" in fault_codes()
    assert "NoError" not in fault_codes()
    assert len(fault_codes()) == 15


def test_a_fault_while_charging_ends_the_transaction_with_reason_other(online: Link) -> None:
    station = start_charging(online)
    online.run_for(60)
    online.csms.clear()
    station.inject_fault(1, 1, StationV16.TERMS.fault_named("GroundFailure"))
    online.pump()
    assert online.csms.actions() == ["StatusNotification", "StopTransaction"]
    assert statuses(online) == [(1, "Faulted")]  # not Finishing: the fault shows
    stop = online.csms.payloads("StopTransaction")[0]
    assert (stop["transactionId"], stop["reason"]) == (1, "Other")
    assert station.model.evses[1].transaction is None
    online.csms.clear()
    online.run_for(600)
    assert online.csms.payloads("MeterValues") == []  # no transaction samples any more


def test_clearing_a_fault_with_the_cable_in_goes_preparing(online: Link) -> None:
    station = start_charging(online)
    station.inject_fault(
        1, 1, StationV16.TERMS.fault_named("GroundFailure", info="leak", vendor_error_code="E1")
    )
    online.pump()
    online.csms.clear()
    station.clear_fault(1, 1)
    online.pump()
    assert online.csms.payloads("StatusNotification") == [
        {
            "connectorId": 1,
            "errorCode": "NoError",
            "status": "Preparing",
            "timestamp": "2026-01-01T00:00:00.000Z",
        }
    ]


def test_clearing_a_fault_without_a_cable_goes_available(online: Link, station: StationV16) -> None:
    station.inject_fault(1, 1, StationV16.TERMS.fault_named("PowerMeterFailure"))
    station.clear_fault(1, 1)
    online.pump()
    assert statuses(online) == [(1, "Faulted"), (1, "Available")]
    with pytest.raises(OcppError):
        station.clear_fault(1, 1)  # not Faulted any more


def test_a_faulted_connector_takes_no_cable_and_no_session(
    online: Link, station: StationV16
) -> None:
    station.inject_fault(1, 1, StationV16.TERMS.fault_named("GroundFailure"))
    with pytest.raises(OcppError):
        station.plug(1, 1)
    answer = online.call_station("RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 1})
    assert answer == {"status": "Rejected"}


# -- network loss ----------------------------------------------------------------------------------


def test_offline_a_transaction_goes_on_and_its_messages_wait(online: Link) -> None:
    station = start_charging(online)
    station.go_offline()
    online.run_for(1)
    assert not online.up
    online.run_for(299)
    station.unplug(1, 1)  # StopTransaction waits; the status change is not sent
    online.run_for(300)
    assert not online.up  # no reconnection while the network is down
    assert online.csms.actions() == []
    station.come_online()
    online.run_for(0)
    assert online.up
    actions = online.csms.actions()
    assert "BootNotification" not in actions  # the same boot: no new registration
    assert [a for a in actions if a != "StatusNotification"] == ["MeterValues"] * 5 + [
        "StopTransaction"
    ]
    assert statuses(online) == [(1, "Available")]  # what changed while offline
    assert station.registration is Registration.ACCEPTED


def test_offline_nothing_is_sent_even_before_the_socket_closes(online: Link) -> None:
    station = start_charging(online)
    station.go_offline()
    station.unplug(1, 1)
    online.pump()  # the runner has not closed the socket yet
    assert online.csms.actions() == []


def test_a_station_offline_through_a_reboot_stays_offline(
    online: Link, station: StationV16
) -> None:
    station.go_offline()
    online.run_for(1)
    station.reboot(delay_s=5)
    online.run_for(10)
    assert not online.up
    station.come_online()
    online.run_for(0)
    assert online.csms.actions()[0] == "BootNotification"


# -- clock-aligned meter values --------------------------------------------------------------------

ALIGNED_IDLE = {
    "connectorId": 1,
    "meterValue": [
        {
            "timestamp": "2026-01-01T00:15:00.000Z",
            "sampledValue": [
                {
                    "value": "1000.0",
                    "context": "Sample.Clock",
                    "format": "Raw",
                    "measurand": "Energy.Active.Import.Register",
                    "location": "Outlet",
                    "unit": "Wh",
                }
            ],
        }
    ],
}


def test_9_1_an_idle_station_sends_clock_aligned_meter_values(online: Link) -> None:
    online.run_for(899)
    assert online.csms.payloads("MeterValues") == []
    online.run_for(1)
    assert online.csms.payloads("MeterValues") == [ALIGNED_IDLE]
    online.run_for(900)
    assert len(online.csms.payloads("MeterValues")) == 2


def test_9_1_clock_aligned_values_follow_the_utc_day_not_the_boot(clock: ManualClock) -> None:
    clock.advance(100)  # booted at 00:01:40
    link = booted(clock, "alfen-eve-single-pro-line")
    link.call_station("ChangeConfiguration", {"key": "ClockAlignedDataInterval", "value": "60"})
    link.run_for(19)
    assert link.csms.payloads("MeterValues") == []
    link.run_for(61)
    stamps = [p["meterValue"][0]["timestamp"] for p in link.csms.payloads("MeterValues")]
    # On the minute, not a minute after the change (00:02:40).
    assert stamps == ["2026-01-01T00:02:00.000Z", "2026-01-01T00:03:00.000Z"]


def test_9_1_clock_aligned_data_interval_0_sends_none(online: Link) -> None:
    online.call_station("ChangeConfiguration", {"key": "ClockAlignedDataInterval", "value": "0"})
    online.run_for(3600)
    assert online.csms.payloads("MeterValues") == []


def test_9_1_clock_aligned_values_of_a_transaction_carry_its_id_and_wait_offline(
    online: Link,
) -> None:
    online.call_station("ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "0"})
    station = start_charging(online)
    online.drop()
    online.auto_reconnect = False
    online.run_for(900)
    online.connect()
    aligned = online.csms.payloads("MeterValues")
    assert aligned == [
        {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": "2026-01-01T00:15:00.000Z",
                    "sampledValue": [
                        {
                            "value": "2840.0",
                            "context": "Sample.Clock",
                            "format": "Raw",
                            "measurand": "Energy.Active.Import.Register",
                            "location": "Outlet",
                            "unit": "Wh",
                        }
                    ],
                }
            ],
            "transactionId": 1,
        }
    ]
    assert station.model.evses[1].transaction is not None


def test_9_1_idle_clock_aligned_values_are_dropped_offline(online: Link) -> None:
    online.drop()
    online.auto_reconnect = False
    online.run_for(900)
    online.connect()
    assert online.csms.payloads("MeterValues") == []
