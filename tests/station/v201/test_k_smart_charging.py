"""OCPP 2.0.1 K01 SetChargingProfile and K05 (a remote start's profile): the limits, through
the meter, and the refusals. Shapes in ``smart_charging_support.py``."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.station.model.ev import MID_SUV, Ev
from tests.station.harness import Link
from tests.station.v201.smart_charging_support import (
    delivered_wh,
    profile,
    set_profile,
    start_charging,
    station_of,
    triggers,
)
from tests.station.v201.support import events, set_variable, tag, ts

# -- K01: energy follows at once -----------------------------------------------------------------


def test_k01_tx_profile_limits_energy(online: Link) -> None:
    station = station_of(online)
    tx = start_charging(online)
    answer = set_profile(online, 1, profile("TxProfile", [(0, 16.0)], transaction_id=tx))
    assert answer == {"status": "Accepted"}
    # The limit halved during the transaction: TriggerReason ChargingRateChanged, no status.
    assert online.csms.received == [
        (
            "TransactionEvent",
            {
                "eventType": "Updated",
                "timestamp": ts(),
                "triggerReason": "ChargingRateChanged",
                "seqNo": 2,
                "transactionInfo": {
                    "transactionId": tx,
                    "chargingState": "Charging",
                    "timeSpentCharging": 0,
                },
            },
        )
    ]
    online.run_for(60)
    assert delivered_wh(station) == pytest.approx(3680 / 60)
    online.run_for(3540)
    # One hour at 16 A x 230 V: half of the 7,360 Wh the wallbox gives unconstrained.
    assert delivered_wh(station) == pytest.approx(3680.0)
    assert online.csms.payloads("StatusNotification") == []


def test_k01_energy_before_the_profile_counts_at_the_old_limit(online: Link) -> None:
    station = station_of(online)
    tx = start_charging(online)
    online.run_for(1830)
    assert set_profile(online, 1, profile("TxProfile", [(0, 16.0)], transaction_id=tx)) == {
        "status": "Accepted"
    }
    online.run_for(1770)
    assert delivered_wh(station) == pytest.approx((7360 * 1830 + 3680 * 1770) / 3600)


def test_k01_schedule_dropping_to_zero_suspends_evse_then_resumes(online: Link) -> None:
    station = station_of(online)
    tx = start_charging(online)
    # Relative to the transaction's start: 32 A, nothing from 30:30, 16 A from 60:30.
    periods = [(0, 32.0), (1830, 0.0), (3630, 16.0)]
    assert set_profile(online, 1, profile("TxProfile", periods, transaction_id=tx)) == {
        "status": "Accepted"
    }
    assert events(online) == []  # 32 A is what the wallbox gives anyway
    online.run_for(1829)
    assert triggers(online) == []
    online.run_for(1)
    at_suspension = delivered_wh(station)
    assert at_suspension == pytest.approx(7360 * 1830 / 3600)
    online.run_for(1800)
    assert delivered_wh(station) == pytest.approx(at_suspension)
    online.run_for(1800)
    assert delivered_wh(station) == pytest.approx(at_suspension + 3680 / 2)
    # The state changes say it; no ChargingRateChanged on top of them.
    assert triggers(online) == [
        (ts(1830), "ChargingStateChanged", "SuspendedEVSE"),
        (ts(3630), "ChargingStateChanged", "Charging"),
    ]
    assert online.csms.payloads("StatusNotification") == []  # Occupied all along


def test_k01_small_changes_add_up_to_limit_change_significance(online: Link) -> None:
    tx = start_charging(online)
    set_profile(online, 1, profile("TxProfile", [(0, 30.0)], transaction_id=tx))
    assert events(online) == []  # 32 A -> 30 A: 6.25 %, under the 10 % of the default
    set_profile(
        online, 1, profile("TxProfile", [(0, 28.0)], profile_id=2, stack_level=1, transaction_id=tx)
    )
    assert [e["triggerReason"] for e in events(online)] == ["ChargingRateChanged"]  # 12.5 %
    assert set_variable(online, "SmartChargingCtrlr", "LimitChangeSignificance", "1") == "Accepted"
    set_profile(
        online, 1, profile("TxProfile", [(0, 27.5)], profile_id=2, stack_level=1, transaction_id=tx)
    )
    assert len(events(online)) == 2  # 1.8 %


def test_k01_tx_default_profile_on_the_station_limits_the_next_transaction(online: Link) -> None:
    station = station_of(online)
    assert set_profile(online, 0, profile("TxDefaultProfile", [(0, 10.0)])) == {
        "status": "Accepted"
    }
    assert online.csms.received == []  # no transaction: nothing to report
    start_charging(online)
    online.run_for(3600)
    assert delivered_wh(station) == pytest.approx(2300.0)


def test_k01_refusals_carry_a_reason(online: Link) -> None:
    assert set_profile(online, 1, profile("TxProfile", [(0, 16.0)], transaction_id="x")) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "TxNotFound",
            "additionalInfo": "no transaction runs on EVSE 1",
        },
    }
    assert set_profile(online, 1, profile("TxDefaultProfile", [(0, 16.0)], unit="W")) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "UnsupportedRateUnit",
            "additionalInfo": "RateUnit is A (K01.FR.26)",
        },
    }
    tx = start_charging(online)

    def reason(evse_id: int, charging_profile: dict[str, Any]) -> str:
        answer = set_profile(online, evse_id, charging_profile)
        assert answer["status"] == "Rejected"
        code: str = answer["statusInfo"]["reasonCode"]
        return code

    assert reason(1, profile("TxProfile", [(0, 16.0)])) == "MissingParam"  # K01.FR.03
    assert reason(1, profile("TxProfile", [(0, 16.0)], transaction_id="other")) == "TxNotFound"
    assert reason(0, profile("TxProfile", [(0, 16.0)], transaction_id=tx)) == "InvalidValue"
    assert reason(5, profile("TxDefaultProfile", [(0, 16.0)])) == "UnknownEvse"
    external = profile("ChargingStationExternalConstraints", [(0, 16.0)])
    assert reason(0, external) == "InvalidValue"  # K01.FR.22
    assert reason(1, profile("TxDefaultProfile", [(0, 16.0)], stack_level=9)) == (
        "InvalidStackLevel"  # SmartChargingCtrlr.ProfileStackLevel is 8
    )
    periods = [(n * 60, 16.0) for n in range(25)]  # PeriodsPerSchedule is 24
    assert reason(1, profile("TxDefaultProfile", periods)) == "InvalidSchedule"
    assert reason(1, profile("TxDefaultProfile", [(10, 16.0)])) == "InvalidSchedule"  # K01.FR.31
    absolute = profile("TxDefaultProfile", [(0, 16.0)], kind="Absolute")
    assert reason(1, absolute) == "MissingParam"  # K01.FR.40
    set_profile(online, 1, profile("TxDefaultProfile", [(0, 16.0)]))
    assert reason(1, profile("TxDefaultProfile", [(0, 8.0)], profile_id=2)) == (
        "DuplicateProfile"  # K01.FR.06: same purpose and stack level, same time
    )
    assert set_variable(online, "SmartChargingCtrlr", "Enabled", "false") == "Accepted"
    assert reason(1, profile("TxDefaultProfile", [(0, 8.0)], profile_id=3)) == "NotEnabled"
    assert [p.id for _, p in station_of(online).model.profiles.profiles()] == [1]


def test_k01_entries_limit_the_profiles_installed(online: Link) -> None:
    # SmartChargingCtrlr.Entries (instance ChargingProfiles) has maxLimit 10.
    for level in range(9):
        charging_profile = profile(
            "TxDefaultProfile", [(0, 16.0)], profile_id=level, stack_level=level
        )
        assert set_profile(online, 1, charging_profile) == {"status": "Accepted"}
    maximum = profile(
        "ChargingStationMaxProfile",
        [(0, 32.0)],
        profile_id=20,
        kind="Absolute",
        start_schedule=ts(),
    )
    assert set_profile(online, 0, maximum) == {"status": "Accepted"}
    assert set_profile(online, 0, {**maximum, "id": 21, "stackLevel": 1}) == {
        "status": "Rejected",
        "statusInfo": {
            "reasonCode": "NoCapacity",
            "additionalInfo": "SmartChargingCtrlr.Entries is at its maxLimit",
        },
    }
    # One that replaces an installed profile (same id, K01.FR.05) takes no more room.
    assert set_profile(online, 0, {**maximum, "stackLevel": 1}) == {"status": "Accepted"}
    entries = online.call_station(
        "GetVariables",
        {
            "getVariableData": [
                {
                    "component": {"name": "SmartChargingCtrlr"},
                    "variable": {"name": "Entries", "instance": "ChargingProfiles"},
                }
            ]
        },
    )
    assert entries["getVariableResult"][0]["attributeValue"] == "10"


# -- K05: a remote start's profile -----------------------------------------------------------------


def test_k05_remote_start_profile_is_checked_before_the_answer(online: Link) -> None:
    station = station_of(online)
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    online.pump()
    start = {"remoteStartId": 3, "idToken": tag("R-1", "Central"), "evseId": 1}
    watts = profile("TxProfile", [(0, 3680.0)], unit="W")
    assert online.call_station("RequestStartTransaction", {**start, "chargingProfile": watts}) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnsupportedRateUnit"},
    }
    absolute = profile("TxProfile", [(0, 16.0)], kind="Absolute")
    answer = online.call_station("RequestStartTransaction", {**start, "chargingProfile": absolute})
    assert answer == {"status": "Rejected", "statusInfo": {"reasonCode": "MissingParam"}}
    assert station.model.evses[1].transaction is None
    amps = profile("TxProfile", [(0, 16.0)])
    answer = online.call_station("RequestStartTransaction", {**start, "chargingProfile": amps})
    assert answer == {"status": "Accepted"}
    online.run_for(3600)
    assert delivered_wh(station) == pytest.approx(3680.0)


def test_k01_a_lower_power_available_is_a_charging_rate_change(online: Link) -> None:
    station = station_of(online)
    start_charging(online)
    station.set_power_limit(1, 2300.0)
    online.pump()
    assert triggers(online) == [(ts(), "ChargingRateChanged", "Charging")]
    online.run_for(3600)
    assert delivered_wh(station) == pytest.approx(2300.0)
