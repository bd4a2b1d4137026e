"""OCPP 2.0.1 charging-station cases of smart charging (block K: K01 SetChargingProfile, K05 a
remote start with a profile, K08 GetCompositeSchedule, K09 GetChargingProfiles, K10
ClearChargingProfile).

The profiles are Part 6's: a limit of 6 A (6000 W where the station charges in W), in the
first unit SmartChargingCtrlr.RateUnit names, on three phases; each case clears the profiles it
set when it ends (Part 6 section 2.1: a case begins without any). A composite schedule's
periods are checked against the profile's, shifted by the seconds between the profile's start
and the schedule's (Part 6's "x"), within two seconds."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from chargeyard.conformance.cases_v201_station._registry import case
from chargeyard.conformance.station_case import NotApplicable, parse_time
from chargeyard.conformance.station_case_v201 import StationCaseV201
from chargeyard.conformance.station_device_v201 import Var
from chargeyard.conformance.verdicts import Weight

Payload = dict[str, Any]
RATE_UNIT = Var("SmartChargingCtrlr", "RateUnit")
SIGNIFICANCE = Var("SmartChargingCtrlr", "LimitChangeSignificance")
STACK_LEVELS = Var("SmartChargingCtrlr", "ProfileStackLevel")
PERIODS = Var("SmartChargingCtrlr", "PeriodsPerSchedule")
UNITS = ("A", "W")
TOLERANCE_S = 2.0
_IDS = itertools.count(7_001)
_REQUESTS = itertools.count(7_501)


def wire_time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


async def units(run: StationCaseV201) -> list[str]:
    """The units the station's schedules may use (SmartChargingCtrlr.RateUnit)."""
    told = await run.learnt(RATE_UNIT) or ""
    return [unit.strip() for unit in told.split(",") if unit.strip() in UNITS] or ["A"]


async def unit_of(run: StationCaseV201) -> str:
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


def profile(
    purpose: str,
    charging: Payload,
    *,
    profile_id: int | None = None,
    kind: str = "Absolute",
    stack_level: int = 0,
    **extra: Any,
) -> Payload:
    """A ChargingProfileType (an Absolute one's schedule starts now unless it says)."""
    if kind == "Absolute" and "startSchedule" not in charging:
        charging = {**charging, "startSchedule": wire_time(now())}
    return {
        "id": profile_id if profile_id is not None else next(_IDS),
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": [charging],
        **extra,
    }


async def tx_default(
    run: StationCaseV201, evse: int = 1, amps: float = 6, **options: Any
) -> Payload:
    """Memory State SetChargingProfile: a TxDefaultProfile of ``amps`` on ``evse``."""
    unit = await unit_of(run)
    body = profile("TxDefaultProfile", schedule(unit, [(0, amps)]), **options)
    await set_profile(run, evse, body)
    return body


async def station_max(run: StationCaseV201, amps: float = 10, **options: Any) -> Payload:
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
    return await run.order(
        "SetChargingProfile", {"evseId": evse, "chargingProfile": body}, expected
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
    answer = await run.order("GetChargingProfiles", payload, expected)
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
            found.append((part.payload.get("evseId"), item))
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
    unit: str | None = None,
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
    return found


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


# -- K01 SetChargingProfile -------------------------------------------------------------------


@case("TC_K_01_CS")
async def tx_default_on_evse(run: StationCaseV201) -> None:
    """A TxDefaultProfile on an EVSE: Accepted, and reported as sent (K01.FR.07, K01.FR.15,
    K09)."""
    await run.ready()
    sent = await tx_default(run, 1)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 1)


@case("TC_K_02_CS")
async def tx_profile_without_transaction(run: StationCaseV201) -> None:
    """A TxProfile for a transaction the EVSE does not have: Rejected (K01.FR.04, K01.FR.09)."""
    await run.ready()
    unit = await unit_of(run)
    body = profile("TxProfile", schedule(unit, [(0, 6)]), transactionId="UNKNOWN-TRANSACTION-ID")
    await set_profile(run, 1, body, "Rejected")


@case("TC_K_03_CS")
async def station_max_profile(run: StationCaseV201) -> None:
    """A ChargingStationMaxProfile on EVSE 0: Accepted, reported on EVSE 0 as sent."""
    await run.ready()
    unit = await unit_of(run)
    sent = profile("ChargingStationMaxProfile", schedule(unit, [(0, 6)]))
    await set_profile(run, 0, sent)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 0)


@case("TC_K_04_CS")
async def profile_replaced(run: StationCaseV201) -> None:
    """A profile of the id of one installed replaces it (K01.FR.05): the report shows the
    new limit."""
    await run.ready()
    first = await tx_default(run, 1, 6)
    unit = await unit_of(run)
    second = profile("TxDefaultProfile", schedule(unit, [(0, 10)]), profile_id=first["id"])
    await set_profile(run, 1, second)
    found = await reported(run, {"chargingProfileId": [second["id"]]})
    is_reported(run, found, second, 1)


@case("TC_K_10_CS")
async def tx_default_on_station(run: StationCaseV201) -> None:
    """A TxDefaultProfile on EVSE 0 (every EVSE): Accepted, reported on EVSE 0 (K01.FR.14)."""
    await run.ready()
    sent = await tx_default(run, 0)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 0)


@case("TC_K_11_CS")
async def tx_profile_on_station(run: StationCaseV201) -> None:
    """A TxProfile on EVSE 0: Rejected (K01.FR.16)."""
    await run.ready()
    unit = await unit_of(run)
    await set_profile(run, 0, profile("TxProfile", schedule(unit, [(0, 6)])), "Rejected")


@case("TC_K_12_CS")
async def unit_not_supported(run: StationCaseV201) -> None:
    """A schedule in the unit the station does not take: Rejected (K01.FR.26)."""
    await run.ready()
    taken = await units(run)
    other = [unit for unit in UNITS if unit not in taken]
    if not other:
        raise NotApplicable("the station takes schedules in A and in W")
    await set_profile(run, 1, profile("TxDefaultProfile", schedule(other[0], [(0, 6)])), "Rejected")


@case("TC_K_13_CS")
async def profile_kept_through_a_reboot(run: StationCaseV201) -> None:
    """A TxDefaultProfile survives a reboot (K01.FR.27)."""
    await run.ready()
    sent = await tx_default(run, 1)
    await run.booted()
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 1)


@case("TC_K_14_CS")
async def unknown_evse(run: StationCaseV201) -> None:
    """A profile on an EVSE the station does not have: Rejected (K01.FR.28)."""
    await run.ready()
    unit = await unit_of(run)
    evse = len(run.evses()) + 1
    body = profile("TxDefaultProfile", schedule(unit, [(0, 6)]))
    await set_profile(run, evse, body, "Rejected")


@case("TC_K_16_CS")
async def tx_profile_unknown_transaction(run: StationCaseV201) -> None:
    """During a transaction, a TxProfile naming another: Rejected (K01.FR.33)."""
    await run.ready()
    await run.energy_transfer_started()
    unit = await unit_of(run)
    body = profile("TxProfile", schedule(unit, [(0, 6)]), transactionId="UNKNOWN-TRANSACTION-ID")
    await set_profile(run, 1, body, "Rejected")


@case("TC_K_19_CS")
async def recurring_profile(run: StationCaseV201) -> None:
    """A Recurring (Daily) TxDefaultProfile: Accepted (K01.FR.40)."""
    await run.ready()
    unit = await unit_of(run)
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=86400, start=now()),
        kind="Recurring",
        recurrencyKind="Daily",
    )
    await set_profile(run, 1, body)


@case("TC_K_21_CS")
async def valid_from(run: StationCaseV201) -> None:
    """A Relative TxDefaultProfile valid from 300 s on: the composite schedule has its limit
    from then (K01.FR.36)."""
    await run.ready()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=None),
        kind="Relative",
        validFrom=wire_time(began + dt.timedelta(seconds=300)),
    )
    await set_profile(run, 1, body)
    found = await composite(run, 1, 400, unit=unit)
    periods_are(run, found, began, [(0, None), (300, 6)], unit)


@case("TC_K_22_CS")
async def valid_to(run: StationCaseV201) -> None:
    """A TxDefaultProfile on EVSE 0 valid for 300 s: each EVSE's composite has its limit
    (EVSE 0: one for every EVSE), then the station's own from 300 s (K01.FR.37)."""
    await run.ready()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=None, start=began),
        validFrom=wire_time(began - dt.timedelta(seconds=5)),
        validTo=wire_time(began + dt.timedelta(seconds=300)),
    )
    await set_profile(run, 0, body)
    for evse in (0, *run.evses()):
        found = await composite(run, evse, 400, unit=unit)
        amps = 6 * len(run.evses()) if evse == 0 else 6
        periods_are(run, found, began, [(0, amps), (300, None)], unit)


@case("TC_K_23_CS")
async def start_schedule(run: StationCaseV201) -> None:
    """A TxDefaultProfile whose schedule starts in 60 s: the composite has the station's own
    limit until then, the profile's after (K01.FR.30)."""
    await run.ready()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=None, start=began + dt.timedelta(seconds=60)),
        validFrom=wire_time(began + dt.timedelta(seconds=50)),
        validTo=wire_time(began + dt.timedelta(seconds=400)),
    )
    await set_profile(run, 1, body)
    found = await composite(run, 1, 300, unit=unit)
    periods_are(run, found, began, [(0, None), (60, 6)], unit)


@case("TC_K_28_CS")
async def tx_default_during_transaction(run: StationCaseV201) -> None:
    """During a transaction, a TxDefaultProfile: Accepted, and the EVSE's composite has its
    limit at once (K01.FR.32)."""
    await run.ready()
    await run.set_variable(SIGNIFICANCE, "1.0", optional=True)
    await run.energy_transfer_started()
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=300, start=began),
        validFrom=wire_time(began - dt.timedelta(seconds=5)),
        validTo=wire_time(began + dt.timedelta(seconds=305)),
    )
    await set_profile(run, 1, body)
    found = await composite(run, 1, 300, unit=unit)
    periods_are(run, found, began, [(0, 6)], unit)


@case("TC_K_60_CS")
async def tx_profile_during_transaction(run: StationCaseV201) -> None:
    """During a transaction, a Relative TxProfile naming it: Accepted, reported as sent
    (K01.FR.04, K01.FR.07, K01.FR.15)."""
    await run.ready()
    session = await run.energy_transfer_started()
    unit = await unit_of(run)
    sent = profile(
        "TxProfile",
        schedule(unit, [(0, 6)], duration=None),
        kind="Relative",
        transactionId=session.transaction_id,
    )
    await set_profile(run, 1, sent)
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, sent, 1)


# -- K05 a remote start with a profile ----------------------------------------------------------


@case("TC_K_37_CS")
async def remote_start_with_profile(run: StationCaseV201) -> None:
    """RequestStartTransaction with a Relative TxProfile: Accepted, the transaction starts
    (RemoteStart, remoteStartId) and charges, and the profile is its (K05.FR.03, F01.FR.10)."""
    await run.ready()
    unit = await unit_of(run)
    sent = profile("TxProfile", schedule(unit, [(0, 6)], duration=None), kind="Relative")

    async def clear() -> None:
        await run.ask("ClearChargingProfile", {"chargingProfileId": sent["id"]})

    run.on_close(f"charging profile {sent['id']}", clear)
    await run.ev_connected_pre_session()
    await run.authorized(remote=True, charging_profile=sent)
    session = await run.energy_transfer_started()
    found = await reported(run, {"chargingProfileId": [sent["id"]]})
    is_reported(run, found, {**sent, "transactionId": session.transaction_id}, 1)


@case("TC_K_38_CS")
async def remote_start_profile_ignored(run: StationCaseV201) -> None:
    """A station without smart charging takes a RequestStartTransaction with a TxProfile and
    ignores the profile: the transaction starts (RemoteStart, remoteStartId) and charges
    (F01.FR.12, F01.FR.13)."""
    await run.ready()
    unit = await unit_of(run)
    sent = profile("TxProfile", schedule(unit, [(0, 6)], duration=None), kind="Relative")

    async def clear() -> None:
        await run.ask("ClearChargingProfile", {"chargingProfileId": sent["id"]})

    run.on_close(f"charging profile {sent['id']}", clear)
    await run.ev_connected_pre_session()
    await run.authorized(remote=True, charging_profile=sent)
    await run.energy_transfer_started()


# -- K10 ClearChargingProfile -----------------------------------------------------------------


@case("TC_K_05_CS")
async def clear_by_id(run: StationCaseV201) -> None:
    """ClearChargingProfile of a profile's id: Accepted, and it is gone (K10.FR.03)."""
    await run.ready()
    sent = await tx_default(run, 1)
    run.step("ClearChargingProfile of its id: Accepted")
    await run.order("ClearChargingProfile", {"chargingProfileId": sent["id"]}, "Accepted")
    await reported(run, {"chargingProfileId": [sent["id"]]}, expected="NoProfiles")


@case("TC_K_06_CS")
async def clear_by_criteria(run: StationCaseV201) -> None:
    """During a transaction, ClearChargingProfile of a purpose and stack level: Accepted,
    and no such profile is left (K10.FR.04)."""
    await run.ready()
    await run.energy_transfer_started()
    sent = await tx_default(run, 1, stack_level=1)
    criteria = {"chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 1}
    run.step("ClearChargingProfile of TxDefaultProfile, stack level 1: Accepted")
    await run.order("ClearChargingProfile", {"chargingProfileCriteria": criteria}, "Accepted")
    await reported(run, criteria, expected="NoProfiles")
    run.forget(f"charging profile {sent['id']}")


@case("TC_K_07_CS")
async def clear_unknown_criteria(run: StationCaseV201) -> None:
    """ClearChargingProfile of criteria no profile meets: Unknown (K10.FR.01)."""
    await run.ready()
    await tx_default(run, 1, stack_level=1)
    criteria = {"chargingProfilePurpose": "ChargingStationMaxProfile", "stackLevel": 0}
    run.step("ClearChargingProfile of ChargingStationMaxProfile, stack level 0: Unknown")
    await run.order("ClearChargingProfile", {"chargingProfileCriteria": criteria}, "Unknown")


@case("TC_K_08_CS")
async def clear_nothing(run: StationCaseV201) -> None:
    """ClearChargingProfile of an id no profile has: Unknown (K10.FR.01)."""
    await run.ready()
    run.step("ClearChargingProfile of an unknown id: Unknown")
    await run.order("ClearChargingProfile", {"chargingProfileId": next(_IDS)}, "Unknown")


@case("TC_K_09_CS")
async def clear_during_transaction(run: StationCaseV201) -> None:
    """During a transaction under a TxDefaultProfile of 6 A, clearing it lifts the limit:
    the composite's first limit is 6, then not (K10.FR.07)."""
    await run.ready()
    await run.set_variable(SIGNIFICANCE, "1.0", optional=True)
    unit = await unit_of(run)
    began = now()
    body = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6)], duration=405, start=began),
        validFrom=wire_time(began - dt.timedelta(seconds=5)),
        validTo=wire_time(began + dt.timedelta(seconds=406)),
    )
    await set_profile(run, 1, body)
    await run.energy_transfer_started()
    found = await composite(run, 1, 300, unit=unit)
    periods_are(run, found, began, [(0, 6)], unit)
    run.step("ClearChargingProfile of the TxDefaultProfiles: Accepted")
    await run.order(
        "ClearChargingProfile",
        {"chargingProfileCriteria": {"chargingProfilePurpose": "TxDefaultProfile"}},
        "Accepted",
    )
    after = await composite(run, 1, 300, unit=unit)
    run.log.check(
        "the composite's first limit is no longer the profile's (K10.FR.07)",
        first_limit(after) not in (None, limit(unit, 6)),
        weight=Weight.SPEC,
        expected=f"not {limit(unit, 6)}",
        observed=first_limit(after),
    )


@case("TC_K_24_CS")
async def clear_on_every_evse(run: StationCaseV201) -> None:
    """One purpose and stack level on two EVSEs: ClearChargingProfile of them clears both
    (K10.FR.04)."""
    await run.ready()
    if len(run.evses()) < 2:
        raise NotApplicable("the station has one EVSE")
    for evse in run.evses()[:2]:
        await tx_default(run, evse, stack_level=2)
    criteria = {"chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 2}
    run.step("ClearChargingProfile of TxDefaultProfile, stack level 2: Accepted")
    await run.order("ClearChargingProfile", {"chargingProfileCriteria": criteria}, "Accepted")
    await reported(run, criteria, expected="NoProfiles")


# -- K09 GetChargingProfiles --------------------------------------------------------------------


async def _two_profiles(run: StationCaseV201) -> tuple[Payload, Payload]:
    """Part 6's memory state of K09: a ChargingStationMaxProfile on the station (stack level
    0) and a TxDefaultProfile on EVSE 1 (stack level 1)."""
    await run.ready()
    first = await station_max(run, 16)
    second = await tx_default(run, 1, stack_level=1)
    return first, second


@case("TC_K_29_CS")
async def profiles_of_station(run: StationCaseV201) -> None:
    """GetChargingProfiles of EVSE 0: the station's own profile only (K09.FR.02,
    K09.FR.05)."""
    first, _ = await _two_profiles(run)
    found = await reported(run, {}, evse=0)
    only(run, found, first["id"])


@case("TC_K_30_CS")
async def profiles_of_evse(run: StationCaseV201) -> None:
    """GetChargingProfiles of EVSE 1: the EVSE's profile (K09.FR.04)."""
    _, second = await _two_profiles(run)
    found = await reported(run, {}, evse=1)
    only(run, found, second["id"])


@case("TC_K_31_CS")
async def profiles_of_every_evse(run: StationCaseV201) -> None:
    """GetChargingProfiles without evseId: every profile (K09.FR.06)."""
    first, second = await _two_profiles(run)
    found = await reported(run, {})
    only(run, found, first["id"], second["id"])


@case("TC_K_32_CS")
async def profile_by_id(run: StationCaseV201) -> None:
    """GetChargingProfiles of a profile's id: that profile (K09.FR.01)."""
    first, _ = await _two_profiles(run)
    found = await reported(run, {"chargingProfileId": [first["id"]]})
    only(run, found, first["id"])
    is_reported(run, found, first, 0)


@case("TC_K_33_CS")
async def profiles_by_stack_level(run: StationCaseV201) -> None:
    """GetChargingProfiles of EVSE 1 and a stack level: its profile of that level."""
    _, second = await _two_profiles(run)
    found = await reported(run, {"stackLevel": 1}, evse=1)
    only(run, found, second["id"])


@case("TC_K_34_CS")
async def profiles_by_source(run: StationCaseV201) -> None:
    """GetChargingProfiles of EVSE 1 by chargingLimitSource: CSO has its profile, EMS none."""
    await run.ready()
    sent = await tx_default(run, 1, stack_level=1)
    found = await reported(run, {"chargingLimitSource": ["CSO"]}, evse=1)
    only(run, found, sent["id"])
    await reported(run, {"chargingLimitSource": ["EMS"]}, evse=1, expected="NoProfiles")


@case("TC_K_35_CS")
async def profiles_by_purpose(run: StationCaseV201) -> None:
    """GetChargingProfiles of EVSE 1 and a purpose: its profile of that purpose."""
    _, second = await _two_profiles(run)
    found = await reported(run, {"chargingProfilePurpose": "TxDefaultProfile"}, evse=1)
    only(run, found, second["id"])


@case("TC_K_36_CS")
async def profiles_by_purpose_and_level(run: StationCaseV201) -> None:
    """GetChargingProfiles of EVSE 1, a purpose and a stack level: its profile."""
    _, second = await _two_profiles(run)
    found = await reported(
        run, {"chargingProfilePurpose": "TxDefaultProfile", "stackLevel": 1}, evse=1
    )
    only(run, found, second["id"])


# -- K08 GetCompositeSchedule -----------------------------------------------------------------


@case("TC_K_39_CS")
async def composite_without_profiles(run: StationCaseV201) -> None:
    """Without profiles, the station's composite schedule: Accepted, from 0 (K08.FR.02,
    K08.FR.03, K08.FR.06)."""
    await run.ready()
    found = await composite(run, 0, 300)
    periods = found.get("chargingSchedulePeriod") or [{}]
    run.log.check(
        "its first period starts at 0",
        periods[0].get("startPeriod") == 0,
        weight=Weight.SPEC,
        expected=0,
        observed=periods[0].get("startPeriod"),
    )


@case("TC_K_40_CS")
async def composite_stacked(run: StationCaseV201) -> None:
    """Two TxDefaultProfiles stacked: the higher stack level wins while it lasts (K08.FR.02,
    K08.FR.06)."""
    await run.ready()
    levels, periods = await run.learnt(STACK_LEVELS), await run.learnt(PERIODS)
    if (levels and int(levels) < 1) or (periods and int(periods) < 3):
        raise NotApplicable("the station stacks no profiles or takes fewer than 3 periods")
    unit = await unit_of(run)
    began = now()
    valid: dict[str, Any] = {
        "validFrom": wire_time(began - dt.timedelta(seconds=5)),
        "validTo": wire_time(began + dt.timedelta(seconds=406)),
    }
    low = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 6), (100, 8), (200, 10)], duration=405, start=began),
        **valid,
    )
    high = profile(
        "TxDefaultProfile",
        schedule(unit, [(0, 7), (100, 9)], duration=150, start=began),
        stack_level=1,
        **valid,
    )
    await set_profile(run, 1, low)
    await set_profile(run, 1, high)
    found = await composite(run, 1, 350, unit=unit)
    periods_are(run, found, began, [(0, 7), (100, 9), (150, 8), (200, 10)], unit)


@case("TC_K_41_CS")
async def composite_of_purposes(run: StationCaseV201) -> None:
    """A ChargingStationMaxProfile, a TxDefaultProfile and, during a transaction, a TxProfile:
    the TxProfile replaces the default, the station's maximum caps both (K08.FR.02,
    K08.FR.04)."""
    await run.ready()
    periods = await run.learnt(PERIODS)
    if periods and int(periods) < 5:
        raise NotApplicable("the station takes fewer than 5 periods a schedule")
    session = await run.energy_transfer_started()
    unit = await unit_of(run)
    began = now()
    valid: dict[str, Any] = {
        "validFrom": wire_time(began - dt.timedelta(seconds=5)),
        "validTo": wire_time(began + dt.timedelta(seconds=406)),
    }
    maximum = profile(
        "ChargingStationMaxProfile", schedule(unit, [(0, 10)], duration=86400, start=began)
    )
    default = profile(
        "TxDefaultProfile",
        schedule(
            unit, [(0, 6), (60, 10), (120, 8), (180, 15), (260, 8)], duration=300, start=began
        ),
        **valid,
    )
    tx = profile(
        "TxProfile",
        schedule(
            unit, [(0, 8), (50, 11), (140, 16), (200, 6), (240, 12)], duration=260, start=began
        ),
        transactionId=session.transaction_id,
        **valid,
    )
    await set_profile(run, 0, maximum)
    await set_profile(run, 1, default)
    await set_profile(run, 1, tx)
    found = await composite(run, 1, 400, unit=unit)
    periods_are(run, found, began, [(0, 8), (50, 10), (200, 6), (240, 10)], unit)


@case("TC_K_42_CS")
async def composite_unit_not_supported(run: StationCaseV201) -> None:
    """GetCompositeSchedule in a unit the station does not take: Rejected, no schedule
    (K08.FR.07)."""
    await run.ready()
    taken = await units(run)
    other = [unit for unit in UNITS if unit not in taken]
    if not other:
        raise NotApplicable("the station takes schedules in A and in W")
    await composite(run, 0, 300, unit=other[0], expected="Rejected")


@case("TC_K_47_CS")
async def composite_unknown_evse(run: StationCaseV201) -> None:
    """GetCompositeSchedule of an EVSE the station does not have: Rejected, no schedule
    (K08.FR.05)."""
    await run.ready()
    await composite(run, len(run.evses()) + 1, 300, expected="Rejected")
