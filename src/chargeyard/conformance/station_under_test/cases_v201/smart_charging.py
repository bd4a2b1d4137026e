"""What the OCPP 2.0.1 charging-station cases of smart charging share (block K): the profiles
they set and how they read them back. The cases are ``smart_charging_profiles.py`` (K01
SetChargingProfile, K05 a remote start with a profile) and ``smart_charging_reports.py`` (K10
ClearChargingProfile, K09 GetChargingProfiles, K08 GetCompositeSchedule).

The profiles are Part 6's: a limit of 6 A (6000 W where the station charges in W), in the
first unit SmartChargingCtrlr.RateUnit names, on three phases; each case clears the profiles it
set when it ends (Part 6 section 2.1: a case begins without any). A composite schedule's
periods are checked against the profile's, shifted by the seconds between the profile's start
and the schedule's (Part 6's "x"), within two seconds."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any, Unpack, cast

from chargeyard import loop_clock
from chargeyard.conformance.optional_fields_v201 import ProfileFields
from chargeyard.conformance.station_under_test.case import StationCase, parse_time
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
RATE_UNIT = Var("SmartChargingCtrlr", "RateUnit")
SIGNIFICANCE = Var("SmartChargingCtrlr", "LimitChangeSignificance")
STACK_LEVELS = Var("SmartChargingCtrlr", "ProfileStackLevel")
PERIODS = Var("SmartChargingCtrlr", "PeriodsPerSchedule")
UNITS: tuple[v201.ChargingRateUnitEnumType, ...] = ("A", "W")
_UNITS: dict[str, v201.ChargingRateUnitEnumType] = {"A": "A", "W": "W"}
TOLERANCE_S = 2.0
PROFILE_IDS = itertools.count(7_001)
_REQUESTS = itertools.count(7_501)


def wire_time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def now() -> dt.datetime:
    return loop_clock.now().replace(microsecond=0)


async def units(run: StationCaseV201) -> list[v201.ChargingRateUnitEnumType]:
    """The units the station's schedules may use (SmartChargingCtrlr.RateUnit)."""
    told = await run.learnt(RATE_UNIT) or ""
    return [_UNITS[unit.strip()] for unit in told.split(",") if unit.strip() in UNITS] or ["A"]


async def unit_of(run: StationCaseV201) -> v201.ChargingRateUnitEnumType:
    return (await units(run))[0]


def limit(unit: str, amps: float) -> float:
    """Part 6's limits: ``amps`` A, or a thousand times as many W."""
    return float(amps) if unit == "A" else float(amps) * 1000


def schedule(
    unit: str,
    periods: Sequence[tuple[int, float]],
    *,
    duration: int | None = 300,
    start: dt.datetime | None = None,
    schedule_id: int = 1,
) -> Payload:
    """A ChargingScheduleType of ``periods`` ((startPeriod, amps)), three phases each."""
    body: Payload = {
        "id": schedule_id,
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [
            {"startPeriod": start_s, "limit": limit(unit, amps), "numberPhases": 3}
            for start_s, amps in periods
        ],
    }
    if duration is not None:
        body["duration"] = duration
    if start is not None:
        body["startSchedule"] = wire_time(start)
    return body


class ProfileOptions(ProfileFields, total=False):
    """:func:`profile`'s own options and fields, as the Memory States take them."""

    profile_id: int | None
    kind: str
    stack_level: int


def profile(
    purpose: str,
    charging: Payload,
    *,
    profile_id: int | None = None,
    kind: str = "Absolute",
    stack_level: int = 0,
    **extra: Unpack[ProfileFields],
) -> Payload:
    """A ChargingProfileType (an Absolute one's schedule starts now unless it says)."""
    if kind == "Absolute" and "startSchedule" not in charging:
        charging = {**charging, "startSchedule": wire_time(now())}
    return {
        "id": profile_id if profile_id is not None else next(PROFILE_IDS),
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": [charging],
        **extra,
    }


async def tx_default(
    run: StationCaseV201, evse: int = 1, amps: float = 6, **options: Unpack[ProfileOptions]
) -> Payload:
    """Memory State SetChargingProfile: a TxDefaultProfile of ``amps`` on ``evse``."""
    unit = await unit_of(run)
    body = profile("TxDefaultProfile", schedule(unit, [(0, amps)]), **options)
    await set_profile(run, evse, body)
    return body


async def station_max(
    run: StationCaseV201, amps: float = 10, **options: Unpack[ProfileOptions]
) -> Payload:
    """A ChargingStationMaxProfile of ``amps`` on the station (EVSE 0)."""
    unit = await unit_of(run)
    body = profile(
        "ChargingStationMaxProfile", schedule(unit, [(0, amps)], duration=86400), **options
    )
    await set_profile(run, 0, body)
    return body


async def set_profile(
    run: StationCaseV201, evse: int, body: Payload, expected: str = "Accepted"
) -> Payload:
    """SetChargingProfile of ``body`` on ``evse``, answered ``expected``; the case clears it
    when it ends."""
    profile_id = body["id"]

    async def clear() -> None:
        await run.ask("ClearChargingProfile", {"chargingProfileId": profile_id})

    run.on_close(f"charging profile {profile_id}", clear)
    purpose = body["chargingProfilePurpose"]
    run.step(f"SetChargingProfile of a {purpose} ({profile_id}) on EVSE {evse}: {expected}")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    return await StationCase.order(
        run, "SetChargingProfile", {"evseId": evse, "chargingProfile": body}, expected
    )


async def reported(
    run: StationCaseV201,
    criterion: Payload,
    *,
    evse: int | None = None,
    expected: str = "Accepted",
) -> list[tuple[int | None, Payload]]:
    """GetChargingProfiles of ``criterion`` (and ``evse``) answered ``expected``; once
    Accepted, every ReportChargingProfiles part of its requestId until tbc is false (K09):
    the (evseId, profile) reported."""
    request_id = next(_REQUESTS)
    payload: Payload = {"requestId": request_id, "chargingProfile": criterion}
    if evse is not None:
        payload["evseId"] = evse
    words = ", ".join(f"{k} {v}" for k, v in criterion.items()) or "everything"
    where = f" of EVSE {evse}" if evse is not None else ""
    run.step(f"GetChargingProfiles{where}, {words}: {expected}")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.order(run, "GetChargingProfiles", payload, expected)
    if expected != "Accepted" or answer.get("status") != "Accepted":
        return []
    found: list[tuple[int | None, Payload]] = []
    while True:
        part = await run.expect(
            "ReportChargingProfiles",
            where=lambda r: r.payload.get("requestId") == request_id,
            what=f"ReportChargingProfiles of request {request_id}",
        )
        for item in part.payload.get("chargingProfile") or []:
            # Compared field by field with the profiles the cases build as plain dicts.
            found.append((part.payload.get("evseId"), cast(Payload, item)))
        if not part.payload.get("tbc"):
            return found


def is_reported(
    run: StationCaseV201,
    found: list[tuple[int | None, Payload]],
    sent: Payload,
    evse: int,
) -> None:
    """The profile ``sent`` is among those reported, on ``evse``, as it was sent."""
    mine = [(where, body) for where, body in found if body.get("id") == sent["id"]]
    run.log.check(
        f"profile {sent['id']} is reported",
        bool(mine),
        expected=sent["id"],
        observed=[body.get("id") for _, body in found],
    )
    if not mine:
        return
    where, body = mine[0]
    run.log.check(
        f"it is reported on EVSE {evse}",
        where == evse,
        weight=Weight.SPEC,
        expected=evse,
        observed=where,
    )
    run.log.check(
        "it is reported as it was sent",
        _essence(body) == _essence(sent),
        weight=Weight.SPEC,
        expected=_essence(sent),
        observed=_essence(body),
    )


def only(run: StationCaseV201, found: list[tuple[int | None, Payload]], *ids: int) -> None:
    """The profiles reported are those of ``ids``."""
    reported_ids = sorted({body.get("id") for _, body in found}, key=str)
    run.log.check(
        f"the profiles reported are {', '.join(map(str, ids))}",
        set(reported_ids) == set(ids),
        weight=Weight.SPEC,
        expected=sorted(ids),
        observed=reported_ids,
    )


def _essence(body: Payload) -> tuple[object, ...]:
    charging = (body.get("chargingSchedule") or [{}])[0]
    periods = tuple(
        (p.get("startPeriod"), float(p.get("limit", 0)), p.get("numberPhases"))
        for p in charging.get("chargingSchedulePeriod") or []
    )
    return (
        body.get("id"),
        body.get("stackLevel"),
        body.get("chargingProfilePurpose"),
        body.get("chargingProfileKind"),
        body.get("recurrencyKind"),
        body.get("transactionId"),
        charging.get("chargingRateUnit"),
        charging.get("duration"),
        periods,
    )


async def composite(
    run: StationCaseV201,
    evse: int,
    duration: int,
    *,
    unit: v201.ChargingRateUnitEnumType | None = None,
    expected: str = "Accepted",
) -> Payload:
    """GetCompositeSchedule of ``evse`` for ``duration`` s in ``unit`` (None: the
    station's first), answered ``expected``: its schedule (an Accepted one checked to name
    the EVSE, the duration and the unit; a refused one to have none, K08.FR.05, K08.FR.07)."""
    unit = unit or await unit_of(run)
    run.step(f"GetCompositeSchedule of EVSE {evse} for {duration} s in {unit}: {expected}")
    answer = await run.order(
        "GetCompositeSchedule",
        {"evseId": evse, "duration": duration, "chargingRateUnit": unit},
        expected,
    )
    found = answer.get("schedule")
    if expected != "Accepted":
        run.log.check(
            "a refused GetCompositeSchedule has no schedule",
            found is None,
            weight=Weight.SPEC,
            expected="none",
            observed=found,
        )
        return {}
    if not isinstance(found, dict):
        run.log.check("the answer has a schedule", False, expected="a schedule", observed=None)
        return {}
    for field, wanted in (("evseId", evse), ("duration", duration), ("chargingRateUnit", unit)):
        run.log.check(
            f"the schedule's {field} is {wanted} (K08.FR.02)",
            found.get(field) == wanted,
            weight=Weight.SPEC,
            expected=wanted,
            observed=found.get(field),
        )
    # Read field by field as the profiles the cases build, plain dicts.
    return cast(Payload, found)


def periods_are(
    run: StationCaseV201,
    found: Payload,
    began: dt.datetime,
    wanted: Sequence[tuple[int, float | None]],
    unit: str,
) -> None:
    """The composite's first periods are ``wanted`` ((seconds after ``began``, amps; None: the
    station's own limit, not checked)), each start shifted by Part 6's x: the seconds from
    ``began`` to the schedule's start."""
    start = parse_time(str(found.get("scheduleStart", "")))
    shift = (start - began).total_seconds() if start is not None else 0.0
    periods = [
        (float(p.get("startPeriod", 0)), float(p.get("limit", 0)))
        for p in found.get("chargingSchedulePeriod") or []
    ]
    expected = [
        (max(0.0, offset - shift), None if amps is None else limit(unit, amps))
        for offset, amps in wanted
    ]
    matched = len(periods) >= len(expected) and all(
        abs(at - want_at) <= TOLERANCE_S and (want is None or abs(value - want) < 0.01)
        for (at, value), (want_at, want) in zip(periods, expected, strict=False)
    )
    run.log.check(
        "the composite schedule's periods are the profiles' (Part 6's startPeriod - x)",
        matched,
        weight=Weight.SPEC,
        expected=[(round(at), value) for at, value in expected],
        observed=[(round(at), value) for at, value in periods],
    )


def first_limit(found: Payload) -> float | None:
    periods = found.get("chargingSchedulePeriod") or []
    return float(periods[0]["limit"]) if periods else None
