"""Where a dynamic charging profile stands, read from the calls the central system made.

A 2.1 charging profile of kind Dynamic (K28, dynamic charging profiles) holds one schedule
period whose limits and setpoints the central system changes while it runs: it pushes a change
with UpdateDynamicSchedule, and a station may pull the current values with
PullDynamicScheduleUpdate (every ``dynUpdateInterval`` seconds). The central system keeps no
charging profiles of its own: what it set on a station is in the command history
(``store/repositories/sent_commands.py``), which keeps every call the API made and how it was
answered. So a profile stands as the newest SetChargingProfile of its id that the station
Accepted made it, changed by the UpdateDynamicSchedule calls Accepted since, unless a
ClearChargingProfile Accepted since then removed it (by its id, or by criteria it matches). A
history trimmed by retention, or a profile set by other means than this central system's API,
leaves a profile unknown here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from chargeyard.protocol.messages import v21

# The calls that set, change and remove a profile, as the command history names them.
PROFILE_ACTIONS = ("SetChargingProfile", "UpdateDynamicSchedule", "ClearChargingProfile")

# The fields of a period that ChargingScheduleUpdateType carries (2.1 PullDynamicScheduleUpdate
# and UpdateDynamicSchedule: the limits and setpoints, not the period's shape).
UPDATE_FIELDS = (
    "limit",
    "limit_L2",
    "limit_L3",
    "dischargeLimit",
    "dischargeLimit_L2",
    "dischargeLimit_L3",
    "setpoint",
    "setpoint_L2",
    "setpoint_L3",
    "setpointReactive",
    "setpointReactive_L2",
    "setpointReactive_L3",
)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the history says of one profile id: ``kind`` None when no profile of that id
    stands (never set, or removed since); ``update`` the limits and setpoints it has now."""

    kind: str | None
    update: v21.ChargingScheduleUpdateType | None = None


UNKNOWN = Standing(None)


def standing(profile_id: int, calls: Iterable[tuple[str, str]]) -> Standing:
    """Where profile ``profile_id`` stands after ``calls``, the (action, request JSON) of the
    accepted calls of :data:`PROFILE_ACTIONS`, newest first. A request that cannot be read (a
    payload cut by the store's cap) is passed over."""
    newer_updates: list[Mapping[str, Any]] = []
    newer_clears: list[Mapping[str, Any]] = []
    for action, text in calls:
        try:
            request = orjson.loads(text)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(request, dict):
            continue
        if action == "UpdateDynamicSchedule" and request.get("chargingProfileId") == profile_id:
            newer_updates.append(request.get("scheduleUpdate", {}))
        elif action == "ClearChargingProfile":
            newer_clears.append(request)
        elif action == "SetChargingProfile":
            profile = request.get("chargingProfile", {})
            if profile.get("id") != profile_id:
                continue
            if any(_removes(clear, request) for clear in newer_clears):
                return UNKNOWN
            kind = profile.get("chargingProfileKind")
            if kind != "Dynamic":
                return Standing(kind)
            update = newer_updates[0] if newer_updates else _first_period(profile)
            return Standing(kind, _update_fields(update))
    return UNKNOWN


def _removes(clear: Mapping[str, Any], set_request: Mapping[str, Any]) -> bool:
    """Whether a ClearChargingProfile request removes the profile a SetChargingProfile set
    (2.0.1/2.1 K10: by id, else every profile its criteria match)."""
    profile = set_request.get("chargingProfile", {})
    if "chargingProfileId" in clear:
        return bool(clear["chargingProfileId"] == profile.get("id"))
    criteria = clear.get("chargingProfileCriteria", {})
    named = {
        "evseId": set_request.get("evseId"),
        "chargingProfilePurpose": profile.get("chargingProfilePurpose"),
        "stackLevel": profile.get("stackLevel"),
    }
    return all(criteria.get(name, value) == value for name, value in named.items())


def _first_period(profile: Mapping[str, Any]) -> Mapping[str, Any]:
    schedules = profile.get("chargingSchedule") or [{}]
    periods = schedules[0].get("chargingSchedulePeriod") or [{}]
    first: Mapping[str, Any] = periods[0]
    return first


def _update_fields(period: Mapping[str, Any]) -> v21.ChargingScheduleUpdateType:
    update: dict[str, Any] = {name: period[name] for name in UPDATE_FIELDS if name in period}
    typed: v21.ChargingScheduleUpdateType = update  # type: ignore[assignment]
    return typed
