"""OCPP 2.0.1 charging-station cases of charging profiles cleared and reported (block K: K10
ClearChargingProfile, K09 GetChargingProfiles, K08 GetCompositeSchedule). The profiles, and how
each case leaves the station as it found it, are ``smart_charging.py``'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.smart_charging import (
    PERIODS,
    PROFILE_IDS,
    SIGNIFICANCE,
    STACK_LEVELS,
    UNITS,
    Payload,
    composite,
    first_limit,
    is_reported,
    limit,
    now,
    only,
    periods_are,
    profile,
    reported,
    schedule,
    set_profile,
    station_max,
    tx_default,
    unit_of,
    units,
    wire_time,
)
from chargeyard.conformance.verdicts import Weight

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
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(
        run, "ClearChargingProfile", {"chargingProfileCriteria": criteria}, "Accepted"
    )
    await reported(run, criteria, expected="NoProfiles")
    run.forget(f"charging profile {sent['id']}")


@case("TC_K_07_CS")
async def clear_unknown_criteria(run: StationCaseV201) -> None:
    """ClearChargingProfile of criteria no profile meets: Unknown (K10.FR.01)."""
    await run.ready()
    await tx_default(run, 1, stack_level=1)
    criteria = {"chargingProfilePurpose": "ChargingStationMaxProfile", "stackLevel": 0}
    run.step("ClearChargingProfile of ChargingStationMaxProfile, stack level 0: Unknown")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(
        run, "ClearChargingProfile", {"chargingProfileCriteria": criteria}, "Unknown"
    )


@case("TC_K_08_CS")
async def clear_nothing(run: StationCaseV201) -> None:
    """ClearChargingProfile of an id no profile has: Unknown (K10.FR.01)."""
    await run.ready()
    run.step("ClearChargingProfile of an unknown id: Unknown")
    await run.order("ClearChargingProfile", {"chargingProfileId": next(PROFILE_IDS)}, "Unknown")


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
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(
        run, "ClearChargingProfile", {"chargingProfileCriteria": criteria}, "Accepted"
    )
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
        transactionId=session.known_transaction,
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
