"""The values of smart charging: charging profiles, their schedules and what the store answers.

All of them are frozen: a profile is replaced, never edited. Every datetime is timezone-aware and
kept in UTC (a naive one is refused, an aware one converted), so that comparisons never mix
zones. Field names follow OCPP 1.6 section 7.8/7.13/7.14 and OCPP 2.0.1 ChargingProfileType,
ChargingScheduleType and ChargingSchedulePeriodType, in snake case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class ChargingProfilePurpose(StrEnum):
    """What a profile is for (1.6 section 3.13.1 and 7.10; 2.0.1 ChargingProfilePurposeEnumType)."""

    CHARGING_STATION_MAX = "ChargingStationMax"  # 1.6 ChargePointMaxProfile
    TX_DEFAULT = "TxDefault"
    TX = "Tx"
    EXTERNAL_CONSTRAINTS = "ExternalConstraints"  # 2.0.1 ChargingStationExternalConstraints
    # 2.1: takes over from the TxProfile and TxDefaultProfile of a transaction while priority
    # charging is activated for it (UsePriorityCharging, or the driver at the station), and is
    # set aside otherwise.
    PRIORITY_CHARGING = "PriorityCharging"


class ChargingProfileKind(StrEnum):
    """How a schedule is placed in time (1.6 section 7.9, 2.0.1 ChargingProfileKindEnumType)."""

    ABSOLUTE = "Absolute"  # from startSchedule
    RECURRING = "Recurring"  # from startSchedule, again every day or week
    RELATIVE = "Relative"  # from the start of the transaction
    # 2.1 (K28): placed as Absolute with a startSchedule, else as Relative; its period's limit
    # is changed while it runs (UpdateDynamicSchedule, PullDynamicScheduleUpdate).
    DYNAMIC = "Dynamic"


class RecurrencyKind(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"


class ChargingRateUnit(StrEnum):
    W = "W"
    A = "A"


def _utc(moment: datetime | None, name: str) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {moment!r}")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ChargingSchedulePeriod:
    """One step of a schedule: ``limit`` holds from ``start_period`` seconds after its start.

    Attributes:
        start_period: seconds from the start of the schedule; also ends the previous period.
        limit: in the schedule's charging rate unit (per phase for A).
        number_phases: phases the limit may use; None: the EVSE's (3 on AC per 1.6 section 7.14
            and 2.0.1 ChargingSchedulePeriodType, which the caller passes as ``phases``).
        phase_to_use: 2.0.1 only, kept so that ReportChargingProfiles says what was set.
    """

    start_period: int
    limit: float
    number_phases: int | None = None
    phase_to_use: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargingSchedule:
    """Limits over time (1.6 section 7.13, 2.0.1 ChargingScheduleType without salesTariff).

    Attributes:
        charging_rate_unit: W or A.
        periods: in increasing ``start_period`` order.
        id: 2.0.1's schedule id; None when the profile came over 1.6.
        duration: seconds the schedule lasts; None: the last period runs on indefinitely.
        start_schedule: where an Absolute or Recurring schedule starts.
        min_charging_rate: the EV's minimum, a hint; it never raises a limit.
    """

    charging_rate_unit: ChargingRateUnit
    periods: tuple[ChargingSchedulePeriod, ...]
    id: int | None = None
    duration: int | None = None
    start_schedule: datetime | None = None
    min_charging_rate: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_schedule", _utc(self.start_schedule, "start_schedule"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargingProfile:
    """A charging profile (1.6 section 7.8, 2.0.1 ChargingProfileType).

    Attributes:
        schedules: 1.6 has exactly one; 2.0.1 up to three, alternatives offered to an ISO 15118
            EV, of which the station applies the first (the EV's choice is not modelled).
        transaction_id: for a TxProfile, the transaction it limits, in the station's own id
            space (:attr:`TransactionContext.transaction_id`).
        dyn_update_interval: 2.1, a Dynamic profile: seconds after its last update at which
            the station asks for the next (PullDynamicScheduleUpdate); None or 0: never.
        dyn_update_time: 2.1, a Dynamic profile: when its limit was last updated.
    """

    id: int
    stack_level: int
    purpose: ChargingProfilePurpose
    kind: ChargingProfileKind
    schedules: tuple[ChargingSchedule, ...]
    recurrency_kind: RecurrencyKind | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None
    dyn_update_interval: int | None = None
    dyn_update_time: datetime | None = None

    def __post_init__(self) -> None:
        if not self.schedules:
            raise ValueError("a charging profile needs at least one schedule")
        object.__setattr__(self, "valid_from", _utc(self.valid_from, "valid_from"))
        object.__setattr__(self, "valid_to", _utc(self.valid_to, "valid_to"))
        object.__setattr__(self, "dyn_update_time", _utc(self.dyn_update_time, "dyn_update_time"))

    @property
    def schedule(self) -> ChargingSchedule:
        """The schedule in force: the first one."""
        return self.schedules[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionContext:
    """The transaction running on an EVSE: who TxProfiles belong to, where Relative ones start."""

    transaction_id: str
    started_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "started_at", _utc(self.started_at, "started_at"))


@dataclass(frozen=True, slots=True, kw_only=True)
class CompositeSchedule:
    """The combined limit of an EVSE over a time window (1.6 section 6.22, 2.0.1 K08).

    ``periods`` start at 0 and cover ``duration`` seconds from ``start``; each has the
    ``number_phases`` its limit was set for.
    """

    evse_id: int
    start: datetime
    duration: int
    charging_rate_unit: ChargingRateUnit
    periods: tuple[ChargingSchedulePeriod, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _utc(self.start, "start"))


class RejectCode(StrEnum):
    """Why a profile was refused: 2.0.1 StatusInfoType.reasonCode values (part 2 appendix)."""

    UNKNOWN_EVSE = "UnknownEvse"
    INVALID_VALUE = "InvalidValue"
    MISSING_PARAM = "MissingParam"
    INVALID_SCHEDULE = "InvalidSchedule"
    INVALID_STACK_LEVEL = "InvalidStackLevel"
    TX_NOT_FOUND = "TxNotFound"
    DUPLICATE_PROFILE = "DuplicateProfile"


@dataclass(frozen=True, slots=True)
class InstallResult:
    """The answer to :meth:`ChargingProfileStore.install`: Accepted, or Rejected and why."""

    accepted: bool
    reason: str = ""
    code: RejectCode | None = None

    @classmethod
    def reject(cls, code: RejectCode, reason: str) -> InstallResult:
        return cls(False, reason, code)


ACCEPTED = InstallResult(True)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileRules:
    """Where OCPP 1.6 and 2.0.1 disagree on installing and stacking profiles.

    A personality picks :data:`OCPP16_RULES` or :data:`OCPP201_RULES`; the store never asks
    which version it serves.

    Attributes:
        same_level_replaces: a profile with the purpose, stack level and EVSE of an installed
            one replaces it (1.6 section 3.13.2); otherwise it is refused if their validity
            periods overlap (2.0.1 K01.FR.06, and K01.FR.39 / K01.FR.52-53 likewise).
        evse_default_first: a TxDefaultProfile on the EVSE hides those on EVSE 0 whatever their
            stack levels (1.6 section 3.13.1: "the TxDefaultProfile SHALL be replaced only for
            that specific connector"); otherwise both stack by level (2.0.1, where K01.FR.52-53
            forbid equal levels across EVSE 0 and an EVSE precisely because they share a stack).
        tx_profile_needs_transaction_id: 2.0.1 K01.FR.03. In 1.6 the CSMS only SHOULD include
            it (section 5.16.3) and a RemoteStartTransaction profile has none (5.16.2): the
            store binds such a TxProfile to the transaction running on the connector.
        strict_schedule_start: Absolute and Recurring need startSchedule, Relative must not
            have one (K01.FR.40, K01.FR.41), the first period starts at 0 (K01.FR.31) and a
            ChargingStationMaxProfile is not Relative (K01.FR.38). 1.6 section 7.13 instead
            reads an Absolute schedule without startSchedule as relative to the start of
            charging.
    """

    same_level_replaces: bool
    evse_default_first: bool
    tx_profile_needs_transaction_id: bool
    strict_schedule_start: bool


OCPP16_RULES = ProfileRules(
    same_level_replaces=True,
    evse_default_first=True,
    tx_profile_needs_transaction_id=False,
    strict_schedule_start=False,
)
OCPP201_RULES = ProfileRules(
    same_level_replaces=False,
    evse_default_first=False,
    tx_profile_needs_transaction_id=True,
    strict_schedule_start=True,
)
