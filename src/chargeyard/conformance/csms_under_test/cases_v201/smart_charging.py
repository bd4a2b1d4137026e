"""OCPP 2.0.1 CSMS cases of block K, Smart Charging: charging profiles set (K01), replaced,
refused by a station without smart charging or without a transaction for a TxProfile, cleared
(K10) and read back (K09), a remote start with a profile (K05) and the composite schedule
(K08). The limits an external system sets (K12, K13) are ``charging_limits.py``'s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Unpack

from chargeyard import loop_clock
from chargeyard.conformance.csms_under_test.case import CsmsCaseBase
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, id_token
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.optional_fields_v201 import ProfileFields
from chargeyard.protocol.frames import Call

Payload = dict[str, Any]
PROFILE_ID = 6_001
STACK_LEVEL = 1
DURATION_S = 300
REQUEST_ID = 6_101


def _time(seconds: int = 0) -> str:
    moment = loop_clock.now() + timedelta(seconds=seconds)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def profile(
    purpose: str = "TxDefaultProfile",
    *,
    profile_id: int = PROFILE_ID,
    stack_level: int = STACK_LEVEL,
    kind: str = "Absolute",
    limit: float = 16.0,
    **extra: Unpack[ProfileFields],
) -> Payload:
    """A ChargingProfileType of ``purpose``: ``limit`` A from now for DURATION_S (K01), one
    period starting at 0 (a schedule's periods in order of startPeriod, Part 6 section 3.1)."""
    schedule: Payload = {
        "id": profile_id,
        "chargingRateUnit": "A",
        "duration": DURATION_S,
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit, "numberPhases": 3}],
    }
    body: Payload = {
        "id": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": kind,
        "chargingSchedule": [schedule],
        **extra,
    }
    if kind == "Absolute":
        schedule["startSchedule"] = _time()
        body.setdefault("validFrom", _time())
        body.setdefault("validTo", _time(DURATION_S))
    return body


def _phase_rule(run: CsmsCaseV201, call: Call) -> None:
    """Part 6 section 3.1: phaseToUse only where numberPhases is 1."""
    charging = call.payload.get("chargingProfile", {})
    periods = [
        period
        for schedule in charging.get("chargingSchedule", [])
        for period in schedule.get("chargingSchedulePeriod", [])
    ]
    run.log.check(
        "no chargingSchedulePeriod sets phaseToUse unless numberPhases is 1",
        all("phaseToUse" not in p or p.get("numberPhases") == 1 for p in periods),
        expected="phaseToUse only with numberPhases 1",
        observed=periods,
    )
    starts = [period.get("startPeriod") for period in periods]
    run.log.check(
        "the schedule's periods are in order of startPeriod",
        starts == sorted(starts, key=lambda start: start if isinstance(start, int) else -1),
        expected="increasing startPeriod",
        observed=starts,
    )


async def _set_profile(
    run: CsmsCaseV201, evse: int, charging: Payload, answer: str = "Accepted"
) -> Call:
    """SetChargingProfile of ``charging`` on ``evse`` (0: the station, K01), answered
    ``answer``; the call must name the EVSE, purpose, kind and stack level asked."""
    purpose = charging["chargingProfilePurpose"]
    call = await run.ordered(
        "SetChargingProfile",
        {"evseId": evse, "chargingProfile": charging},
        f"set a {purpose} (id {charging['id']}, stack level {charging['stackLevel']}) on"
        f" EVSE {evse}",
        {"status": answer},
    )
    run.field_is(call, "evseId", evse)
    for name in ("chargingProfilePurpose", "chargingProfileKind", "stackLevel"):
        run.field_is(call, f"chargingProfile.{name}", charging[name])
    _phase_rule(run, call)
    return call


@case("TC_K_01_CSMS")
async def tx_default_on_evse(run: CsmsCaseV201) -> None:
    """K01.FR.31: a TxDefaultProfile on EVSE 1."""
    await run.booted()
    await _set_profile(run, 1, profile())


@case("TC_K_10_CSMS")
async def tx_default_on_all(run: CsmsCaseV201) -> None:
    """K01.FR.31: a TxDefaultProfile for every EVSE (evseId 0)."""
    await run.booted()
    await _set_profile(run, 0, profile())


@case("TC_K_03_CSMS")
async def station_max(run: CsmsCaseV201) -> None:
    """K01.FR.31, K01.FR.38: a ChargingStationMaxProfile, on evseId 0."""
    await run.booted()
    await _set_profile(run, 0, profile("ChargingStationMaxProfile", limit=8.0))


@case("TC_K_19_CSMS")
async def recurring(run: CsmsCaseV201) -> None:
    """K01: a Recurring TxDefaultProfile (daily)."""
    await run.booted()
    charging = profile(kind="Recurring", recurrencyKind="Daily")
    charging["chargingSchedule"][0]["startSchedule"] = _time()
    call = await _set_profile(run, 1, charging)
    run.field_is(call, "chargingProfile.recurrencyKind", "Daily")


@case("TC_K_04_CSMS")
async def replace_profile(run: CsmsCaseV201) -> None:
    """K01: a profile with the id of one set before replaces it (8 A, then 6 A)."""
    await run.booted()
    first = await _set_profile(run, 1, profile(limit=8.0))
    second = await _set_profile(run, 1, profile(limit=6.0))
    run.log.check(
        "the replacing profile has the id of the one it replaces",
        first.payload.get("chargingProfile", {}).get("id")
        == second.payload.get("chargingProfile", {}).get("id"),
        expected=first.payload.get("chargingProfile", {}).get("id"),
        observed=second.payload.get("chargingProfile", {}).get("id"),
    )


@case("TC_K_70_CSMS")
async def multiple_profiles(run: CsmsCaseV201) -> None:
    """K01: two profiles at two stack levels, each its own id."""
    await run.booted()
    first = await _set_profile(run, 1, profile(stack_level=1))
    second = await _set_profile(run, 1, profile(profile_id=PROFILE_ID + 1, stack_level=2))
    ids = [call.payload.get("chargingProfile", {}).get("id") for call in (first, second)]
    run.log.check(
        "the two profiles have different ids",
        ids[0] != ids[1],
        expected="two ids",
        observed=ids,
    )


@case("TC_K_15_CSMS")
async def profile_not_supported(run: CsmsCaseV201) -> None:
    """A station without smart charging answers SetChargingProfile with CALLERROR
    NotSupported (K01; OCPP 2.0.1 part 4 section 4.2.3): the CSMS sends an Absolute
    TxDefaultProfile of 6 A as asked, takes the error, and the connection goes on."""
    await run.booted()
    charging = profile(limit=6.0)
    call = await run.ordered(
        "SetChargingProfile",
        {"evseId": 1, "chargingProfile": charging},
        f"set a TxDefaultProfile of 6 A (id {charging['id']}) on EVSE 1",
    )
    run.field_is(call, "evseId", 1)
    for name in ("chargingProfilePurpose", "chargingProfileKind", "stackLevel"):
        run.field_is(call, f"chargingProfile.{name}", charging[name])
    sent = call.payload.get("chargingProfile", {})
    schedules = sent.get("chargingSchedule") or [{}]
    schedule = schedules[0]
    bounded = [name for name in ("validFrom", "validTo") if name in sent]
    bounded += [name for name in ("startSchedule", "duration") if name in schedule]
    run.log.check(
        "the profile has validFrom, validTo, and a schedule with startSchedule and duration",
        len(bounded) == 4,
        expected=["validFrom", "validTo", "startSchedule", "duration"],
        observed=bounded,
    )
    first = (schedule.get("chargingSchedulePeriod") or [{}])[0]
    wanted = {"A": 6.0, "W": 6000.0}.get(schedule.get("chargingRateUnit", ""))
    run.log.check(
        "the schedule's first period starts at 0 with a limit of 6 A (6000 W) on its phases",
        first.get("startPeriod") == 0 and first.get("limit") == wanted and "numberPhases" in first,
        expected={"startPeriod": 0, "limit": "6.0 A or 6000.0 W", "numberPhases": "set"},
        observed=first,
    )
    run.log.step("The station does not support smart charging: CALLERROR NotSupported")
    await run.peer.refuse(call, "NotSupported", "SetChargingProfile is not supported")
    run.log.step("The connection stays usable: Heartbeat")
    await run.call("Heartbeat", {})


@case("TC_K_02_CSMS")
async def tx_profile_without_transaction(run: CsmsCaseV201) -> None:
    """K01: a Relative TxProfile of 7 A (7000 W) on an EVSE without a transaction, which the
    station refuses (K01.FR.09: Rejected), for a CSMS that sends one then (K01.FR.31: the
    first period starts at 0; K01.FR.49: numberPhases 3 when absent)."""
    await run.booted()
    call = await _set_profile(
        run, 1, profile("TxProfile", kind="Relative", limit=7.0), answer="Rejected"
    )
    schedule = (call.payload.get("chargingProfile", {}).get("chargingSchedule") or [{}])[0]
    first = (schedule.get("chargingSchedulePeriod") or [{}])[0]
    wanted = {"A": 7.0, "W": 7000.0}.get(schedule.get("chargingRateUnit", ""))
    run.log.check(
        "the schedule's first period starts at 0 with a limit of 7 A (7000 W)",
        first.get("startPeriod") == 0 and first.get("limit") == wanted,
        expected={"startPeriod": 0, "limit": "7.0 A or 7000.0 W"},
        observed=first,
    )
    run.log.check(
        "the period's numberPhases is 3 or absent (3 is the default)",
        first.get("numberPhases", 3) == 3,
        expected="3 or absent",
        observed=first.get("numberPhases"),
    )


@case("TC_K_60_CSMS")
async def tx_profile_in_transaction(run: CsmsCaseV201) -> None:
    """K01.FR.03, K01.FR.31: a TxProfile names the transaction under way on the EVSE."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    transaction_id = run.transaction().id
    call = await _set_profile(run, 1, profile("TxProfile", transactionId=transaction_id))
    run.field_is(call, "chargingProfile.transactionId", transaction_id)


async def _clear(run: CsmsCaseV201, payload: Payload, words: str, answer: str) -> Call:
    """ClearChargingProfile (K10) of ``payload``, answered ``answer``."""
    return await run.ordered("ClearChargingProfile", payload, words, {"status": answer})


@case("TC_K_05_CSMS")
async def clear_by_id(run: CsmsCaseV201) -> None:
    """K10.FR.02: by chargingProfileId, no criteria."""
    await run.booted()
    await _set_profile(run, 1, profile())
    call = await _clear(
        run, {"chargingProfileId": PROFILE_ID}, f"clear charging profile {PROFILE_ID}", "Accepted"
    )
    run.field_is(call, "chargingProfileId", PROFILE_ID)
    run.field_is(call, "chargingProfileCriteria", None)


CRITERIA = {"evseId": 1, "chargingProfilePurpose": "TxDefaultProfile", "stackLevel": STACK_LEVEL}


async def _clear_by_criteria(run: CsmsCaseV201, answer: str) -> None:
    call = await _clear(
        run,
        {"chargingProfileCriteria": CRITERIA},
        f"clear EVSE 1's TxDefaultProfile of stack level {STACK_LEVEL}",
        answer,
    )
    for name, value in CRITERIA.items():
        run.field_is(call, f"chargingProfileCriteria.{name}", value)


@case("TC_K_06_CSMS")
async def clear_by_criteria(run: CsmsCaseV201) -> None:
    """K10.FR.02: by purpose, stack level and EVSE."""
    await run.booted()
    await _set_profile(run, 1, profile())
    await _clear_by_criteria(run, "Accepted")


@case("TC_K_08_CSMS")
async def clear_nothing(run: CsmsCaseV201) -> None:
    """K10: no such profile on the station: Unknown."""
    await run.booted()
    await _clear_by_criteria(run, "Unknown")


async def _get_profiles(run: CsmsCaseV201, payload: Payload, words: str) -> None:
    """GetChargingProfiles (K09) of ``payload``, Accepted, then the profiles in
    ReportChargingProfiles (one per EVSE reported) with its requestId (K09.FR.03)."""
    request: Payload = {"requestId": REQUEST_ID, "chargingProfile": {}, **payload}
    call = await run.ordered(
        "GetChargingProfiles", request, f"ask the station for {words}", {"status": "Accepted"}
    )
    for name, value in payload.items():
        if name == "chargingProfile":
            for criterion, wanted in value.items():
                run.field_is(call, f"chargingProfile.{criterion}", wanted)
        else:
            run.field_is(call, name, value)
    request_id = call.payload.get("requestId", REQUEST_ID)
    evses = [payload["evseId"]] if "evseId" in payload else list(run.evses)
    run.log.step("The station reports its profiles: ReportChargingProfiles")
    for n, evse in enumerate(evses):
        # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
        await CsmsCaseBase.call(
            run,
            "ReportChargingProfiles",
            {
                "requestId": request_id if isinstance(request_id, int) else REQUEST_ID,
                "chargingLimitSource": "CSO",
                "evseId": evse,
                "chargingProfile": [profile()],
                "tbc": n < len(evses) - 1,
            },
        )


@case("TC_K_29_CSMS")
async def profiles_of_station(run: CsmsCaseV201) -> None:
    """K09.FR.03: evseId 0, of a purpose, during a transaction."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    await _get_profiles(
        run,
        {"evseId": 0, "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"}},
        "its station-wide TxDefaultProfiles",
    )


@case("TC_K_30_CSMS")
async def profiles_of_evse(run: CsmsCaseV201) -> None:
    """K09.FR.03."""
    await run.booted()
    await _get_profiles(run, {"evseId": 1}, "EVSE 1's profiles")


@case("TC_K_31_CSMS")
async def profiles_of_every_evse(run: CsmsCaseV201) -> None:
    """K09.FR.03: no evseId, every EVSE's, in parts (tbc)."""
    await run.booted()
    await _get_profiles(run, {}, "every EVSE's profiles")


@case("TC_K_32_CSMS")
async def profile_by_id(run: CsmsCaseV201) -> None:
    """K09.FR.03."""
    await run.booted()
    await _get_profiles(
        run, {"chargingProfile": {"chargingProfileId": [PROFILE_ID]}}, f"profile {PROFILE_ID}"
    )


@case("TC_K_33_CSMS")
async def profiles_by_stack_level(run: CsmsCaseV201) -> None:
    """K09.FR.03."""
    await run.booted()
    await _get_profiles(
        run,
        {"evseId": 1, "chargingProfile": {"stackLevel": STACK_LEVEL}},
        f"EVSE 1's profiles of stack level {STACK_LEVEL}",
    )


@case("TC_K_34_CSMS")
async def profiles_by_source(run: CsmsCaseV201) -> None:
    """K09.FR.03."""
    await run.booted()
    await _get_profiles(
        run,
        {"evseId": 1, "chargingProfile": {"chargingLimitSource": ["CSO"]}},
        "EVSE 1's profiles set by the CSO",
    )


@case("TC_K_35_CSMS")
async def profiles_by_purpose(run: CsmsCaseV201) -> None:
    """K09.FR.03."""
    await run.booted()
    await _get_profiles(
        run,
        {"evseId": 1, "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"}},
        "EVSE 1's TxDefaultProfiles",
    )


@case("TC_K_36_CSMS")
async def profiles_by_purpose_and_level(run: CsmsCaseV201) -> None:
    """K09.FR.03."""
    await run.booted()
    await _get_profiles(
        run,
        {
            "evseId": 1,
            "chargingProfile": {
                "chargingProfilePurpose": "TxDefaultProfile",
                "stackLevel": STACK_LEVEL,
            },
        },
        f"EVSE 1's TxDefaultProfiles of stack level {STACK_LEVEL}",
    )


@case("TC_K_37_CSMS")
async def remote_start_with_profile(run: CsmsCaseV201) -> None:
    """A remote start with a Relative TxProfile, no transactionId yet (K05.FR.02,
    F01.FR.08, F01.FR.09, F01.FR.11)."""
    tag = await run.tag("Accepted")
    await run.booted()
    charging = profile("TxProfile", kind="Relative")
    call = await run.ordered(
        "RequestStartTransaction",
        {
            "idToken": id_token(tag),
            "remoteStartId": 2_002,
            "evseId": 1,
            "chargingProfile": charging,
        },
        f"start a transaction remotely on EVSE 1 for {tag} with a TxProfile",
        {"status": "Accepted"},
    )
    run.field_is(call, "idToken.idToken", tag)
    run.field_is(call, "chargingProfile.chargingProfilePurpose", "TxProfile")
    run.field_is(call, "chargingProfile.chargingProfileKind", "Relative")
    run.field_is(call, "chargingProfile.transactionId", None)
    remote_start_id = call.payload.get("remoteStartId", 2_002)
    await run.transaction_event(
        "Started", "RemoteStart", tag=tag, transaction_info={"remoteStartId": remote_start_id}
    )


async def _composite(run: CsmsCaseV201, evse: int) -> None:
    """GetCompositeSchedule (K08.FR.01) of ``evse`` for DURATION_S in A, answered with a
    10 A schedule."""
    await run.booted()
    call = await run.ordered(
        "GetCompositeSchedule",
        {"evseId": evse, "duration": DURATION_S, "chargingRateUnit": "A"},
        f"ask EVSE {evse}'s composite schedule for {DURATION_S} s",
        {
            "status": "Accepted",
            "schedule": {
                "evseId": evse,
                "duration": DURATION_S,
                "scheduleStart": _time(),
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.0}],
            },
        },
    )
    run.field_is(call, "evseId", evse)
    run.field_is(call, "duration", DURATION_S)


table(_composite)(
    {
        "TC_K_43_CSMS": Doc("K08.FR.01.", 1),
        "TC_K_44_CSMS": Doc("K08.FR.01: evseId 0, the whole station.", 0),
    },
)
