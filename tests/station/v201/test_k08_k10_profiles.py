"""OCPP 2.0.1 K08 GetCompositeSchedule, K09 GetChargingProfiles, K10 ClearChargingProfile."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.clock import ManualClock
from tests.station.harness import Link
from tests.station.v201.conftest import make_link, make_station
from tests.station.v201.smart_charging_support import (
    delivered_wh,
    profile,
    set_profile,
    start_charging,
    station_of,
    triggers,
)
from tests.station.v201.support import ts

# -- K10 -------------------------------------------------------------------------------------------


def test_k10_clear_charging_profile_lifts_the_limit(online: Link) -> None:
    station = station_of(online)
    tx = start_charging(online)
    set_profile(online, 1, profile("TxProfile", [(0, 16.0)], profile_id=4, transaction_id=tx))
    online.run_for(1800)
    online.csms.clear()
    assert online.call_station("ClearChargingProfile", {"chargingProfileId": 5}) == {
        "status": "Unknown"
    }
    assert online.call_station("ClearChargingProfile", {"chargingProfileId": 4}) == {
        "status": "Accepted"
    }
    assert triggers(online) == [(ts(1800), "ChargingRateChanged", "Charging")]
    online.run_for(1800)
    assert delivered_wh(station) == pytest.approx((3680 + 7360) / 2)


def test_k10_clear_by_criteria(online: Link) -> None:
    station = station_of(online)
    set_profile(online, 0, profile("TxDefaultProfile", [(0, 16.0)], profile_id=1))
    set_profile(online, 1, profile("TxDefaultProfile", [(0, 8.0)], profile_id=2, stack_level=1))

    def clear(**criteria: Any) -> Payload:
        request = {"chargingProfileCriteria": criteria}
        return online.call_station("ClearChargingProfile", request)

    assert clear(evseId=1, stackLevel=0) == {"status": "Unknown"}
    assert clear(chargingProfilePurpose="TxProfile") == {"status": "Unknown"}
    assert clear(evseId=1, chargingProfilePurpose="TxDefaultProfile") == {"status": "Accepted"}
    assert [p.id for _, p in station.model.profiles.profiles()] == [1]
    assert online.call_station("ClearChargingProfile", {}) == {"status": "Accepted"}  # all
    assert station.model.profiles.profiles() == []


# -- K09 -------------------------------------------------------------------------------------------


def test_k09_get_charging_profiles_reports_with_tbc(online: Link) -> None:
    tx = start_charging(online)
    station_default = profile("TxDefaultProfile", [(0, 20.0)], profile_id=1)
    own = profile("TxProfile", [(0, 32.0), (1800, 10.0)], profile_id=2, transaction_id=tx)
    set_profile(online, 0, station_default)
    set_profile(online, 1, own)
    online.csms.clear()
    answer = online.call_station("GetChargingProfiles", {"requestId": 5, "chargingProfile": {}})
    assert answer == {"status": "Accepted"}
    # K09: one report per EVSE and source, after the answer, all but the last with tbc.
    assert online.csms.received == [
        (
            "ReportChargingProfiles",
            {
                "requestId": 5,
                "chargingLimitSource": "CSO",
                "chargingProfile": [station_default],
                "evseId": 0,
                "tbc": True,
            },
        ),
        (
            "ReportChargingProfiles",
            {"requestId": 5, "chargingLimitSource": "CSO", "chargingProfile": [own], "evseId": 1},
        ),
    ]


def test_k09_criteria_select_and_no_profiles(online: Link) -> None:
    set_profile(online, 0, profile("TxDefaultProfile", [(0, 20.0)], profile_id=1))
    set_profile(online, 1, profile("TxDefaultProfile", [(0, 10.0)], profile_id=2, stack_level=3))

    def get(criterion: dict[str, Any], **extra: Any) -> Payload:
        request = {"requestId": 9, "chargingProfile": criterion, **extra}
        return online.call_station("GetChargingProfiles", request)

    assert get({"stackLevel": 5}) == {"status": "NoProfiles"}
    assert get({"chargingLimitSource": ["EMS"]}) == {"status": "NoProfiles"}
    assert get({"chargingProfilePurpose": "TxProfile"}) == {"status": "NoProfiles"}
    assert online.csms.payloads("ReportChargingProfiles") == []
    assert get({"chargingProfileId": [2]}) == {"status": "Accepted"}
    assert get({"chargingLimitSource": ["CSO"]}, evseId=0) == {"status": "Accepted"}
    reports = online.csms.payloads("ReportChargingProfiles")
    assert [
        (r["evseId"], [p["id"] for p in r["chargingProfile"]], "tbc" in r) for r in reports
    ] == [
        (1, [2], False),
        (0, [1], False),
    ]


# -- K08 -------------------------------------------------------------------------------------------


def test_k08_composite_schedule(online: Link) -> None:
    set_profile(online, 0, profile("TxDefaultProfile", [(0, 20.0)], profile_id=1))
    tx = start_charging(online)
    online.run_for(600)
    own = profile("TxProfile", [(0, 32.0), (1800, 10.0)], profile_id=2, transaction_id=tx)
    set_profile(online, 1, own)
    # The transaction's own profile overrides the default; Relative to the start, 10 min ago.
    answer = online.call_station("GetCompositeSchedule", {"evseId": 1, "duration": 3600})
    assert answer == {
        "status": "Accepted",
        "schedule": {
            "evseId": 1,
            "duration": 3600,
            "scheduleStart": ts(600),
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 32.0, "numberPhases": 1},
                {"startPeriod": 1200, "limit": 10.0, "numberPhases": 1},
            ],
        },
    }
    # The whole station: no transaction there, so no TxDefaultProfile; its rating (32 A).
    answer = online.call_station("GetCompositeSchedule", {"evseId": 0, "duration": 60})
    assert answer["schedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 32.0, "numberPhases": 1}
    ]


def test_k08_composite_schedule_refusals(online: Link) -> None:
    assert online.call_station("GetCompositeSchedule", {"evseId": 3, "duration": 60}) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnknownEvse", "additionalInfo": "there is no EVSE 3"},
    }
    request = {"evseId": 1, "duration": 60, "chargingRateUnit": "W"}
    assert online.call_station("GetCompositeSchedule", request) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnsupportedRateUnit", "additionalInfo": "RateUnit is A"},
    }


def test_k08_fr_03_the_station_s_composite_adds_up_its_evses(clock: ManualClock) -> None:
    link = make_link(make_station(clock, "alfen-eve-double-pro-line"), clock)
    link.connect()
    set_profile(link, 0, profile("TxDefaultProfile", [(0, 6.0), (30, 8.0)], profile_id=1))
    request = {"evseId": 0, "duration": 60, "chargingRateUnit": "A"}
    periods = link.call_station("GetCompositeSchedule", request)["schedule"]
    # Each EVSE may draw 6 A, then 8 A: the station as much twice over (K08.FR.03).
    assert periods["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 12.0, "numberPhases": 3},
        {"startPeriod": 30, "limit": 16.0, "numberPhases": 3},
    ]
    # Its own maximum caps the sum (K08.FR.04).
    station_max = profile(
        "ChargingStationMaxProfile",
        [(0, 14.0)],
        profile_id=2,
        kind="Absolute",
        start_schedule=ts(),
    )
    assert set_profile(link, 0, station_max) == {"status": "Accepted"}
    periods = link.call_station("GetCompositeSchedule", request)["schedule"]
    assert periods["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 12.0, "numberPhases": 3},
        {"startPeriod": 30, "limit": 14.0, "numberPhases": 3},
    ]
