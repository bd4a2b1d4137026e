"""What the CSMS configures for metering: the clock-aligned interval (1.6 ClockAlignedDataInterval,
2.0.1 AlignedDataCtrlr.Interval) and the measurand lists (1.6 MeterValuesSampledData and
friends, 2.0.1 SampledDataCtrlr / AlignedDataCtrlr measurands)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chargeyard.station.model.meter import (
    SUPPORTED_MEASURANDS_201,
    next_aligned,
    parse_measurands,
)

ENERGY, POWER, CURRENT, VOLTAGE = (
    "Energy.Active.Import.Register",
    "Power.Active.Import",
    "Current.Import",
    "Voltage",
)


# -- clock alignment -------------------------------------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-21T10:07:30", "2026-11-21T10:15:00"),
        ("2026-11-21T10:00:00.000001", "2026-11-21T10:15:00"),
        ("2026-11-21T10:14:59.999999", "2026-11-21T10:15:00"),
        ("2026-11-21T00:00:00", "2026-11-21T00:15:00"),
        ("2026-11-21T23:50:00", "2026-11-22T00:00:00"),
        ("2026-12-31T23:45:00", "2027-01-01T00:00:00"),
    ],
)
def test_clock_aligned_900_is_quarter_hours(now: str, expected: str) -> None:
    assert next_aligned(at(now), 900) == at(expected)


def test_clock_aligned_exactly_on_a_boundary_gives_the_next_one() -> None:
    assert next_aligned(at("2026-11-21T10:15:00"), 900) == at("2026-11-21T10:30:00")
    assert next_aligned(at("2026-11-21T10:15:00"), 1) == at("2026-11-21T10:15:01")


def test_clock_aligned_interval_not_dividing_a_day_restarts_at_midnight() -> None:
    # 7 minutes: ..., 23:48, 23:55, then midnight (a 5-minute interval), then 00:07.
    assert next_aligned(at("2026-11-21T23:50:00"), 420) == at("2026-11-21T23:55:00")
    assert next_aligned(at("2026-11-21T23:56:00"), 420) == at("2026-11-22T00:00:00")
    assert next_aligned(at("2026-11-22T00:00:00"), 420) == at("2026-11-22T00:07:00")
    assert next_aligned(at("2026-11-21T12:00:00"), 2 * 86_400) == at("2026-11-22T00:00:00")


def test_clock_aligned_answers_in_utc_for_any_zone() -> None:
    cet = timezone(timedelta(hours=1))
    now = datetime(2026, 11, 21, 11, 7, tzinfo=cet)  # 10:07 UTC
    aligned = next_aligned(now, 3600)
    assert (aligned, aligned.tzinfo) == (at("2026-11-21T11:00:00"), UTC)


@pytest.mark.parametrize("interval", [0, -900])
def test_clock_aligned_zero_means_disabled_and_is_refused(interval: int) -> None:
    with pytest.raises(ValueError, match="interval_s"):
        next_aligned(at("2026-11-21T10:00:00"), interval)


def test_clock_aligned_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="timezone"):
        next_aligned(datetime(2026, 11, 21, 10, 0), 900)


# -- configured measurand lists --------------------------------------------------------------


@pytest.mark.parametrize(
    ("csv", "valid", "invalid"),
    [
        ("Energy.Active.Import.Register", [ENERGY], []),
        ("Energy.Active.Import.Register,Power.Active.Import,SoC", [ENERGY, POWER, "SoC"], []),
        (" Current.Import , Voltage ", [CURRENT, VOLTAGE], []),
        ("", [], []),
        ("Voltage,Bogus,voltage,RPM", [VOLTAGE], ["Bogus", "voltage", "RPM"]),
        ("Voltage,,SoC,", [VOLTAGE, "SoC"], ["", ""]),
        ("Voltage,Voltage", [VOLTAGE], []),
        ("Voltage.L1", [], ["Voltage.L1"]),
    ],
)
def test_parse_measurands_splits_valid_from_invalid(
    csv: str, valid: list[str], invalid: list[str]
) -> None:
    assert parse_measurands(csv) == (valid, invalid)


def test_parse_measurands_for_ocpp201_refuses_temperature() -> None:
    assert parse_measurands("Temperature,SoC") == (["Temperature", "SoC"], [])
    assert parse_measurands("Temperature,SoC", supported=SUPPORTED_MEASURANDS_201) == (
        ["SoC"],
        ["Temperature"],
    )
