"""OCPP 2.1 dynamic charging profiles (K28, ``station/v21/dynamic_profiles.py``): the limit of a
Dynamic profile follows UpdateDynamicSchedule and the PullDynamicScheduleUpdate the station sends
every dynUpdateInterval, over virtual time, and the meter follows the limit.

The station is the 2.1 AC wallbox (three phases at 230 V, RateUnit A); an SUV at 50 % draws what
it is offered up to its 11 kW: 8 A is 5,520 W, 10 A 6,900 W, 12 A 8,280 W."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import V21, Payload
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v21 import StationV21
from tests.station.harness import Link
from tests.station.v21.recorder import FrameRecorder
from tests.station.v201.smart_charging_support import delivered_wh, profile, set_profile
from tests.station.v201.support import ts


@pytest.fixture
def online(link: Link) -> Link:
    link.connect()
    link.csms.clear()
    return link


def _dynamic(limit: float = 8.0, *, interval: int | None = None, **changes: Any) -> Payload:
    charging_profile: dict[str, Any] = {
        **profile("TxDefaultProfile", [(0, limit)], profile_id=5, kind="Dynamic"),
        **changes,
    }
    if interval is not None:
        charging_profile["dynUpdateInterval"] = interval
    return charging_profile


def _charge(link: Link, station: StationV21) -> None:
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()


def _power_w(station: StationV21) -> float:
    return station.model.limit_w(station.model.evses[1], station.clock.now())


def _update(link: Link, profile_id: int, **update: float) -> Payload:
    request = {"chargingProfileId": profile_id, "scheduleUpdate": update}
    return link.call_station("UpdateDynamicSchedule", request)


def test_k28_the_limit_follows_update_dynamic_schedule(online: Link, station: StationV21) -> None:
    recorder = FrameRecorder(station)
    assert set_profile(online, 1, _dynamic(8.0)) == {"status": "Accepted"}
    _charge(online, station)
    online.run_for(1800)
    assert _update(online, 5, limit=12.0) == {"status": "Accepted"}
    online.run_for(1800)
    # Half an hour at 8 A, then half an hour at 12 A.
    assert delivered_wh(station) == pytest.approx((5520.0 + 8280.0) / 2)
    assert _power_w(station) == 8280.0
    request = {"requestId": 1, "chargingProfile": {"chargingProfileId": [5]}}
    assert online.call_station("GetChargingProfiles", request) == {"status": "Accepted"}
    [report] = online.csms.payloads("ReportChargingProfiles")
    assert report["chargingProfile"] == [
        {**_dynamic(12.0), "dynUpdateTime": ts(1800)}  # the limit and when it was updated
    ]
    assert recorder.violations(V21) == []
    assert recorder.refusals() == []


def test_k28_the_station_pulls_every_dyn_update_interval(online: Link, station: StationV21) -> None:
    recorder = FrameRecorder(station)
    limits = iter([10.0, 12.0])
    online.csms.answers["PullDynamicScheduleUpdate"] = lambda p: {
        "status": "Accepted",
        "scheduleUpdate": {"limit": next(limits)},
    }
    assert set_profile(online, 1, _dynamic(8.0, interval=600)) == {"status": "Accepted"}
    _charge(online, station)
    online.run_for(599)
    assert online.csms.payloads("PullDynamicScheduleUpdate") == []
    online.run_for(1)
    assert online.csms.payloads("PullDynamicScheduleUpdate") == [{"chargingProfileId": 5}]
    assert _power_w(station) == 6900.0
    online.run_for(600)
    assert len(online.csms.payloads("PullDynamicScheduleUpdate")) == 2
    assert _power_w(station) == 8280.0
    # 10 min at 8 A, 10 min at 10 A, then 12 A.
    assert delivered_wh(station) == pytest.approx((5520.0 + 6900.0) / 6)
    assert recorder.violations(V21) == []
    assert recorder.refusals() == []


def test_k28_an_update_pushed_puts_off_the_next_pull(online: Link, station: StationV21) -> None:
    online.csms.answers["PullDynamicScheduleUpdate"] = lambda p: {"status": "Rejected"}
    set_profile(online, 1, _dynamic(8.0, interval=600))
    online.run_for(500)
    _update(online, 5, limit=10.0)
    online.run_for(599)  # the interval counts from the update received at 500 s
    assert online.csms.payloads("PullDynamicScheduleUpdate") == []
    online.run_for(1)
    assert online.csms.payloads("PullDynamicScheduleUpdate") == [{"chargingProfileId": 5}]
    # Rejected: the limit stays, and the station asks again an interval later.
    assert _power_w(station) == 6900.0
    online.run_for(600)
    assert len(online.csms.payloads("PullDynamicScheduleUpdate")) == 2


def test_k28_clearing_the_profile_ends_its_pulls(online: Link, station: StationV21) -> None:
    set_profile(online, 1, _dynamic(8.0, interval=60))
    assert online.call_station("ClearChargingProfile", {"chargingProfileId": 5}) == {
        "status": "Accepted"
    }
    online.run_for(3600)
    assert online.csms.payloads("PullDynamicScheduleUpdate") == []
    assert not station.timers.is_set("dynamic-profile:5")


def test_k28_the_pulls_stop_with_the_connection_and_resume_with_it(
    online: Link, station: StationV21
) -> None:
    online.csms.answers["PullDynamicScheduleUpdate"] = lambda p: {"status": "Rejected"}
    set_profile(online, 1, _dynamic(8.0, interval=60))
    online.auto_reconnect = False
    online.drop()
    assert not station.timers.is_set("dynamic-profile:5")
    online.connect()
    online.csms.clear()
    online.run_for(60)
    assert online.csms.payloads("PullDynamicScheduleUpdate") == [{"chargingProfileId": 5}]


@pytest.mark.parametrize(
    ("profile_id", "update", "reason"),
    [
        (99, {"limit": 12.0}, "NotFound"),
        (1, {"limit": 12.0}, "InvalidProfile"),
        (5, {"setpoint": 12.0}, "MissingParam"),
    ],
)
def test_k28_a_bad_update_is_rejected_and_changes_nothing(
    online: Link, station: StationV21, profile_id: int, update: dict[str, float], reason: str
) -> None:
    set_profile(online, 1, _dynamic(8.0))
    set_profile(online, 1, profile("TxDefaultProfile", [(0, 6.0)], profile_id=1, stack_level=1))
    _charge(online, station)
    before = station.model.profiles.profiles()
    answer = _update(online, profile_id, **update)
    assert answer["status"] == "Rejected"
    assert answer["statusInfo"]["reasonCode"] == reason
    assert station.model.profiles.profiles() == before
    assert online.csms.actions() == []


def test_k28_a_dynamic_profile_has_one_period(online: Link, station: StationV21) -> None:
    two = profile("TxDefaultProfile", [(0, 8.0), (600, 10.0)], profile_id=5, kind="Dynamic")
    assert set_profile(online, 1, two) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "InvalidSchedule",
            "additionalInfo": "a Dynamic profile has one period",
        },
    }
    assert station.model.profiles.profiles() == []


def test_k28_a_remote_start_s_dynamic_profile_is_pulled(online: Link, station: StationV21) -> None:
    online.csms.answers["PullDynamicScheduleUpdate"] = lambda p: {
        "status": "Accepted",
        "scheduleUpdate": {"limit": 10.0},
    }
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    online.pump()
    tx_profile = {
        **profile("TxProfile", [(0, 8.0)], profile_id=6, kind="Dynamic"),
        "dynUpdateInterval": 300,
    }
    start = {
        "remoteStartId": 3,
        "idToken": {"idToken": "R-1", "type": "Central"},
        "evseId": 1,
        "chargingProfile": tx_profile,
    }
    assert online.call_station("RequestStartTransaction", start) == {"status": "Accepted"}
    online.run_for(1)
    assert _power_w(station) == 5520.0
    online.run_for(300)
    assert online.csms.payloads("PullDynamicScheduleUpdate") == [{"chargingProfileId": 6}]
    assert _power_w(station) == 6900.0
