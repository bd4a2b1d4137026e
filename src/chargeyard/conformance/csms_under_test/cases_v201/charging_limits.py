"""OCPP 2.0.1 CSMS cases of block K, Smart Charging: the limits an external system (an energy
management system, EMS) sets on the station, which the station tells the CSMS (K12:
NotifyChargingLimit, and ChargingStationExternalConstraints in its profiles' report) and whose
release it tells too (K13: ClearedChargingLimit)."""

from __future__ import annotations

from typing import Any

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.csms_under_test.cases_v201.smart_charging import PROFILE_ID, profile
from chargeyard.conformance.verdicts import Weight

Payload = dict[str, Any]
SOURCE = "EMS"  # K12.FR.04: never CSO, which is the CSMS's own
EXTERNAL = "ChargingStationExternalConstraints"
REQUEST_ID = 6_201


async def _told(run: CsmsCaseV201, action: str, payload: Payload) -> None:
    """The station tells ``action``; the answer has an empty body (the response schema
    holds nothing else)."""
    # CsmsCaseBase's call, untyped: any action.
    answer = await CsmsCaseBase.call(run, action, payload)
    run.log.check(
        f"{action}Response has an empty body",
        not answer,
        weight=Weight.SPEC,
        expected={},
        observed=answer,
    )


@case("TC_K_48_CSMS")
async def external_limit_set(run: CsmsCaseV201) -> None:
    """K12.FR.02: an EMS limits the whole station, no transaction under way."""
    await run.booted()
    run.log.step(f"An {SOURCE} sets a limit: NotifyChargingLimit")
    await _told(run, "NotifyChargingLimit", {"chargingLimit": {"chargingLimitSource": SOURCE}})


@case("TC_K_50_CSMS")
async def external_limit_released(run: CsmsCaseV201) -> None:
    """K13.FR.02: the EMS's limit released, no transaction under way."""
    await run.booted()
    run.log.step(f"The {SOURCE} releases its limit: ClearedChargingLimit")
    await _told(run, "ClearedChargingLimit", {"chargingLimitSource": SOURCE})


@case("TC_K_51_CSMS")
async def external_limit_released_in_transaction(run: CsmsCaseV201) -> None:
    """K13.FR.02, K13.FR.03: the EMS's limit on EVSE 1 released while it charges, and the
    rate that changed with it (TransactionEvent ChargingRateChanged)."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    run.log.step(f"The {SOURCE} releases its limit: ClearedChargingLimit")
    await _told(run, "ClearedChargingLimit", {"chargingLimitSource": SOURCE, "evseId": 1})
    run.log.step("The charging rate changes: TransactionEvent (ChargingRateChanged)")
    await run.transaction_event("Updated", "ChargingRateChanged")


@case("TC_K_52_CSMS")
async def external_limit_in_report(run: CsmsCaseV201) -> None:
    """K09.FR.03, K12.FR.05: the profiles the CSMS asks for include the external limit, which
    the station reports with purpose ChargingStationExternalConstraints and its source."""
    await run.booted()
    call = await run.ordered(
        "GetChargingProfiles",
        {"requestId": REQUEST_ID, "chargingProfile": {"chargingLimitSource": [SOURCE]}},
        f"ask the station for the profiles an {SOURCE} set",
        {"status": "Accepted"},
    )
    request_id = call.payload.get("requestId")
    run.log.step(f"The station reports the {SOURCE}'s limit: ReportChargingProfiles")
    # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
    await CsmsCaseBase.call(
        run,
        "ReportChargingProfiles",
        {
            "requestId": request_id if isinstance(request_id, int) else REQUEST_ID,
            "chargingLimitSource": SOURCE,
            "evseId": 0,
            "chargingProfile": [profile(EXTERNAL, profile_id=PROFILE_ID + 50, stack_level=0)],
            "tbc": False,
        },
    )
