"""OCPP 1.6 Smart Charging profile (sections 3.13, 5.5, 5.7, 5.16), through the meter.

The station is a single-phase 7.36 kW wallbox (32 A at 230 V); an SUV at 50 % asks for more, so
without a profile it draws 7,360 W and a 16 A profile halves that to 3,680 W.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from chargeyard.protocol import CallFailure
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v16 import StationV16
from tests.station.harness import Link

T0 = "2026-01-01T00:00:00.000Z"


def profile(
    purpose: str,
    periods: list[tuple[int, float]],
    *,
    profile_id: int = 1,
    stack_level: int = 0,
    unit: str = "A",
    kind: str = "Relative",
    transaction_id: int | None = None,
    start_schedule: str | None = None,
) -> dict[str, Any]:
    """A csChargingProfiles payload."""
    schedule: dict[str, Any] = {
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [
            {"startPeriod": start, "limit": limit} for start, limit in periods
        ],
    }
    if start_schedule is not None:
        schedule["startSchedule"] = start_schedule
    payload: dict[str, Any] = {
        "chargingProfileId": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": schedule,
    }
    if transaction_id is not None:
        payload["transactionId"] = transaction_id
    return payload


def set_profile(link: Link, connector_id: int, cs_profile: dict[str, Any]) -> dict[str, Any]:
    return link.call_station(
        "SetChargingProfile", {"connectorId": connector_id, "csChargingProfiles": cs_profile}
    )


def start_charging(link: Link, station: StationV16) -> None:
    """An SUV at 50 % plugged in and authorized: transaction 1 runs, Charging."""
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-1")
    link.pump()
    assert statuses(link)[-1] == (1, "Charging")
    link.csms.clear()


def statuses(link: Link) -> list[tuple[int, str]]:
    return [(p["connectorId"], p["status"]) for p in link.csms.payloads("StatusNotification")]


def delivered_wh(station: StationV16) -> float:
    station.advance()  # the meter integrates lazily: bring it up to now
    return station.model.evses[1].meter.energy_register_wh - 1000.0  # the fixture starts at 1 kWh


def power_reported(link: Link) -> str:
    last = link.csms.payloads("MeterValues")[-1]
    values = last["meterValue"][0]["sampledValue"]
    return next(v["value"] for v in values if v.get("measurand") == "Power.Active.Import")


def station_with(clock: ManualClock, **configuration: str) -> StationV16:
    template = load_catalog().template("alfen-eve-single-pro-line")
    template = dataclasses.replace(
        template, default_configuration={**template.default_configuration, **configuration}
    )
    ids = itertools.count(1)
    return StationV16(
        "CP-1", template, clock=clock, new_id=lambda: f"m{next(ids)}", energy_wh=1000.0
    )


# -- SetChargingProfile: energy follows at once -------------------------------------------------


def test_5_16_tx_profile_limits_power_immediately(online: Link, station: StationV16) -> None:
    start_charging(online, station)
    answer = set_profile(online, 1, profile("TxProfile", [(0, 16.0)], transaction_id=1))
    assert answer == {"status": "Accepted"}
    online.run_for(60)
    assert delivered_wh(station) == pytest.approx(3680 / 60)
    online.run_for(3540)
    # One hour at 16 A x 230 V: half of the 7,360 Wh the wallbox gives unconstrained.
    assert delivered_wh(station) == pytest.approx(3680.0)
    assert power_reported(online) == "3680.0"
    assert statuses(online) == []  # it kept charging, just slower


def test_5_16_energy_before_the_profile_counts_at_the_old_limit(
    online: Link, station: StationV16
) -> None:
    start_charging(online, station)
    online.run_for(1830)  # off the minute: the last MeterValues tick integrated up to 30:00
    assert set_profile(online, 1, profile("TxProfile", [(0, 16.0)])) == {"status": "Accepted"}
    online.run_for(1770)
    assert delivered_wh(station) == pytest.approx((7360 * 1830 + 3680 * 1770) / 3600)


def test_5_16_schedule_dropping_to_zero_suspends_evse_then_resumes(
    online: Link, station: StationV16
) -> None:
    start_charging(online, station)
    # Relative to the transaction's start: 32 A, nothing from 30:30, 16 A from 60:30 (off the
    # minute, so that the change and not the MeterValues tick moves the status).
    cs_profile = profile("TxProfile", [(0, 32.0), (1830, 0.0), (3630, 16.0)], transaction_id=1)
    assert set_profile(online, 1, cs_profile) == {"status": "Accepted"}
    online.run_for(1829)
    assert statuses(online) == []
    online.run_for(1)
    assert online.csms.payloads("StatusNotification") == [
        {
            "connectorId": 1,
            "errorCode": "NoError",
            "status": "SuspendedEVSE",
            "timestamp": "2026-01-01T00:30:30.000Z",
        }
    ]
    at_suspension = delivered_wh(station)
    assert at_suspension == pytest.approx(7360 * 1830 / 3600)
    online.run_for(1800)
    assert delivered_wh(station) == pytest.approx(at_suspension)
    assert statuses(online)[-1] == (1, "Charging")
    assert online.csms.payloads("StatusNotification")[-1]["timestamp"] == "2026-01-01T01:00:30.000Z"
    online.run_for(1800)
    assert delivered_wh(station) == pytest.approx(at_suspension + 3680 / 2)


def test_5_16_zero_limit_suspends_and_lifting_it_resumes(online: Link, station: StationV16) -> None:
    start_charging(online, station)
    # A station-wide default (connector 0) of 0 A: SuspendedEVSE right after the answer.
    zero = profile("TxDefaultProfile", [(0, 0.0)], profile_id=7, kind="Absolute")
    assert set_profile(online, 0, zero) == {"status": "Accepted"}
    assert statuses(online) == [(1, "SuspendedEVSE")]
    online.run_for(600)
    assert delivered_wh(station) == pytest.approx(0.0)
    online.csms.clear()
    answer = online.call_station("ClearChargingProfile", {"id": 7})
    assert answer == {"status": "Accepted"}
    assert statuses(online) == [(1, "Charging")]
    online.run_for(600)
    assert delivered_wh(station) == pytest.approx(7360 / 6)


def test_3_13_tx_profile_overrides_tx_default(online: Link, station: StationV16) -> None:
    default = profile("TxDefaultProfile", [(0, 8.0)], profile_id=1, kind="Absolute")
    assert set_profile(online, 0, default) == {"status": "Accepted"}
    start_charging(online, station)
    assert set_profile(online, 1, profile("TxProfile", [(0, 24.0)], profile_id=2)) == {
        "status": "Accepted"
    }
    online.run_for(3600)
    assert delivered_wh(station) == pytest.approx(24 * 230)


def test_3_13_tx_default_schedule_runs_from_each_transaction_start(
    online: Link, station: StationV16
) -> None:
    # Installed before any transaction: the timer is armed when the transaction starts.
    default = profile("TxDefaultProfile", [(0, 32.0), (1830, 0.0)])
    assert set_profile(online, 0, default) == {"status": "Accepted"}
    online.run_for(600)
    start_charging(online, station)
    online.run_for(1830)
    assert online.csms.payloads("StatusNotification") == [
        {
            "connectorId": 1,
            "errorCode": "NoError",
            "status": "SuspendedEVSE",
            "timestamp": "2026-01-01T00:40:30.000Z",
        }
    ]


def test_5_11_remote_start_with_a_tx_profile(online: Link, station: StationV16) -> None:
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    cs_profile = profile("TxProfile", [(0, 16.0), (1830, 0.0)])
    answer = online.call_station(
        "RemoteStartTransaction",
        {"connectorId": 1, "idTag": "TAG-1", "chargingProfile": cs_profile},
    )
    assert answer == {"status": "Accepted"}
    online.csms.clear()
    online.run_for(1830)
    assert delivered_wh(station) == pytest.approx(3680 * 1830 / 3600)
    assert statuses(online) == [(1, "SuspendedEVSE")]


def test_3_13_tx_profile_ends_with_its_transaction(online: Link, station: StationV16) -> None:
    start_charging(online, station)
    assert set_profile(online, 1, profile("TxProfile", [(0, 16.0)])) == {"status": "Accepted"}
    station.unplug(1, 1)
    online.pump()
    assert station.model.profiles.profiles() == []
    assert not station.timers.is_set("charging_limit:1")


# -- SetChargingProfile: what is refused --------------------------------------------------------


def test_5_16_tx_profile_without_a_transaction_is_rejected(online: Link) -> None:
    assert set_profile(online, 1, profile("TxProfile", [(0, 16.0)])) == {"status": "Rejected"}


def test_5_16_tx_profile_for_another_transaction_is_rejected(
    online: Link, station: StationV16
) -> None:
    start_charging(online, station)
    cs_profile = profile("TxProfile", [(0, 16.0)], transaction_id=99)
    assert set_profile(online, 1, cs_profile) == {"status": "Rejected"}
    assert set_profile(online, 0, profile("TxProfile", [(0, 16.0)])) == {"status": "Rejected"}


def test_5_16_unknown_connector_is_rejected(online: Link) -> None:
    cs_profile = profile("TxDefaultProfile", [(0, 16.0)], kind="Absolute")
    assert set_profile(online, 2, cs_profile) == {"status": "Rejected"}


def test_3_13_charge_point_max_profile_only_on_connector_0(online: Link) -> None:
    cs_profile = profile("ChargePointMaxProfile", [(0, 16.0)], kind="Absolute")
    assert set_profile(online, 1, cs_profile) == {"status": "Rejected"}
    assert set_profile(online, 0, cs_profile) == {"status": "Accepted"}


@pytest.mark.parametrize(
    ("cs_profile", "why"),
    [
        (profile("TxDefaultProfile", [(0, 16.0)], stack_level=9), "ChargeProfileMaxStackLevel 8"),
        (profile("TxDefaultProfile", [(0, 3680.0)], unit="W"), "allowed unit: Current"),
        (
            profile("TxDefaultProfile", [(60 * i, 16.0) for i in range(25)]),
            "ChargingScheduleMaxPeriods 24",
        ),
    ],
)
def test_9_4_configuration_limits_reject(
    online: Link, station: StationV16, cs_profile: dict[str, Any], why: str
) -> None:
    assert set_profile(online, 0, cs_profile) == {"status": "Rejected"}, why
    assert station.model.profiles.profiles() == []


def test_9_4_max_charging_profiles_installed(online: Link, station: StationV16) -> None:
    # MaxChargingProfilesInstalled is 10: stack levels 0..8 on connector 0, level 0 on 1.
    for level in range(9):
        cs_profile = profile("TxDefaultProfile", [(0, 16.0)], profile_id=level, stack_level=level)
        assert set_profile(online, 0, cs_profile) == {"status": "Accepted"}
    assert set_profile(online, 1, profile("TxDefaultProfile", [(0, 16.0)], profile_id=9)) == {
        "status": "Accepted"
    }
    eleventh = profile("TxDefaultProfile", [(0, 16.0)], profile_id=10, stack_level=1)
    assert set_profile(online, 1, eleventh) == {"status": "Rejected"}
    # Replacing one (same id; or same connector, purpose and level) does not add one.
    assert set_profile(online, 1, profile("TxDefaultProfile", [(0, 8.0)], profile_id=9)) == {
        "status": "Accepted"
    }
    same_slot = profile("TxDefaultProfile", [(0, 8.0)], profile_id=11, stack_level=4)
    assert set_profile(online, 0, same_slot) == {"status": "Accepted"}
    assert len(station.model.profiles.profiles()) == 10


def test_5_16_not_supported_without_the_smart_charging_profile(clock: ManualClock) -> None:
    link = Link(station_with(clock, SupportedFeatureProfiles="Core,RemoteTrigger"), clock)
    link.connect()
    cs_profile = profile("TxDefaultProfile", [(0, 16.0)])
    assert set_profile(link, 0, cs_profile) == {"status": "NotSupported"}
    with pytest.raises(CallFailure, match="NotSupported"):
        link.call_station("GetCompositeSchedule", {"connectorId": 0, "duration": 60})
    with pytest.raises(CallFailure, match="NotSupported"):
        link.call_station("ClearChargingProfile", {})


# -- ClearChargingProfile -----------------------------------------------------------------------


def test_5_5_clear_by_criteria_and_unknown(online: Link, station: StationV16) -> None:
    set_profile(online, 0, profile("TxDefaultProfile", [(0, 16.0)], profile_id=1))
    set_profile(online, 1, profile("TxDefaultProfile", [(0, 8.0)], profile_id=2, stack_level=1))
    set_profile(online, 0, profile("ChargePointMaxProfile", [(0, 20.0)], profile_id=3))
    assert online.call_station("ClearChargingProfile", {"id": 42}) == {"status": "Unknown"}
    assert online.call_station("ClearChargingProfile", {"connectorId": 5}) == {"status": "Unknown"}
    only_level_1 = {"chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 1}
    assert online.call_station("ClearChargingProfile", only_level_1) == {"status": "Accepted"}
    assert [p.id for _, p in station.model.profiles.profiles()] == [1, 3]
    assert online.call_station("ClearChargingProfile", {"connectorId": 0}) == {"status": "Accepted"}
    assert station.model.profiles.profiles() == []
    assert online.call_station("ClearChargingProfile", {}) == {"status": "Unknown"}


# -- GetCompositeSchedule -----------------------------------------------------------------------


def test_5_7_composite_schedule_reflects_the_stack(online: Link) -> None:
    # A default of 16 A for an hour then 32 A, capped by a station maximum of 24 A.
    default = profile("TxDefaultProfile", [(0, 16.0), (3600, 32.0)], kind="Absolute")
    default["chargingSchedule"]["startSchedule"] = T0
    assert set_profile(online, 1, default) == {"status": "Accepted"}
    cap = profile("ChargePointMaxProfile", [(0, 24.0)], profile_id=2, kind="Absolute")
    assert set_profile(online, 0, cap) == {"status": "Accepted"}
    online.run_for(600)
    answer = online.call_station(
        "GetCompositeSchedule", {"connectorId": 1, "duration": 7200, "chargingRateUnit": "A"}
    )
    assert answer == {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-01-01T00:10:00.000Z",
        "chargingSchedule": {
            "duration": 7200,
            "startSchedule": "2026-01-01T00:10:00.000Z",
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 16.0, "numberPhases": 1},
                {"startPeriod": 3000, "limit": 24.0, "numberPhases": 1},
            ],
        },
    }
    in_watts = online.call_station(
        "GetCompositeSchedule", {"connectorId": 1, "duration": 7200, "chargingRateUnit": "W"}
    )
    assert in_watts["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 3680.0, "numberPhases": 1},
        {"startPeriod": 3000, "limit": 5520.0, "numberPhases": 1},
    ]


def test_5_7_composite_without_profiles_is_the_evse_rating(online: Link) -> None:
    answer = online.call_station("GetCompositeSchedule", {"connectorId": 0, "duration": 3600})
    assert answer == {
        "status": "Accepted",
        "connectorId": 0,
        "scheduleStart": T0,
        "chargingSchedule": {
            "duration": 3600,
            "startSchedule": T0,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7360.0, "numberPhases": 1}],
        },
    }


def test_5_7_composite_follows_the_running_transaction(online: Link, station: StationV16) -> None:
    start_charging(online, station)
    cs_profile = profile("TxProfile", [(0, 32.0), (1830, 0.0), (3630, 16.0)])
    assert set_profile(online, 1, cs_profile) == {"status": "Accepted"}
    online.run_for(1200)  # the Relative schedule stays anchored at the transaction's start
    answer = online.call_station("GetCompositeSchedule", {"connectorId": 1, "duration": 3600})
    assert answer["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 32.0, "numberPhases": 1},
        {"startPeriod": 630, "limit": 0.0, "numberPhases": 1},
        {"startPeriod": 2430, "limit": 16.0, "numberPhases": 1},
    ]


def test_5_7_unknown_connector_is_rejected(online: Link) -> None:
    answer = online.call_station("GetCompositeSchedule", {"connectorId": 3, "duration": 60})
    assert answer == {"status": "Rejected"}
