"""Shared pieces of the 2.0.1 smart charging tests (K): profiles, a charging SUV, the meter.

The station is a single-phase 7.36 kW wallbox (32 A at 230 V, RateUnit A only); an SUV at 50 %
asks for more, so without a profile it draws 7,360 W and a 16 A profile halves that to 3,680 W.
"""

from __future__ import annotations

from typing import Any

from chargeyard.protocol import Payload
from chargeyard.station.model.ev import MID_SUV, Ev
from chargeyard.station.v201 import StationV201
from tests.station.harness import Link
from tests.station.v201.support import events


def profile(
    purpose: str,
    periods: list[tuple[int, float]],
    *,
    profile_id: int = 1,
    stack_level: int = 0,
    unit: str = "A",
    kind: str = "Relative",
    transaction_id: str | None = None,
    start_schedule: str | None = None,
) -> dict[str, Any]:
    """A ChargingProfileType payload with one schedule."""
    schedule: dict[str, Any] = {
        "id": 1,
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [
            {"startPeriod": start, "limit": limit} for start, limit in periods
        ],
    }
    if start_schedule is not None:
        schedule["startSchedule"] = start_schedule
    payload: dict[str, Any] = {
        "id": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": [schedule],
    }
    if transaction_id is not None:
        payload["transactionId"] = transaction_id
    return payload


def set_profile(link: Link, evse_id: int, charging_profile: dict[str, Any]) -> Payload:
    return link.call_station(
        "SetChargingProfile", {"evseId": evse_id, "chargingProfile": charging_profile}
    )


def station_of(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def start_charging(link: Link) -> str:
    """An SUV at 50 % plugged in and authorized: a transaction runs, Charging. Returns its id."""
    station = station_of(link)
    station.plug(1, 1, ev=Ev(MID_SUV, soc=0.5))
    station.present_id_token("TAG-1")
    link.pump()
    assert events(link)[-1]["transactionInfo"]["chargingState"] == "Charging"
    link.csms.clear()
    transaction_id: str = events_tx(station)
    return transaction_id


def events_tx(station: StationV201) -> str:
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    return transaction.local_id


def delivered_wh(station: StationV201) -> float:
    station.advance()  # the meter integrates lazily: bring it up to now
    return station.model.evses[1].meter.energy_register_wh - 1000.0  # the fixture starts at 1 kWh


def triggers(link: Link) -> list[tuple[str, str, str]]:
    """(timestamp, triggerReason, chargingState) of the events other than meter samples."""
    return [
        (e["timestamp"], e["triggerReason"], e["transactionInfo"]["chargingState"])
        for e in events(link)
        if e["triggerReason"] not in ("MeterValuePeriodic", "MeterValueClock")
    ]
