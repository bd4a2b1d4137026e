"""Whether a profile may be installed: every rule of SetChargingProfile, on one screen.

:func:`check_profile` looks at the profile alone (where it goes, its purpose, its schedules);
:func:`resolve_conflicts` at the profiles already installed, and says which ones the new
profile replaces or why it is refused. Both are pure; the store applies the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise

from chargeyard.station.model.smart_charging.profiles import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    InstallResult,
    ProfileRules,
    RejectCode,
    TransactionContext,
)
from chargeyard.station.model.smart_charging.stacking import Entry

_P = ChargingProfilePurpose
_K = ChargingProfileKind
_reject = InstallResult.reject


def check_profile(
    evse_id: int,
    profile: ChargingProfile,
    *,
    now: datetime,
    evse_count: int | None,
    transaction: TransactionContext | None,
    local: bool,
    rules: ProfileRules,
) -> InstallResult | None:
    """The reason to refuse ``profile`` on ``evse_id`` by itself, or None if there is none."""
    if evse_id < 0 or (evse_count is not None and evse_id > evse_count):
        return _reject(RejectCode.UNKNOWN_EVSE, f"there is no EVSE {evse_id} (K01.FR.28)")
    if profile.stack_level < 0:
        # 1.6 section 7.8: "Lowest level is 0"; 2.0.1 ChargingProfileType: "lowest level is 0".
        return _reject(RejectCode.INVALID_STACK_LEVEL, "the lowest stack level is 0")
    return (
        _check_purpose(evse_id, profile, transaction, local, rules)
        or _check_validity(profile, now)
        or _check_schedules(profile, rules)
    )


def _check_purpose(
    evse_id: int,
    profile: ChargingProfile,
    transaction: TransactionContext | None,
    local: bool,
    rules: ProfileRules,
) -> InstallResult | None:
    purpose = profile.purpose
    if purpose is _P.EXTERNAL_CONSTRAINTS and not local:
        # K01.FR.22: external constraints come from a local energy manager, never the CSMS.
        return _reject(RejectCode.INVALID_VALUE, "the CSMS cannot set external constraints")
    if purpose is _P.CHARGING_STATION_MAX:
        if evse_id != 0:
            # 1.6 section 3.13.1: "ChargePointMaxProfile can only be set at ConnectorId 0";
            # 2.0.1 SetChargingProfileRequest.evseId: evseId 0 holds the station's limit.
            return _reject(RejectCode.INVALID_VALUE, "a station maximum belongs on EVSE 0")
        if rules.strict_schedule_start and profile.kind is _K.RELATIVE:
            return _reject(
                RejectCode.INVALID_VALUE, "a station maximum is not Relative (K01.FR.38)"
            )
    if purpose is _P.PRIORITY_CHARGING and profile.transaction_id is not None:
        # 2.1 ChargingProfileType.transactionId: "SHALL only be included if
        # ChargingProfilePurpose is set to TxProfile"; priority charging names its
        # transaction in UsePriorityCharging.
        return _reject(RejectCode.INVALID_VALUE, "only a TxProfile names a transactionId")
    if purpose is not _P.TX:
        return None
    if evse_id == 0:
        # K01.FR.16; 1.6 section 5.16.3: a TxProfile limits the transaction on one connector.
        return _reject(RejectCode.INVALID_VALUE, "a TxProfile needs an EVSE, not 0 (K01.FR.16)")
    if profile.transaction_id is None and rules.tx_profile_needs_transaction_id:
        return _reject(RejectCode.MISSING_PARAM, "a TxProfile needs a transactionId (K01.FR.03)")
    if transaction is None:
        # 1.6 section 5.16.3: "If there is no transaction active on the connector specified in a
        # charging profile of type TxProfile, then the Charge Point SHALL discard it"; K01.FR.09.
        return _reject(RejectCode.TX_NOT_FOUND, f"no transaction runs on EVSE {evse_id}")
    if profile.transaction_id not in (None, transaction.transaction_id):
        return _reject(
            RejectCode.TX_NOT_FOUND,
            f"transaction {profile.transaction_id} is not on EVSE {evse_id} (K01.FR.33)",
        )
    return None


def _check_validity(profile: ChargingProfile, now: datetime) -> InstallResult | None:
    valid_from, valid_to = profile.valid_from, profile.valid_to
    if valid_to is not None and valid_to <= now:
        return _reject(RejectCode.INVALID_VALUE, "validTo has passed")
    if valid_from is not None and valid_to is not None and valid_from >= valid_to:
        return _reject(RejectCode.INVALID_VALUE, "validFrom is not before validTo")
    return None


def _check_schedules(profile: ChargingProfile, rules: ProfileRules) -> InstallResult | None:
    invalid = RejectCode.INVALID_SCHEDULE
    if profile.kind is _K.RECURRING and profile.recurrency_kind is None:
        return _reject(RejectCode.MISSING_PARAM, "a Recurring profile needs a recurrencyKind")
    for schedule in profile.schedules:
        starts = [period.start_period for period in schedule.periods]
        if not starts:
            return _reject(invalid, "a schedule needs at least one period")
        if starts[0] < 0 or any(b <= a for a, b in pairwise(starts)):
            # K01.FR.35; 1.6 section 7.14: a startPeriod "also defines the stop time of the
            # previous period", so they increase.
            return _reject(invalid, "startPeriods must increase from 0 (K01.FR.35)")
        if rules.strict_schedule_start and starts[0] != 0:
            return _reject(invalid, "the first period must start at 0 (K01.FR.31)")
        if any(period.limit < 0 for period in schedule.periods):
            return _reject(invalid, "a limit cannot be negative")
        if any(period.number_phases not in (None, 1, 2, 3) for period in schedule.periods):
            return _reject(invalid, "numberPhases must be 1, 2 or 3")
        if schedule.duration is not None and schedule.duration < 0:
            return _reject(invalid, "a duration cannot be negative")
        has_start = schedule.start_schedule is not None
        if profile.kind is _K.RECURRING and not has_start:
            # K01.FR.40; 1.6 section 7.13 offers a Recurring schedule no other anchor.
            return _reject(RejectCode.MISSING_PARAM, "a Recurring profile needs startSchedule")
        if rules.strict_schedule_start and profile.kind is _K.ABSOLUTE and not has_start:
            return _reject(RejectCode.MISSING_PARAM, "Absolute needs startSchedule (K01.FR.40)")
        if profile.kind is _K.DYNAMIC and len(schedule.periods) != 1:
            # 2.1 ChargingScheduleUpdateType updates "a ChargingSchedulePeriodType for dynamic
            # charging profiles": one period, whose limit the updates replace (K28).
            return _reject(invalid, "a Dynamic profile has one period")
        if rules.strict_schedule_start and profile.kind is _K.RELATIVE and has_start:
            return _reject(invalid, "a Relative profile has no startSchedule (K01.FR.41)")
    return None


def resolve_conflicts(
    entries: Iterable[Entry],
    evse_id: int,
    profile: ChargingProfile,
    *,
    now: datetime,
    local: bool,
    rules: ProfileRules,
) -> tuple[list[int], InstallResult | None]:
    """Which installed profiles ``profile`` replaces, or why it is refused.

    Returns:
        (ids to remove, None), or ([], the rejection).
    """
    replaced: list[int] = []
    for entry in entries:
        other = entry.profile
        if other.id == profile.id:
            if other.purpose is _P.EXTERNAL_CONSTRAINTS and not local:
                # K01.FR.05 replaces by id, but not a local energy manager's constraints.
                return [], _reject(
                    RejectCode.DUPLICATE_PROFILE, f"id {other.id} holds external constraints"
                )
            replaced.append(other.id)  # 1.6 section 3.13.2 / 5.16.3; K01.FR.05
            continue
        if rules.same_level_replaces:
            # 1.6 section 3.13.2: a profile with the stackLevel and purpose of an installed
            # one (on the same connector) replaces it.
            if _same_slot(entry, evse_id, profile):
                replaced.append(other.id)
            continue
        refusal = _refusal_201(entry, evse_id, profile, now)
        if refusal is not None:
            return [], refusal
    return replaced, None


def _same_slot(entry: Entry, evse_id: int, profile: ChargingProfile) -> bool:
    other = entry.profile
    return (
        entry.evse_id == evse_id
        and other.purpose is profile.purpose
        and other.stack_level == profile.stack_level
    )


def _refusal_201(
    entry: Entry, evse_id: int, profile: ChargingProfile, now: datetime
) -> InstallResult | None:
    other = entry.profile
    if other.purpose is not profile.purpose or other.stack_level != profile.stack_level:
        return None
    level = profile.stack_level
    if entry.evse_id == evse_id and _overlap(entry, profile, now):
        return _reject(
            RejectCode.DUPLICATE_PROFILE,
            f"profile {other.id} has stack level {level} here for the same time (K01.FR.06)",
        )
    if profile.purpose is _P.TX and other.transaction_id == profile.transaction_id:
        return _reject(
            RejectCode.INVALID_STACK_LEVEL,
            f"profile {other.id} has stack level {level} for this transaction (K01.FR.39)",
        )
    if profile.purpose is _P.TX_DEFAULT and (entry.evse_id == 0) != (evse_id == 0):
        return _reject(
            RejectCode.DUPLICATE_PROFILE,
            f"profile {other.id} has stack level {level} on EVSE {entry.evse_id} (K01.FR.52-53)",
        )
    return None


def _overlap(entry: Entry, profile: ChargingProfile, now: datetime) -> bool:
    # Without validFrom a profile is valid "as soon as it is received" (1.6 section 7.8, 2.0.1
    # ChargingProfileType), so from when it was installed; without validTo, for ever.
    start_a = entry.profile.valid_from or entry.installed_at
    start_b = profile.valid_from or now
    end_a, end_b = entry.profile.valid_to, profile.valid_to
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)
