"""Smart charging: one charging profile in the API, said in each version's words.

====================  ===================================  =====================================
command               1.6                                  2.0.1 / 2.1
====================  ===================================  =====================================
charging-profile      SetChargingProfile {connectorId,     SetChargingProfile {evseId,
                      csChargingProfiles} (5.16)           chargingProfile} (K01)
charging-profile/     ClearChargingProfile {id,            ClearChargingProfile
clear                 connectorId, chargingProfile-        {chargingProfileId,
                      Purpose, stackLevel} (5.4)           chargingProfileCriteria} (K10)
composite-schedule    GetCompositeSchedule {connectorId,   GetCompositeSchedule {evseId,
                      duration, chargingRateUnit} (5.7)    duration, chargingRateUnit} (K08)
====================  ===================================  =====================================

The API's profile (:class:`ChargingProfile`) has the fields both versions share, under 1.6's
names without the ``chargingProfile`` prefix: ``id``, ``stackLevel``, ``purpose``, ``kind``,
``recurrency``, ``validFrom``, ``validTo``, ``transactionId`` and one ``schedule``. 2.0.1 calls
ChargePointMaxProfile ChargingStationMaxProfile (either name is taken and sent as the station's
version spells it), holds its schedules in a list (one here, with the profile's id) and its
transaction ids as strings; 1.6 transaction ids are integers.

Before anything is sent, a profile is held to the rules the specifications state for every
station, so that a mistake is the API's 422 and not a station's Rejected with no reason:
the periods start at 0 and in increasing order (1.6 section 3.13.2 "Charging schedule", 2.0.1
K01); a Recurring profile names its recurrency and no other does; an Absolute or Recurring
profile has a startSchedule and a Relative one none (2.0.1 K01: a Relative schedule starts when
charging starts); a TxProfile names its transaction and is set on a connector, other purposes
name no transaction, and a ChargePointMaxProfile is set on connector 0 (1.6 section 5.16,
2.0.1 K01); validFrom comes before validTo. The schema's own rules (ranges, enumerations, a 1.6
limit's one decimal) are checked by the link as for every call.

OCPP 2.1 adds words of its own, which only a 2.1 station is sent (an older one's profile with
them is a 422 naming the version they need, nothing sent), as the 2.1 schema of
SetChargingProfile has them: the purposes PriorityCharging (the profile a transaction switches
to with UsePriorityCharging, ``operations_21.py``) and LocalGeneration, the kind Dynamic (a
profile whose limit the central system updates while it runs, K28: by UpdateDynamicSchedule,
or the station pulls it every ``dynUpdateInterval`` seconds with PullDynamicScheduleUpdate,
which chargeyard's central system answers, ``csms/v21/smart_charging.py``). A Dynamic profile
may have a startSchedule or none; ``dynUpdateInterval`` belongs to a Dynamic profile only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Literal, Protocol

from chargeyard.csms.commands.base import (
    Charger,
    InvalidCommand,
    Result,
    Send,
    is_integer_id,
    iso,
    outcome,
    sender,
    snake,
)
from chargeyard.protocol import V16, V21, V201, Payload, VersionTable

Purpose = Literal[
    "ChargePointMaxProfile",
    "ChargingStationMaxProfile",
    "TxDefaultProfile",
    "TxProfile",
    "PriorityCharging",  # 2.1
    "LocalGeneration",  # 2.1
]
Kind = Literal["Absolute", "Recurring", "Relative", "Dynamic"]  # Dynamic: 2.1
Recurrency = Literal["Daily", "Weekly"]
RateUnit = Literal["A", "W"]
_STATION_MAX = ("ChargePointMaxProfile", "ChargingStationMaxProfile")
_PURPOSES_21 = ("PriorityCharging", "LocalGeneration")
_KINDS_21 = ("Dynamic",)


def _named(purpose: Purpose, station_max: str) -> str:
    """``purpose`` as a version spells it: the station-wide purpose is ``station_max``."""
    return station_max if purpose in _STATION_MAX else purpose


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    start_period: int  # seconds from the start of the schedule
    limit: float  # in the schedule's rate unit
    number_phases: int | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    rate_unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    duration: int | None = None
    start: datetime | None = None
    min_rate: float | None = None


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedule: Schedule
    recurrency: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None
    dyn_update_interval: int | None = None  # 2.1, a Dynamic profile's pull interval (K28)


@dataclass(frozen=True, slots=True)
class ProfileCriteria:
    """Which profiles a clear removes: every field left None matches all."""

    profile_id: int | None = None
    connector_id: int | None = None
    purpose: Purpose | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    status: str
    start: str | None = None
    schedule: Result | None = None
    reason: str | None = None  # 2.0.1 statusInfo.reasonCode


def check_profile(connector_id: int, profile: ChargingProfile) -> None:
    """Raises: InvalidCommand naming the first rule ``profile`` breaks (module docstring)."""
    _check_schedule(profile)
    if profile.purpose == "TxProfile":
        if profile.transaction_id is None:
            raise InvalidCommand("a TxProfile names the transaction it limits (transactionId)")
        if connector_id == 0:
            raise InvalidCommand("a TxProfile is set on the connector of its transaction, not 0")
    elif profile.transaction_id is not None:
        raise InvalidCommand(f"only a TxProfile names a transaction, not a {profile.purpose}")
    if profile.purpose in _STATION_MAX and connector_id != 0:
        raise InvalidCommand(f"a {profile.purpose} is set on connector 0, the whole station")


def check_remote_start_profile(profile: ChargingProfile) -> None:
    """The profile of a remote start is a TxProfile of the transaction it starts, which has no
    id yet (1.6 section 5.11: purpose TxProfile, no transactionId; 2.0.1 F01, K05).

    Raises:
        InvalidCommand: naming the first rule ``profile`` breaks.
    """
    _check_schedule(profile)
    if profile.purpose != "TxProfile":
        raise InvalidCommand(f"a remote start's profile is a TxProfile, not a {profile.purpose}")
    if profile.transaction_id is not None:
        raise InvalidCommand(
            "a remote start's profile names no transaction: the one it starts has no id yet"
        )


def _check_schedule(profile: ChargingProfile) -> None:
    """Raises InvalidCommand for a schedule that breaks the rules every profile keeps."""
    periods = profile.schedule.periods
    if not periods:
        raise InvalidCommand("a schedule has one period at least")
    if periods[0].start_period != 0:
        raise InvalidCommand("the first period of a schedule starts at 0")
    starts = [period.start_period for period in periods]
    if any(later <= earlier for earlier, later in pairwise(starts)):
        raise InvalidCommand(f"periods start in increasing order, not {starts}")
    if (profile.kind == "Recurring") != (profile.recurrency is not None):
        raise InvalidCommand("a Recurring profile, and only it, names its recurrency")
    if profile.kind == "Relative" and profile.schedule.start is not None:
        raise InvalidCommand("a Relative profile has no startSchedule: it starts with charging")
    if profile.kind in ("Absolute", "Recurring") and profile.schedule.start is None:
        raise InvalidCommand(f"an {profile.kind} profile needs a startSchedule")
    if profile.dyn_update_interval is not None and profile.kind != "Dynamic":
        raise InvalidCommand(
            "only a Dynamic profile has a dynUpdateInterval: the others are never updated"
        )
    if profile.valid_from and profile.valid_to and profile.valid_from >= profile.valid_to:
        raise InvalidCommand("validFrom comes before validTo")


class SmartChargingDialect(Protocol):
    def profile(self, profile: ChargingProfile) -> Payload:
        """``profile`` as the version writes a ChargingProfile (1.6 csChargingProfiles,
        2.0.1 chargingProfile), for SetChargingProfile and a remote start alike."""
        ...

    async def set_profile(self, send: Send, connector_id: int, profile: ChargingProfile) -> str: ...
    async def clear(self, send: Send, criteria: ProfileCriteria) -> str: ...
    async def composite(
        self, send: Send, connector_id: int, duration: int, unit: RateUnit | None
    ) -> CompositeSchedule: ...


def _periods(schedule: Schedule) -> list[Payload]:
    periods: list[Payload] = []
    for period in schedule.periods:
        item: Payload = {"startPeriod": period.start_period, "limit": period.limit}
        if period.number_phases is not None:
            item["numberPhases"] = period.number_phases
        periods.append(item)
    return periods


def _schedule(schedule: Schedule) -> Payload:
    """The fields both versions' schedules share."""
    payload: Payload = {
        "chargingRateUnit": schedule.rate_unit,
        "chargingSchedulePeriod": _periods(schedule),
    }
    if schedule.duration is not None:
        payload["duration"] = schedule.duration
    if schedule.start is not None:
        payload["startSchedule"] = iso(schedule.start)
    if schedule.min_rate is not None:
        payload["minChargingRate"] = schedule.min_rate
    return payload


def _words_of_21(profile: ChargingProfile) -> list[str]:
    """What of ``profile`` only OCPP 2.1 says."""
    words: list[str] = [profile.purpose] if profile.purpose in _PURPOSES_21 else []
    if profile.kind in _KINDS_21:
        words.append(f"kind {profile.kind}")
    if profile.dyn_update_interval is not None:
        words.append("dynUpdateInterval")
    return words


def _refuse_21(words: list[str], version: str) -> None:
    """Raises InvalidCommand when ``words`` (2.1's alone) are to be sent in ``version``."""
    if words:
        raise InvalidCommand(
            f"{' and '.join(words)}: OCPP 2.1 only; this station speaks OCPP {version}"
        )


def _profile_fields(profile: ChargingProfile) -> Payload:
    payload: Payload = {"stackLevel": profile.stack_level, "chargingProfileKind": profile.kind}
    if profile.recurrency is not None:
        payload["recurrencyKind"] = profile.recurrency
    if profile.valid_from is not None:
        payload["validFrom"] = iso(profile.valid_from)
    if profile.valid_to is not None:
        payload["validTo"] = iso(profile.valid_to)
    return payload


def _read_periods(periods: list[Payload]) -> list[Result]:
    return [
        {
            "startPeriod": period["startPeriod"],
            "limit": period["limit"],
            "numberPhases": period.get("numberPhases"),
        }
        for period in periods
    ]


class _Ocpp16:
    def profile(self, profile: ChargingProfile) -> Payload:
        _refuse_21(_words_of_21(profile), "1.6")
        body: Payload = {
            "chargingProfileId": profile.id,
            "chargingProfilePurpose": _named(profile.purpose, "ChargePointMaxProfile"),
            **_profile_fields(profile),
            "chargingSchedule": _schedule(profile.schedule),
        }
        if profile.transaction_id is not None:
            if not is_integer_id(profile.transaction_id):
                raise InvalidCommand(
                    f"a 1.6 transactionId is an integer, not {profile.transaction_id!r}"
                )
            body["transactionId"] = int(profile.transaction_id)
        return body

    async def set_profile(self, send: Send, connector_id: int, profile: ChargingProfile) -> str:
        payload = {"connectorId": connector_id, "csChargingProfiles": self.profile(profile)}
        return str((await send("SetChargingProfile", payload))["status"])

    async def clear(self, send: Send, criteria: ProfileCriteria) -> str:
        payload: Payload = {}
        if criteria.profile_id is not None:
            payload["id"] = criteria.profile_id
        if criteria.connector_id is not None:
            payload["connectorId"] = criteria.connector_id
        if criteria.purpose is not None:
            _refuse_21([criteria.purpose] if criteria.purpose in _PURPOSES_21 else [], "1.6")
            payload["chargingProfilePurpose"] = _named(criteria.purpose, "ChargePointMaxProfile")
        if criteria.stack_level is not None:
            payload["stackLevel"] = criteria.stack_level
        return str((await send("ClearChargingProfile", payload))["status"])

    async def composite(
        self, send: Send, connector_id: int, duration: int, unit: RateUnit | None
    ) -> CompositeSchedule:
        payload: Payload = {"connectorId": connector_id, "duration": duration}
        if unit is not None:
            payload["chargingRateUnit"] = unit
        answer = await send("GetCompositeSchedule", payload)
        schedule = answer.get("chargingSchedule")
        return CompositeSchedule(
            str(answer["status"]),
            answer.get("scheduleStart"),
            None
            if schedule is None
            else {
                "duration": schedule.get("duration"),
                "chargingRateUnit": schedule["chargingRateUnit"],
                "minChargingRate": schedule.get("minChargingRate"),
                "periods": _read_periods(schedule["chargingSchedulePeriod"]),
            },
        )


class _Ocpp201:
    """2.0.1's words; :class:`_Ocpp21` says 2.1's too."""

    version = "2.0.1"

    def profile(self, profile: ChargingProfile) -> Payload:
        self._check_words(_words_of_21(profile))
        body: Payload = {
            "id": profile.id,
            "chargingProfilePurpose": _named(profile.purpose, "ChargingStationMaxProfile"),
            **_profile_fields(profile),
            "chargingSchedule": [{"id": profile.id, **_schedule(profile.schedule)}],
        }
        if profile.transaction_id is not None:
            body["transactionId"] = profile.transaction_id
        if profile.dyn_update_interval is not None:
            body["dynUpdateInterval"] = profile.dyn_update_interval
        return body

    def _check_words(self, words: list[str]) -> None:
        _refuse_21(words, self.version)

    async def set_profile(self, send: Send, connector_id: int, profile: ChargingProfile) -> str:
        payload = {"evseId": connector_id, "chargingProfile": self.profile(profile)}
        return str((await send("SetChargingProfile", payload))["status"])

    async def clear(self, send: Send, criteria: ProfileCriteria) -> str:
        matching: Payload = {}
        if criteria.connector_id is not None:
            matching["evseId"] = criteria.connector_id
        if criteria.purpose is not None:
            self._check_words([criteria.purpose] if criteria.purpose in _PURPOSES_21 else [])
            matching["chargingProfilePurpose"] = _named(
                criteria.purpose, "ChargingStationMaxProfile"
            )
        if criteria.stack_level is not None:
            matching["stackLevel"] = criteria.stack_level
        payload: Payload = {}
        if criteria.profile_id is not None:
            payload["chargingProfileId"] = criteria.profile_id
        if matching:
            payload["chargingProfileCriteria"] = matching
        return str((await send("ClearChargingProfile", payload))["status"])

    async def composite(
        self, send: Send, connector_id: int, duration: int, unit: RateUnit | None
    ) -> CompositeSchedule:
        payload: Payload = {"evseId": connector_id, "duration": duration}
        if unit is not None:
            payload["chargingRateUnit"] = unit
        answer = await send("GetCompositeSchedule", payload)
        schedule = answer.get("schedule")
        reason = answer.get("statusInfo", {}).get("reasonCode")
        if schedule is None:
            return CompositeSchedule(str(answer["status"]), reason=reason)
        return CompositeSchedule(
            str(answer["status"]),
            schedule["scheduleStart"],
            {
                "duration": schedule["duration"],
                "chargingRateUnit": schedule["chargingRateUnit"],
                "minChargingRate": None,
                "periods": _read_periods(schedule["chargingSchedulePeriod"]),
            },
            reason,
        )


class _Ocpp21(_Ocpp201):
    version = "2.1"

    def _check_words(self, words: list[str]) -> None:
        pass  # every word of the API's profile is 2.1's


SMART_CHARGING_DIALECTS: VersionTable[SmartChargingDialect] = VersionTable(
    "how smart charging is said",
    {V16: _Ocpp16(), V201: _Ocpp201(), V21: _Ocpp21()},
)


async def _dialect(charger: Charger) -> SmartChargingDialect:
    return SMART_CHARGING_DIALECTS[await charger.link.version_of(charger.identity)]


async def set_charging_profile(
    charger: Charger, connector_id: int, profile: ChargingProfile
) -> Result:
    """Install ``profile`` on a connector (0: the station).

    Raises:
        InvalidCommand: the profile breaks a rule of the module docstring.
    """
    check_profile(connector_id, profile)
    status = await (await _dialect(charger)).set_profile(sender(charger), connector_id, profile)
    return {
        "message": f"Charging profile {outcome(status)}",
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "chargingProfileId": profile.id,
        "status": snake(status),
    }


async def clear_charging_profile(charger: Charger, criteria: ProfileCriteria) -> Result:
    """Remove the profiles ``criteria`` match: ``unknown`` when the station has none."""
    status = await (await _dialect(charger)).clear(sender(charger), criteria)
    return {
        "message": f"Charging profile clear {outcome(status)}",
        "chargeBoxId": charger.identity,
        "status": snake(status),
    }


async def composite_schedule(
    charger: Charger, connector_id: int, duration: int, unit: RateUnit | None
) -> Result:
    """The schedule the station will follow on a connector (0: the station) for ``duration``
    seconds from now, all its profiles combined."""
    dialect = await _dialect(charger)
    found = await dialect.composite(sender(charger), connector_id, duration, unit)
    return {
        "message": f"Composite schedule {outcome(found.status)}",
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "status": snake(found.status),
        "scheduleStart": found.start,
        "schedule": found.schedule,
        "reason": found.reason,
    }
