"""Builders for the smart-charging tests: profiles in one line, times relative to T0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chargeyard.station.model.smart_charging import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    ChargingSchedulePeriod,
    RecurrencyKind,
    TransactionContext,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday, midnight UTC
VOLTAGE = 230.0

MAX = ChargingProfilePurpose.CHARGING_STATION_MAX
DEFAULT = ChargingProfilePurpose.TX_DEFAULT
TX = ChargingProfilePurpose.TX
EXTERNAL = ChargingProfilePurpose.EXTERNAL_CONSTRAINTS
ABSOLUTE = ChargingProfileKind.ABSOLUTE
RECURRING = ChargingProfileKind.RECURRING
RELATIVE = ChargingProfileKind.RELATIVE
DAILY = RecurrencyKind.DAILY
WEEKLY = RecurrencyKind.WEEKLY
W = ChargingRateUnit.W
A = ChargingRateUnit.A

TX1 = TransactionContext(transaction_id="tx-1", started_at=T0)


def at(seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)


Period = tuple[int, float] | tuple[int, float, int] | ChargingSchedulePeriod


def profile(
    profile_id: int,
    purpose: ChargingProfilePurpose,
    *periods: Period,
    level: int = 0,
    kind: ChargingProfileKind = ABSOLUTE,
    start: datetime | None = T0,
    unit: ChargingRateUnit = W,
    duration: int | None = None,
    recurrency: RecurrencyKind | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
    transaction_id: str | None = None,
) -> ChargingProfile:
    """A one-schedule profile; periods as (startPeriod, limit[, numberPhases])."""
    if kind is RELATIVE:
        start = None
    return ChargingProfile(
        id=profile_id,
        stack_level=level,
        purpose=purpose,
        kind=kind,
        recurrency_kind=recurrency,
        valid_from=valid_from,
        valid_to=valid_to,
        transaction_id=transaction_id,
        schedules=(
            ChargingSchedule(
                charging_rate_unit=unit,
                periods=tuple(_period(period) for period in periods),
                duration=duration,
                start_schedule=start,
            ),
        ),
    )


def _period(period: Period) -> ChargingSchedulePeriod:
    if isinstance(period, ChargingSchedulePeriod):
        return period
    return ChargingSchedulePeriod(*period)
