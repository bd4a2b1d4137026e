"""Converters to and from OCPP payloads, checked against the official schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chargeyard.protocol import V16, V201, OcppError
from chargeyard.station.model.smart_charging import (
    ChargingProfile,
    ChargingSchedule,
    ChargingSchedulePeriod,
    CompositeSchedule,
    composite_to_ocpp16,
    composite_to_ocpp201,
    profile_from_ocpp16,
    profile_from_ocpp201,
    profile_to_ocpp16,
    profile_to_ocpp201,
    purpose_from_ocpp16,
    purpose_from_ocpp201,
    purpose_to_ocpp16,
    purpose_to_ocpp201,
    reports_to_ocpp201,
)

from .smart_charging_support import (
    ABSOLUTE,
    DAILY,
    DEFAULT,
    EXTERNAL,
    MAX,
    RECURRING,
    T0,
    TX,
    A,
    W,
    at,
    profile,
)

CS_CHARGING_PROFILES_16: dict[str, Any] = {
    "chargingProfileId": 12,
    "transactionId": 345,
    "stackLevel": 2,
    "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Recurring",
    "recurrencyKind": "Daily",
    "validFrom": "2026-01-01T00:00:00.000Z",
    "validTo": "2026-02-01T00:00:00.000Z",
    "chargingSchedule": {
        "duration": 28800,
        "startSchedule": "2026-01-01T22:00:00.000Z",
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
            {"startPeriod": 3600, "limit": 8.1},
        ],
        "minChargingRate": 6.0,
    },
}

MODEL_16 = ChargingProfile(
    id=12,
    stack_level=2,
    purpose=TX,
    kind=RECURRING,
    recurrency_kind=DAILY,
    valid_from=T0,
    valid_to=datetime(2026, 2, 1, tzinfo=UTC),
    transaction_id="345",
    schedules=(
        ChargingSchedule(
            charging_rate_unit=A,
            periods=(ChargingSchedulePeriod(0, 16.0, 3), ChargingSchedulePeriod(3600, 8.1)),
            duration=28800,
            start_schedule=at(hours=22),
            min_charging_rate=6.0,
        ),
    ),
)

CHARGING_PROFILE_201: dict[str, Any] = {
    "id": 7,
    "stackLevel": 1,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "validTo": "2026-01-02T00:00:00.000Z",
    "chargingSchedule": [
        {
            "id": 70,
            "startSchedule": "2026-01-01T00:00:00.000Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 11000.0},
                {"startPeriod": 600, "limit": 7400.0, "numberPhases": 1, "phaseToUse": 2},
            ],
        },
        {
            "id": 71,
            "startSchedule": "2026-01-01T00:00:00.000Z",
            "duration": 3600,
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32.0}],
            "minChargingRate": 6.0,
        },
    ],
}

MODEL_201 = ChargingProfile(
    id=7,
    stack_level=1,
    purpose=DEFAULT,
    kind=ABSOLUTE,
    valid_to=at(days=1),
    schedules=(
        ChargingSchedule(
            id=70,
            charging_rate_unit=W,
            periods=(
                ChargingSchedulePeriod(0, 11000.0),
                ChargingSchedulePeriod(600, 7400.0, 1, phase_to_use=2),
            ),
            start_schedule=T0,
        ),
        ChargingSchedule(
            id=71,
            charging_rate_unit=A,
            periods=(ChargingSchedulePeriod(0, 32.0),),
            duration=3600,
            start_schedule=T0,
            min_charging_rate=6.0,
        ),
    ),
)


def test_6_43_profile_from_16_and_back() -> None:
    V16.schemas.check_request(
        "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": CS_CHARGING_PROFILES_16}
    )
    assert profile_from_ocpp16(CS_CHARGING_PROFILES_16) == MODEL_16
    assert profile_to_ocpp16(MODEL_16) == CS_CHARGING_PROFILES_16


def test_k01_profile_from_201_and_back() -> None:
    V201.schemas.check_request(
        "SetChargingProfile", {"evseId": 1, "chargingProfile": CHARGING_PROFILE_201}
    )
    assert profile_from_ocpp201(CHARGING_PROFILE_201) == MODEL_201
    assert profile_to_ocpp201(MODEL_201) == CHARGING_PROFILE_201


def test_timestamps_with_an_offset_are_kept_in_utc() -> None:
    payload = {**CS_CHARGING_PROFILES_16, "validFrom": "2026-01-01T02:00:00+02:00"}
    assert profile_from_ocpp16(payload).valid_from == T0


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        profile(1, DEFAULT, (0, 1.0), valid_from=datetime(2026, 1, 1))


def test_purposes_map_both_ways() -> None:
    assert [purpose_from_ocpp16(wire) for wire in ("ChargePointMaxProfile", "TxProfile")] == [
        MAX,
        TX,
    ]
    assert purpose_to_ocpp16(DEFAULT) == "TxDefaultProfile"
    assert purpose_from_ocpp201("ChargingStationExternalConstraints") is EXTERNAL
    assert purpose_to_ocpp201(MAX) == "ChargingStationMaxProfile"
    with pytest.raises(KeyError):
        purpose_to_ocpp16(EXTERNAL)


COMPOSITE = CompositeSchedule(
    evse_id=1,
    start=at(30.5),
    duration=3600,
    charging_rate_unit=A,
    periods=(ChargingSchedulePeriod(0, 16.0, 3), ChargingSchedulePeriod(1200, 28.986, 3)),
)


def test_6_22_composite_to_16() -> None:
    schedule = composite_to_ocpp16(COMPOSITE)
    assert schedule == {
        "duration": 3600,
        "startSchedule": "2026-01-01T00:00:30.500Z",
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
            {"startPeriod": 1200, "limit": 29.0, "numberPhases": 3},  # multipleOf 0.1
        ],
    }
    V16.schemas.check_response(
        "GetCompositeSchedule",
        {
            "status": "Accepted",
            "connectorId": 1,
            "scheduleStart": schedule["startSchedule"],
            "chargingSchedule": schedule,
        },
    )


def test_the_16_schema_refuses_an_unrounded_limit() -> None:
    # Why composite_to_ocpp16 rounds: the schema's multipleOf 0.1.
    schedule = composite_to_ocpp16(COMPOSITE)
    schedule["chargingSchedulePeriod"][1]["limit"] = 28.986
    with pytest.raises(OcppError):
        V16.schemas.check_response(
            "GetCompositeSchedule", {"status": "Accepted", "chargingSchedule": schedule}
        )


def test_k08_composite_to_201() -> None:
    schedule = composite_to_ocpp201(COMPOSITE)
    assert schedule == {
        "evseId": 1,
        "duration": 3600,
        "scheduleStart": "2026-01-01T00:00:30.500Z",
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
            {"startPeriod": 1200, "limit": 29.0, "numberPhases": 3},
        ],
    }
    V201.schemas.check_response(
        "GetCompositeSchedule", {"status": "Accepted", "schedule": schedule}
    )


def test_k09_reports_per_evse_and_source_with_tbc() -> None:
    found = [
        (0, profile(1, MAX, (0, 22000.0))),
        (0, profile(2, EXTERNAL, (0, 9000.0))),
        (1, MODEL_201),
    ]
    reports = reports_to_ocpp201(5, found)
    assert reports == [
        {
            "requestId": 5,
            "chargingLimitSource": "CSO",
            "chargingProfile": [profile_to_ocpp201(found[0][1])],
            "evseId": 0,
            "tbc": True,
        },
        {
            "requestId": 5,
            "chargingLimitSource": "EMS",
            "chargingProfile": [profile_to_ocpp201(found[1][1])],
            "evseId": 0,
            "tbc": True,
        },
        {
            "requestId": 5,
            "chargingLimitSource": "CSO",
            "chargingProfile": [CHARGING_PROFILE_201],
            "evseId": 1,
        },
    ]
    for report in reports:
        V201.schemas.check_request("ReportChargingProfiles", report)
    assert reports_to_ocpp201(5, []) == []


def test_a_16_profile_reported_over_201_numbers_its_schedule() -> None:
    reported = profile_to_ocpp201(MODEL_16)
    assert [schedule["id"] for schedule in reported["chargingSchedule"]] == [1]
    V201.schemas.check_request(
        "ReportChargingProfiles",
        {"requestId": 1, "chargingLimitSource": "CSO", "evseId": 1, "chargingProfile": [reported]},
    )
