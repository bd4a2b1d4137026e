"""OCPP 1.6 Core profile flows, by use case, on a simulated clock."""

from __future__ import annotations

from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.model.states import Registration
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link


def statuses(link: Link) -> list[tuple[int, str]]:
    return [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]


def test_b01_cold_boot_accepted_then_every_connector_reports(link: Link) -> None:
    link.connect()
    assert link.csms.actions() == ["BootNotification", "StatusNotification", "StatusNotification"]
    assert link.csms.payloads("BootNotification") == [
        {
            "chargePointVendor": "Alfen BV",
            "chargePointModel": "NG910-60003",
            "firmwareVersion": link.station.model.firmware_version,
        }
    ]
    assert statuses(link) == [(0, "Available"), (1, "Available")]
    assert link.station.registration is Registration.ACCEPTED


def test_boot_pending_sends_nothing_else_and_retries_after_the_interval(link: Link) -> None:
    answers = iter(["Pending", "Accepted"])
    link.csms.answers["BootNotification"] = lambda p: {
        "status": next(answers),
        "currentTime": "2026-01-01T00:00:00.000Z",
        "interval": 30,
    }
    link.connect()
    link.station.plug(1, 1)  # the connector goes Preparing, but nothing may be sent yet
    assert link.csms.actions() == ["BootNotification"]
    link.run_for(29)
    assert link.csms.actions() == ["BootNotification"]
    link.run_for(1)
    assert link.csms.actions()[:2] == ["BootNotification", "BootNotification"]
    assert statuses(link) == [(0, "Available"), (1, "Preparing")]


def test_heartbeat_follows_the_interval_of_the_boot_answer(online: Link) -> None:
    online.run_for(299)
    assert online.csms.actions() == []
    online.run_for(1)
    assert online.csms.actions() == ["Heartbeat"]
    online.run_for(300)
    assert online.csms.actions() == ["Heartbeat", "Heartbeat"]


def test_e_plug_authorize_charge_unplug(online: Link, station: StationV16) -> None:
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-1")
    online.pump()
    assert online.csms.actions() == [
        "StatusNotification",
        "Authorize",
        "StartTransaction",
        "StatusNotification",
    ]
    assert statuses(online) == [(1, "Preparing"), (1, "Charging")]
    start = online.csms.payloads("StartTransaction")[0]
    assert start == {
        "connectorId": 1,
        "idTag": "TAG-1",
        "meterStart": 1000,
        "timestamp": "2026-01-01T00:00:00.000Z",
    }
    online.csms.clear()
    online.run_for(3600)
    meter_values = online.csms.payloads("MeterValues")
    periodic = [
        p
        for p in meter_values
        if p["meterValue"][0]["sampledValue"][0]["context"] == "Sample.Periodic"
    ]
    assert len(periodic) == 60  # MeterValueSampleInterval 60 s (and 4 clock-aligned, 900 s)
    assert all(p["transactionId"] == 1 for p in meter_values)
    # One hour at 7.36 kW (the wallbox's single phase limits the SUV): 7,360 Wh.
    assert abs(station.model.evses[1].meter.energy_register_wh - 1000 - 7360) < 1
    online.csms.clear()
    station.unplug(1, 1)
    online.pump()
    assert online.csms.actions() == ["StopTransaction", "StatusNotification"]
    stop = online.csms.payloads("StopTransaction")[0]
    assert (stop["transactionId"], stop["reason"], stop["meterStop"]) == (1, "EVDisconnected", 8360)
    assert statuses(online) == [(1, "Available")]


def test_ev_full_goes_suspended_ev(online: Link, station: StationV16) -> None:
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.9))
    station.present_id_token("TAG-1")
    online.run_for(3 * 3600)
    assert statuses(online)[-1] == (1, "SuspendedEV")
    assert station.model.evses[1].ev is not None
    assert station.model.evses[1].ev.soc == 1.0


def test_transaction_messages_wait_offline_and_arrive_in_order(
    online: Link, station: StationV16, clock: ManualClock
) -> None:
    station.plug(1, 1)
    online.drop()
    online.auto_reconnect = False
    station.present_id_token("TAG-1")  # offline: LocalAuthorizeOffline + cache miss
    station.start_transaction(1, "TAG-OFFLINE")
    online.run_for(600)
    station.unplug(1, 1)
    online.csms.clear()
    online.connect()
    actions = online.csms.actions()
    assert actions[0] == "StartTransaction"
    assert actions.count("MeterValues") == 10
    assert actions.index("StopTransaction") > actions.index("StartTransaction")
    transaction_actions = [a for a in actions if a != "StatusNotification"]
    assert transaction_actions == ["StartTransaction"] + ["MeterValues"] * 10 + ["StopTransaction"]
    assert online.csms.payloads("StopTransaction")[0]["transactionId"] == 1


def test_a_tag_waiting_for_its_cable_is_forgotten_by_a_reboot(
    online: Link, station: StationV16
) -> None:
    station.present_id_token("TAG-1")
    online.pump()
    assert statuses(online)[-1] == (1, "Preparing")
    station.reboot(delay_s=5)
    online.run_for(10)
    online.csms.clear()
    station.plug(1, 1)
    online.pump()
    assert "StartTransaction" not in online.csms.actions()
    assert statuses(online) == [(1, "Preparing")]


def test_a_new_tag_with_the_cable_still_in_starts_from_finishing(
    online: Link, station: StationV16
) -> None:
    # Section 4.9 F2: Finishing -> Preparing when a new user presents a tag, then Charging.
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    online.pump()
    station.stop_transaction(1, "Local")
    online.pump()
    online.csms.clear()
    station.present_id_token("TAG-2")
    online.pump()
    assert statuses(online) == [(1, "Preparing"), (1, "Charging")]
    assert [p["idTag"] for p in online.csms.payloads("StartTransaction")] == ["TAG-2"]


def test_a_reboot_keeps_the_power_off_as_long_as_the_station_takes_to_restart(
    online: Link, station: StationV16
) -> None:
    # A Reset (section 5.14) reboots after the station's own restart time.
    station.reboot_delay_s = 30
    station.reboot()
    online.run_for(29)
    assert not station.powered
    online.run_for(2)
    assert station.powered
    assert station.online  # booted again and Accepted
