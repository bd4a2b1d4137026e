"""The charging profiles installed on one station, and the limits they impose.

EVSE ids follow 2.0.1: 0 is the whole station, 1..N the EVSEs (a 1.6 personality maps its
connectorId onto them). Every method is a pure function of the store's content and its
arguments; none reads a clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from datetime import datetime

from chargeyard.station.model.smart_charging.admission import check_profile, resolve_conflicts
from chargeyard.station.model.smart_charging.composite import build_composite
from chargeyard.station.model.smart_charging.profiles import (
    ACCEPTED,
    OCPP16_RULES,
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    CompositeSchedule,
    InstallResult,
    ProfileRules,
    TransactionContext,
)
from chargeyard.station.model.smart_charging.stacking import (
    Entry,
    Stack,
    combined_limit,
    next_change,
    stacks,
)

_P = ChargingProfilePurpose


class ChargingProfileStore:
    """The profiles of one station, by EVSE.

    Args:
        rules: how installing and stacking differ between versions; a personality sets
            :data:`OCPP201_RULES` once it speaks 2.0.1 (the attribute may be reassigned).
        evse_count: EVSEs 1..evse_count exist; None: do not check.
    """

    def __init__(self, rules: ProfileRules = OCPP16_RULES, evse_count: int | None = None) -> None:
        self.rules = rules
        self.evse_count = evse_count
        self._entries: dict[int, Entry] = {}  # by profile id: ids are unique station-wide
        self._seq = 0
        # The transactions whose priority charging is activated (2.1 UsePriorityCharging).
        self._priority: set[str] = set()

    def install(
        self,
        evse_id: int,
        profile: ChargingProfile,
        *,
        now: datetime,
        transaction: TransactionContext | None = None,
        local: bool = False,
    ) -> InstallResult:
        """Install a profile (SetChargingProfile: 1.6 sections 5.16 and 6.43, 2.0.1 K01).

        A profile with the id of an installed one replaces it; see :class:`ProfileRules` for a
        profile with the purpose and stack level of an installed one. A TxProfile without a
        transactionId is bound to ``transaction`` (1.6 sections 5.16.2-5.16.3).

        Args:
            evse_id: 0 for the station, else the EVSE (1.6: the connector).
            now: the station's time, for validTo and the validity of profiles without validFrom.
            transaction: the transaction running on ``evse_id``, if any. A TxProfile's
                transactionId must be in its id space: a 1.6 personality maps the CSMS's
                integer transactionId to the station's id before installing.
            local: the profile comes from the station itself (an energy manager), not the
                CSMS; only then may it be ChargingStationExternalConstraints (K01.FR.22).
        """
        rules = self.rules
        refusal = check_profile(
            evse_id,
            profile,
            now=now,
            evse_count=self.evse_count,
            transaction=transaction,
            local=local,
            rules=rules,
        )
        if refusal is not None:
            return refusal
        if profile.purpose is _P.TX and profile.transaction_id is None and transaction is not None:
            profile = dataclasses.replace(profile, transaction_id=transaction.transaction_id)
        replaced, refusal = resolve_conflicts(
            self._entries.values(), evse_id, profile, now=now, local=local, rules=rules
        )
        if refusal is not None:
            return refusal
        for profile_id in replaced:
            del self._entries[profile_id]
        self._seq += 1
        self._entries[profile.id] = Entry(evse_id, profile, self._seq, now)
        return ACCEPTED

    def clear(
        self,
        *,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: ChargingProfilePurpose | None = None,
        stack_level: int | None = None,
        local: bool = False,
    ) -> int:
        """Remove profiles (ClearChargingProfile: 1.6 sections 5.5 and 6.13, 2.0.1 K10).

        With ``profile_id`` only that profile goes and the other criteria are ignored;
        otherwise every profile matching all the given criteria goes (none given: all).
        ChargingStationExternalConstraints stay unless ``local`` (K10.FR.04).

        Returns:
            How many were removed; the caller answers 0 with Unknown.
        """
        doomed = [
            entry.profile.id
            for entry in self._entries.values()
            if (local or entry.profile.purpose is not _P.EXTERNAL_CONSTRAINTS)
            and (
                entry.profile.id == profile_id
                if profile_id is not None
                else _matches(entry, evse_id, purpose, stack_level, None)
            )
        ]
        for doomed_id in doomed:
            del self._entries[doomed_id]
        return len(doomed)

    def profiles(
        self,
        *,
        evse_id: int | None = None,
        purpose: ChargingProfilePurpose | None = None,
        stack_level: int | None = None,
        profile_ids: Collection[int] | None = None,
    ) -> list[tuple[int, ChargingProfile]]:
        """The installed profiles matching every given criterion (GetChargingProfiles, K09).

        Returns:
            (evse id, profile) pairs ordered by EVSE, then profile id.
        """
        found = [
            (entry.evse_id, entry.profile)
            for entry in self._entries.values()
            if _matches(entry, evse_id, purpose, stack_level, profile_ids)
        ]
        return sorted(found, key=lambda pair: (pair[0], pair[1].id))

    def remove_transaction_profiles(self, transaction_id: str) -> int:
        """Drop the TxProfiles of an ended transaction; returns how many.

        1.6 section 3.13.1: "After the transaction is stopped, the profile SHOULD be deleted";
        2.0.1 K "TxProfile": it applies to that one transaction only.
        """
        doomed = [
            entry.profile.id
            for entry in self._entries.values()
            if entry.profile.purpose is _P.TX and entry.profile.transaction_id == transaction_id
        ]
        self._priority.discard(transaction_id)
        for doomed_id in doomed:
            del self._entries[doomed_id]
        return len(doomed)

    def priority_profiles(self, evse_id: int) -> list[ChargingProfile]:
        """The PriorityCharging profiles (2.1) that would serve a transaction on ``evse_id``:
        the EVSE's and EVSE 0's."""
        return [
            entry.profile
            for entry in self._entries.values()
            if entry.profile.purpose is _P.PRIORITY_CHARGING and entry.evse_id in (0, evse_id)
        ]

    def set_priority(self, transaction_id: str, *, active: bool) -> bool:
        """Activate or deactivate priority charging for a transaction (2.1 UsePriorityCharging);
        True if that changed anything. The caller checks that a PriorityCharging profile
        exists (:meth:`priority_profiles`) before activating."""
        if active == (transaction_id in self._priority):
            return False
        if active:
            self._priority.add(transaction_id)
        else:
            self._priority.discard(transaction_id)
        return True

    def priority_active(self, transaction_id: str) -> bool:
        return transaction_id in self._priority

    def update_dynamic(self, profile_id: int, limit: float, *, now: datetime) -> int | None:
        """Give Dynamic profile ``profile_id`` (2.1 K28) the limit of a ChargingScheduleUpdate
        in every schedule's one period, updated ``now`` (its dynUpdateTime).

        Returns:
            The EVSE the profile is on; None (nothing changed) for an unknown profile or one
            that is not Dynamic.
        """
        entry = self._entries.get(profile_id)
        if entry is None or entry.profile.kind is not ChargingProfileKind.DYNAMIC:
            return None
        profile = entry.profile
        schedules = tuple(
            dataclasses.replace(
                schedule,
                periods=tuple(
                    dataclasses.replace(period, limit=limit) for period in schedule.periods
                ),
            )
            for schedule in profile.schedules
        )
        updated = dataclasses.replace(profile, schedules=schedules, dyn_update_time=now)
        self._entries[profile_id] = dataclasses.replace(entry, profile=updated)
        return entry.evse_id

    def limit_at(
        self,
        evse_id: int,
        at: datetime,
        *,
        transaction: TransactionContext | None,
        voltage: float,
        phases: int,
    ) -> float | None:
        """The power in W the profiles allow ``evse_id`` at ``at``; None if they set no limit.

        See ``stacking.py`` for the rules. For DC pass ``phases=1`` and the DC voltage. Without
        a transaction, Relative profiles show their first period (``timeline.py``).
        """
        if not self._entries:
            return None  # no profile installed: nothing to stack (a meter asks this every tick)
        overriding, capping = self._stacks(evse_id, transaction)
        anchor = None if transaction is None else transaction.started_at
        limit = combined_limit(overriding, capping, at, anchor, voltage, phases)
        return None if limit is None else limit.watts

    def next_change_after(
        self, evse_id: int, at: datetime, *, transaction: TransactionContext | None
    ) -> datetime | None:
        """The first instant after ``at`` at which :meth:`limit_at` may change; None if never.

        The limit is constant on [at, next_change_after(at)): a meter integrates piecewise.
        Some instants returned change nothing (two stacked periods with equal limits).
        """
        if not self._entries:
            return None
        overriding, capping = self._stacks(evse_id, transaction)
        anchor = None if transaction is None else transaction.started_at
        return next_change([*overriding, *capping], at, anchor)

    def composite_schedule(
        self,
        evse_id: int,
        start: datetime,
        duration_s: int,
        *,
        unit: ChargingRateUnit | None,
        transaction: TransactionContext | None,
        voltage: float,
        phases: int,
        max_power_w: float,
    ) -> CompositeSchedule:
        """The combined limit of ``evse_id`` over [start, start + duration_s) (see composite.py).

        Args:
            unit: the unit asked for; None lets the station choose.
            max_power_w: the EVSE's (for EVSE 0 the station's) own rating, the local limit the
                composite also respects.
        """
        overriding, capping = self._stacks(evse_id, transaction)
        return build_composite(
            overriding,
            capping,
            evse_id=evse_id,
            start=start,
            duration_s=duration_s,
            anchor=start if transaction is None else transaction.started_at,
            unit=unit,
            voltage=voltage,
            phases=phases,
            max_power_w=max_power_w,
        )

    def _stacks(
        self, evse_id: int, transaction: TransactionContext | None
    ) -> tuple[list[Stack], list[Stack]]:
        transaction_id = None if transaction is None else transaction.transaction_id
        priority = transaction_id is not None and transaction_id in self._priority
        return stacks(
            self._entries.values(), evse_id, transaction_id, self.rules, priority=priority
        )


def _matches(
    entry: Entry,
    evse_id: int | None,
    purpose: ChargingProfilePurpose | None,
    stack_level: int | None,
    profile_ids: Collection[int] | None,
) -> bool:
    profile = entry.profile
    return (
        (evse_id is None or entry.evse_id == evse_id)
        and (purpose is None or profile.purpose is purpose)
        and (stack_level is None or profile.stack_level == stack_level)
        and (profile_ids is None or profile.id in profile_ids)
    )
