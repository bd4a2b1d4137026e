"""The composite schedule: the combined limit of an EVSE over a window, as schedule periods.

"Composite Charging Schedule: the charging schedule as calculated by the Charge Point. It is the
result of the calculation of all active schedules and possible local limits present in the Charge
Point" (1.6 section 2.2; GetCompositeSchedule, sections 5.7 and 6.21-6.22; 2.0.1 K08). The local
limit here is the EVSE's own rating, ``max_power_w``, which also fills the stretches no profile
limits (a period needs a limit).

The window is cut at every instant where some profile may change (:func:`stacking.next_change`),
each piece gets the limit in force at its start, and equal neighbours merge. Cuts fall on whole
seconds (startPeriod is an integer), rounded up: a change at 10.4 s shows from 11 s.

Relative profiles start at the transaction's start, or at the window's start when no transaction
runs: the schedule then answers "what would a transaction starting now get".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chargeyard.station.model.smart_charging.profiles import (
    ChargingRateUnit,
    ChargingSchedulePeriod,
    CompositeSchedule,
)
from chargeyard.station.model.smart_charging.stacking import (
    Limit,
    Stack,
    combined_limit,
    next_change,
)

_SECOND = timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)


def build_composite(
    overriding: list[Stack],
    capping: list[Stack],
    *,
    evse_id: int,
    start: datetime,
    duration_s: int,
    anchor: datetime,
    unit: ChargingRateUnit | None,
    voltage: float,
    phases: int,
    max_power_w: float,
) -> CompositeSchedule:
    """Combine the stacks over [start, start + duration_s) (see the module docstring).

    ``unit`` None picks A if every profile limit shown was set in A, else W.
    """
    if duration_s < 0:
        raise ValueError(f"duration must not be negative: {duration_s}")
    end = start + timedelta(seconds=duration_s)
    offsets = [0]
    cut = next_change([*overriding, *capping], start, anchor)
    while cut is not None and cut < end:
        microseconds = (cut - start) // _MICROSECOND
        offset = -(-microseconds // 1_000_000)  # rounded up to a whole second
        if offsets[-1] < offset < duration_s:
            offsets.append(offset)
        cut = next_change([*overriding, *capping], cut, anchor)

    own_rating = Limit(max_power_w, phases, None)
    limits: list[Limit] = []
    for offset in offsets:
        at = start + offset * _SECOND
        limit = combined_limit(overriding, capping, at, anchor, voltage, phases)
        limits.append(own_rating if limit is None or limit.watts > max_power_w else limit)

    if unit is None:
        units = {limit.unit for limit in limits if limit.unit is not None}
        unit = ChargingRateUnit.A if units == {ChargingRateUnit.A} else ChargingRateUnit.W
    periods: list[ChargingSchedulePeriod] = []
    for offset, limit in zip(offsets, limits, strict=True):
        value = limit.watts
        if unit is ChargingRateUnit.A:
            value = round(limit.watts / (voltage * limit.phases), 3)
        if periods and (periods[-1].limit, periods[-1].number_phases) == (value, limit.phases):
            continue
        periods.append(ChargingSchedulePeriod(offset, value, limit.phases))
    return CompositeSchedule(
        evse_id=evse_id,
        start=start,
        duration=duration_s,
        charging_rate_unit=unit,
        periods=tuple(periods),
    )


def total_schedule(station: CompositeSchedule, evses: list[CompositeSchedule]) -> CompositeSchedule:
    """The station's total expected consumption from the grid (2.0.1 K08.FR.03): at each
    moment the sum of its EVSEs' composite limits, capped by ``station``'s own (its
    ChargingStationMaxProfile, external constraints and rating). Every schedule is over the
    same window, in ``station``'s unit."""
    if not evses:
        return station
    offsets = sorted({p.start_period for s in (station, *evses) for p in s.periods})
    periods: list[ChargingSchedulePeriod] = []
    for offset in offsets:
        cap = _period_at(station, offset)
        parts = [_period_at(schedule, offset) for schedule in evses]
        total = sum(part.limit for part in parts)
        if cap.limit <= total:
            value, phases = cap.limit, cap.number_phases
        else:
            value = round(total, 3)
            phases = max((p.number_phases or 0 for p in parts), default=0) or None
        if periods and (periods[-1].limit, periods[-1].number_phases) == (value, phases):
            continue
        periods.append(ChargingSchedulePeriod(offset, value, phases))
    return CompositeSchedule(
        evse_id=station.evse_id,
        start=station.start,
        duration=station.duration,
        charging_rate_unit=station.charging_rate_unit,
        periods=tuple(periods),
    )


def _period_at(schedule: CompositeSchedule, offset: int) -> ChargingSchedulePeriod:
    found = schedule.periods[0]
    for period in schedule.periods:
        if period.start_period > offset:
            break
        found = period
    return found
