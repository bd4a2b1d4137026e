"""Stacking and combining: the limit that all installed profiles together impose on an EVSE.

Within one purpose the profiles form a stack: at an instant, the highest stack level whose
schedule has a period in force there sets the purpose's limit; a profile that is not valid then,
or whose schedule has not begun or has run out, lets the next one down show through (2.0.1 part 2
section K, "stacking charging profiles"; OCTT TC_072_CS checks this of 1.6 stations by stacking
a 150 s schedule at level 1 on a 400 s one at level 0). 1.6 section 3.13.2 words it by validity
alone ("the highest stackLevel among the profiles that are valid at that point in time, as
determined by their validFrom and validTo"), which would leave no limit after level 1's duration;
we follow 2.0.1 and the test tool. Ties go to the profile installed last.

Across purposes (1.6 section 3.13.3, 2.0.1 K "combining charging profile purposes"):

* a TxProfile of the EVSE's transaction overrides the TxDefaultProfiles wherever it has a period
  in force;
* TxDefaultProfiles come from the EVSE and from EVSE 0 (which "applies to each EVSE"); see
  :attr:`ProfileRules.evse_default_first` for how the two are ordered;
* a PriorityCharging profile (2.1) overrides both for a transaction whose priority charging is
  activated, and bears on nothing otherwise; it comes from the EVSE or from EVSE 0, stacked by
  level like the TxDefaultProfiles (2.1 K "priority charging");
* the result is capped by the ChargingStationMaxProfile stack (EVSE 0) and by the
  ChargingStationExternalConstraints stacks of EVSE 0 and of the EVSE: the lowest limit wins.

EVSE 0 itself has the station-level limit: the lower of the station maximum and EVSE 0's
external constraints. Sharing that limit out between EVSEs that charge at once is load
balancing, left to the caller.

Limits are compared in watts: amperes count ``limit * voltage * phases``, with the period's
numberPhases (at most the EVSE's ``phases``) or, without one, the EVSE's ``phases`` (1.6 section
7.14 and 2.0.1 ChargingSchedulePeriodType assume 3 on AC; the caller passes what the EVSE has).
For DC the caller passes ``phases=1`` and the DC voltage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from chargeyard.station.model.smart_charging.profiles import (
    ChargingProfile,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ProfileRules,
)
from chargeyard.station.model.smart_charging.timeline import next_boundary, period_at

_P = ChargingProfilePurpose


@dataclass(frozen=True, slots=True)
class Entry:
    """An installed profile: where, and when it came (for ties and default validity)."""

    evse_id: int
    profile: ChargingProfile
    seq: int
    installed_at: datetime


@dataclass(frozen=True, slots=True)
class Limit:
    """A limit in force: its power, the phases it was set for, and the unit it was set in."""

    watts: float
    phases: int
    unit: ChargingRateUnit | None  # None: not a profile's (the EVSE's own rating)


Stack = list[Entry]


def stacks(
    entries: Iterable[Entry],
    evse_id: int,
    transaction_id: str | None,
    rules: ProfileRules,
    *,
    priority: bool = False,
) -> tuple[list[Stack], list[Stack]]:
    """The stacks that bear on ``evse_id``, highest priority first within each.

    Args:
        priority: priority charging is activated for the EVSE's transaction.

    Returns:
        (overriding, capping): the first stack of ``overriding`` that has a limit in force
        sets the EVSE's own limit (PriorityCharging when ``priority``, then TxProfile, then
        TxDefaultProfile); every stack of ``capping`` caps it.
    """
    by_key: dict[tuple[ChargingProfilePurpose, int], Stack] = {}
    for entry in entries:
        by_key.setdefault((entry.profile.purpose, entry.evse_id), []).append(entry)

    def stack(purpose: ChargingProfilePurpose, *evse_ids: int) -> Stack:
        found = [entry for evse in evse_ids for entry in by_key.get((purpose, evse), [])]
        key: Callable[[Entry], tuple[int, ...]] = _by_level
        if purpose is _P.TX_DEFAULT and rules.evse_default_first:
            key = _by_scope_then_level
        return sorted(found, key=key, reverse=True)

    capping = [stack(_P.CHARGING_STATION_MAX, 0), stack(_P.EXTERNAL_CONSTRAINTS, 0)]
    if evse_id == 0:
        return [], capping
    tx = [
        entry
        for entry in stack(_P.TX, evse_id)
        if transaction_id is not None and entry.profile.transaction_id == transaction_id
    ]
    capping.append(stack(_P.EXTERNAL_CONSTRAINTS, evse_id))
    overriding = [tx, stack(_P.TX_DEFAULT, evse_id, 0)]
    if priority:
        overriding.insert(0, stack(_P.PRIORITY_CHARGING, evse_id, 0))
    return overriding, capping


def _by_level(entry: Entry) -> tuple[int, ...]:
    return (entry.profile.stack_level, entry.seq)


def _by_scope_then_level(entry: Entry) -> tuple[int, ...]:
    return (entry.evse_id != 0, entry.profile.stack_level, entry.seq)


def top_limit(
    stack: Stack, at: datetime, anchor: datetime | None, voltage: float, phases: int
) -> Limit | None:
    """The limit of the highest profile in ``stack`` with a period in force at ``at``."""
    for entry in stack:
        period = period_at(entry.profile, at, anchor)
        if period is None:
            continue
        unit = entry.profile.schedule.charging_rate_unit
        used = phases if period.number_phases is None else min(period.number_phases, phases)
        watts = period.limit if unit is ChargingRateUnit.W else period.limit * voltage * used
        return Limit(watts, used, unit)
    return None


def combined_limit(
    overriding: list[Stack],
    capping: list[Stack],
    at: datetime,
    anchor: datetime | None,
    voltage: float,
    phases: int,
) -> Limit | None:
    """The EVSE's limit at ``at`` (see the module docstring), or None if nothing limits it."""
    found: list[Limit] = []
    for stack in overriding:
        limit = top_limit(stack, at, anchor, voltage, phases)
        if limit is not None:
            found.append(limit)
            break
    for stack in capping:
        limit = top_limit(stack, at, anchor, voltage, phases)
        if limit is not None:
            found.append(limit)
    return min(found, key=lambda limit: limit.watts, default=None)


def next_change(stacks_: Iterable[Stack], at: datetime, anchor: datetime | None) -> datetime | None:
    """The first instant after ``at`` at which any profile of the stacks may change."""
    edges = [
        edge
        for stack in stacks_
        for entry in stack
        if (edge := next_boundary(entry.profile, at, anchor)) is not None
    ]
    return min(edges, default=None)
