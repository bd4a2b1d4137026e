"""What the 1.6 and 2.0.1 converters share: timestamps and schedule periods on the wire.

Payloads arrive already checked against the official schemas by the protocol core, so the
converters index required fields directly and only ``get`` optional ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chargeyard.protocol.messages import v201
from chargeyard.station.model.smart_charging.profiles import (
    ChargingRateUnit,
    ChargingSchedulePeriod,
)

# The unit in the wire's words (1.6 and 2.0.1 have the same two).
WIRE_UNITS: Mapping[ChargingRateUnit, v201.ChargingRateUnitEnumType] = {
    ChargingRateUnit.W: "W",
    ChargingRateUnit.A: "A",
}


def parse_time(text: str) -> datetime:
    """An RFC 3339 timestamp as an aware UTC datetime (one without a zone is read as UTC)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def optional_time(payload: Mapping[str, Any], key: str) -> datetime | None:
    text = payload.get(key)
    return None if text is None else parse_time(text)


def format_time(moment: datetime) -> str:
    """UTC with millisecond precision and a "Z", as the station writes every timestamp."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def period_from_wire(payload: Mapping[str, Any]) -> ChargingSchedulePeriod:
    return ChargingSchedulePeriod(
        start_period=payload["startPeriod"],
        limit=float(payload["limit"]),
        number_phases=payload.get("numberPhases"),
        phase_to_use=payload.get("phaseToUse"),
    )


def period_to_wire(
    period: ChargingSchedulePeriod, *, phase_to_use: bool, round_limit: bool = False
) -> v201.ChargingSchedulePeriodType:
    """A ChargingSchedulePeriod payload (2.0.1's type; 1.6's is the same less phaseToUse).

    Args:
        phase_to_use: the version has the field (2.0.1).
        round_limit: round to 0.1, which 1.6's ``multipleOf: 0.1`` demands of a limit and which
            is precision enough for any computed one.
    """
    payload: v201.ChargingSchedulePeriodType = {
        "startPeriod": period.start_period,
        "limit": round(period.limit, 1) if round_limit else period.limit,
    }
    if period.number_phases is not None:
        payload["numberPhases"] = period.number_phases
    if phase_to_use and period.phase_to_use is not None:
        payload["phaseToUse"] = period.phase_to_use
    return payload


def put(payload: dict[str, Any], key: str, value: Any) -> None:
    """Set an optional field only when it has a value (timestamps formatted)."""
    if value is None:
        return
    payload[key] = format_time(value) if isinstance(value, datetime) else value
