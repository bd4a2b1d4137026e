"""OCPP 2.0.1 payloads to and from the smart-charging model.

Shapes from the official schemas SetChargingProfileRequest.json (ChargingProfileType),
GetCompositeScheduleResponse.json (CompositeScheduleType) and ReportChargingProfilesRequest.json.
A schedule's salesTariff and customData are not modelled and so not reported back.

OCPP 2.1 keeps these shapes and adds to them; the model has 2.1's PriorityCharging purpose, its
Dynamic kind and a Dynamic profile's dynUpdateInterval and dynUpdateTime, which only a 2.1
station's store holds (2.0.1's schemas carry none of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from chargeyard.protocol.messages import v21, v201
from chargeyard.station.model.smart_charging.profiles import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    CompositeSchedule,
    RecurrencyKind,
)
from chargeyard.station.model.smart_charging.wire import (
    WIRE_UNITS,
    format_time,
    optional_time,
    period_from_wire,
    period_to_wire,
)

_PURPOSES: dict[v21.ChargingProfilePurposeEnumType, ChargingProfilePurpose] = {
    "ChargingStationMaxProfile": ChargingProfilePurpose.CHARGING_STATION_MAX,
    "TxDefaultProfile": ChargingProfilePurpose.TX_DEFAULT,
    "TxProfile": ChargingProfilePurpose.TX,
    "ChargingStationExternalConstraints": ChargingProfilePurpose.EXTERNAL_CONSTRAINTS,
    "PriorityCharging": ChargingProfilePurpose.PRIORITY_CHARGING,
}
_WIRE_PURPOSES = {purpose: wire for wire, purpose in _PURPOSES.items()}
PURPOSES_201: frozenset[str] = frozenset(_PURPOSES)
"""The ChargingProfilePurposeEnumType words the model has: 2.0.1's four and 2.1's
PriorityCharging (2.1's LocalGeneration it has not)."""


def purpose_from_ocpp201(wire: v21.ChargingProfilePurposeEnumType) -> ChargingProfilePurpose:
    """ChargingProfilePurposeEnumType as the model's purpose."""
    return _PURPOSES[wire]


def purpose_to_ocpp201(purpose: ChargingProfilePurpose) -> v21.ChargingProfilePurposeEnumType:
    return _WIRE_PURPOSES[purpose]


def profile_from_ocpp201(charging_profile: Mapping[str, Any]) -> ChargingProfile:
    """SetChargingProfileRequest's chargingProfile (or RequestStartTransaction's)."""
    payload = charging_profile
    recurrency = payload.get("recurrencyKind")
    return ChargingProfile(
        id=payload["id"],
        stack_level=payload["stackLevel"],
        purpose=_PURPOSES[payload["chargingProfilePurpose"]],
        kind=ChargingProfileKind(payload["chargingProfileKind"]),
        recurrency_kind=None if recurrency is None else RecurrencyKind(recurrency),
        valid_from=optional_time(payload, "validFrom"),
        valid_to=optional_time(payload, "validTo"),
        transaction_id=payload.get("transactionId"),
        dyn_update_interval=payload.get("dynUpdateInterval"),
        dyn_update_time=optional_time(payload, "dynUpdateTime"),
        schedules=tuple(
            ChargingSchedule(
                id=schedule["id"],
                charging_rate_unit=ChargingRateUnit(schedule["chargingRateUnit"]),
                periods=tuple(map(period_from_wire, schedule["chargingSchedulePeriod"])),
                duration=schedule.get("duration"),
                start_schedule=optional_time(schedule, "startSchedule"),
                min_charging_rate=schedule.get("minChargingRate"),
            )
            for schedule in payload["chargingSchedule"]
        ),
    )


def profile_to_ocpp201(profile: ChargingProfile) -> v201.ChargingProfileType:
    """A ChargingProfileType payload, as ReportChargingProfilesRequest carries it.

    A schedule without an id (the profile came over 1.6) is numbered by its position, from 1.
    """
    payload: v201.ChargingProfileType = {
        "id": profile.id,
        "stackLevel": profile.stack_level,
        # PriorityCharging, a 2.1 word, is in a 2.1 station's store only.
        "chargingProfilePurpose": cast(
            v201.ChargingProfilePurposeEnumType, _WIRE_PURPOSES[profile.purpose]
        ),
        # Dynamic, a 2.1 word, is in a 2.1 station's store only.
        "chargingProfileKind": cast(v201.ChargingProfileKindEnumType, profile.kind.value),
        "chargingSchedule": [
            _schedule_to_wire(schedule, position)
            for position, schedule in enumerate(profile.schedules, start=1)
        ],
    }
    if profile.recurrency_kind is not None:
        payload["recurrencyKind"] = profile.recurrency_kind.value
    if profile.valid_from is not None:
        payload["validFrom"] = format_time(profile.valid_from)
    if profile.valid_to is not None:
        payload["validTo"] = format_time(profile.valid_to)
    if profile.transaction_id is not None:
        payload["transactionId"] = profile.transaction_id
    # 2.1 ChargingProfileType: what a Dynamic profile (in a 2.1 station's store only) carries.
    dynamic = cast(dict[str, Any], payload)
    if profile.dyn_update_interval is not None:
        dynamic["dynUpdateInterval"] = profile.dyn_update_interval
    if profile.dyn_update_time is not None:
        dynamic["dynUpdateTime"] = format_time(profile.dyn_update_time)
    return payload


def _schedule_to_wire(schedule: ChargingSchedule, position: int) -> v201.ChargingScheduleType:
    payload: v201.ChargingScheduleType = {
        "id": position if schedule.id is None else schedule.id,
        "chargingRateUnit": schedule.charging_rate_unit.value,
        "chargingSchedulePeriod": [
            period_to_wire(period, phase_to_use=True) for period in schedule.periods
        ],
    }
    if schedule.start_schedule is not None:
        payload["startSchedule"] = format_time(schedule.start_schedule)
    if schedule.duration is not None:
        payload["duration"] = schedule.duration
    if schedule.min_charging_rate is not None:
        payload["minChargingRate"] = schedule.min_charging_rate
    return payload


def composite_to_ocpp201(composite: CompositeSchedule) -> v201.CompositeScheduleType:
    """GetCompositeScheduleResponse's schedule, a CompositeScheduleType (K08; limits to 0.1)."""
    return {
        "evseId": composite.evse_id,
        "duration": composite.duration,
        "scheduleStart": format_time(composite.start),
        "chargingRateUnit": WIRE_UNITS[composite.charging_rate_unit],
        "chargingSchedulePeriod": [
            period_to_wire(period, phase_to_use=False, round_limit=True)
            for period in composite.periods
        ],
    }


def reports_to_ocpp201(
    request_id: int, found: Iterable[tuple[int, ChargingProfile]]
) -> list[v201.ReportChargingProfilesRequest]:
    """The ReportChargingProfilesRequests answering GetChargingProfiles (K09).

    One request per EVSE and limit source (the schema allows one of each per message), all but
    the last with ``tbc``. External constraints are reported as set by an "EMS", the rest by
    the "CSO". Returns [] for no profiles: the personality answers NoProfiles instead.
    """
    groups: dict[tuple[int, v201.ChargingLimitSourceEnumType], list[v201.ChargingProfileType]] = {}
    for evse_id, profile in found:
        external = profile.purpose is ChargingProfilePurpose.EXTERNAL_CONSTRAINTS
        source: v201.ChargingLimitSourceEnumType = "EMS" if external else "CSO"
        groups.setdefault((evse_id, source), []).append(profile_to_ocpp201(profile))
    reports: list[v201.ReportChargingProfilesRequest] = []
    for index, ((evse_id, source), profiles) in enumerate(groups.items(), start=1):
        report: v201.ReportChargingProfilesRequest = {
            "requestId": request_id,
            "chargingLimitSource": source,
            "chargingProfile": profiles,
            "evseId": evse_id,
        }
        if index < len(groups):
            report["tbc"] = True
        reports.append(report)
    return reports
