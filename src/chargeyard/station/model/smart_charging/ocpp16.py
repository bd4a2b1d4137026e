"""OCPP 1.6 payloads to and from the smart-charging model.

Shapes from the official schemas SetChargingProfile.json (csChargingProfiles, section 7.8),
GetCompositeScheduleResponse.json (chargingSchedule, section 7.13) and ClearChargingProfile.json.
1.6's transactionId is the CSMS's integer; the model keeps it as text, and a personality maps it
to the station's own transaction id before installing (see ``ChargingProfileStore.install``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chargeyard.protocol.messages import v16
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
    put,
)

_PURPOSES = {
    "ChargePointMaxProfile": ChargingProfilePurpose.CHARGING_STATION_MAX,
    "TxDefaultProfile": ChargingProfilePurpose.TX_DEFAULT,
    "TxProfile": ChargingProfilePurpose.TX,
}
_WIRE_PURPOSES = {purpose: wire for wire, purpose in _PURPOSES.items()}


def purpose_from_ocpp16(wire: str) -> ChargingProfilePurpose:
    """ChargingProfilePurposeType (section 7.10) as the model's purpose."""
    return _PURPOSES[wire]


def purpose_to_ocpp16(purpose: ChargingProfilePurpose) -> str:
    """Raises KeyError for ExternalConstraints, which 1.6 does not have."""
    return _WIRE_PURPOSES[purpose]


def profile_from_ocpp16(cs_charging_profiles: Mapping[str, Any]) -> ChargingProfile:
    """SetChargingProfile.req's csChargingProfiles (or RemoteStartTransaction's chargingProfile)."""
    payload = cs_charging_profiles
    schedule = payload["chargingSchedule"]
    transaction_id = payload.get("transactionId")
    recurrency = payload.get("recurrencyKind")
    return ChargingProfile(
        id=payload["chargingProfileId"],
        stack_level=payload["stackLevel"],
        purpose=_PURPOSES[payload["chargingProfilePurpose"]],
        kind=ChargingProfileKind(payload["chargingProfileKind"]),
        recurrency_kind=None if recurrency is None else RecurrencyKind(recurrency),
        valid_from=optional_time(payload, "validFrom"),
        valid_to=optional_time(payload, "validTo"),
        transaction_id=None if transaction_id is None else str(transaction_id),
        schedules=(
            ChargingSchedule(
                charging_rate_unit=ChargingRateUnit(schedule["chargingRateUnit"]),
                periods=tuple(map(period_from_wire, schedule["chargingSchedulePeriod"])),
                duration=schedule.get("duration"),
                start_schedule=optional_time(schedule, "startSchedule"),
                min_charging_rate=schedule.get("minChargingRate"),
            ),
        ),
    )


def profile_to_ocpp16(profile: ChargingProfile) -> dict[str, Any]:
    """A csChargingProfiles payload (for a CSMS, or to show what a station holds).

    Raises:
        KeyError: the purpose is ExternalConstraints, unknown to 1.6.
        ValueError: the transaction id is not an integer, as 1.6 needs.
    """
    schedule = profile.schedule
    wire_schedule: dict[str, Any] = {}
    put(wire_schedule, "duration", schedule.duration)
    put(wire_schedule, "startSchedule", schedule.start_schedule)
    wire_schedule["chargingRateUnit"] = schedule.charging_rate_unit.value
    wire_schedule["chargingSchedulePeriod"] = [
        period_to_wire(period, phase_to_use=False) for period in schedule.periods
    ]
    put(wire_schedule, "minChargingRate", schedule.min_charging_rate)
    payload: dict[str, Any] = {"chargingProfileId": profile.id}
    if profile.transaction_id is not None:
        payload["transactionId"] = int(profile.transaction_id)
    payload["stackLevel"] = profile.stack_level
    payload["chargingProfilePurpose"] = _WIRE_PURPOSES[profile.purpose]
    payload["chargingProfileKind"] = profile.kind.value
    put(payload, "recurrencyKind", profile.recurrency_kind and profile.recurrency_kind.value)
    put(payload, "validFrom", profile.valid_from)
    put(payload, "validTo", profile.valid_to)
    payload["chargingSchedule"] = wire_schedule
    return payload


def composite_to_ocpp16(composite: CompositeSchedule) -> v16.ChargingSchedule:
    """GetCompositeSchedule.conf's chargingSchedule (section 6.22; limits rounded to 0.1).

    The personality adds status, connectorId and scheduleStart (``composite.start``).
    """
    return {
        "duration": composite.duration,
        "startSchedule": format_time(composite.start),
        "chargingRateUnit": WIRE_UNITS[composite.charging_rate_unit],
        "chargingSchedulePeriod": [
            period_to_wire(period, phase_to_use=False, round_limit=True)
            for period in composite.periods
        ],
    }
