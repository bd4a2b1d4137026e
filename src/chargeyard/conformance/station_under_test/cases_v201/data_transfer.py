"""OCPP 2.0.1 charging-station cases of data transfer (block P: P01 a DataTransfer the
station does not know, and customData, the vendor extension every message may carry: in
SetVariables and in a charging profile)."""

from __future__ import annotations

from typing import cast

from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.exchanges import present
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.cases_v201.smart_charging import (
    profile,
    schedule,
    set_profile,
    unit_of,
)
from chargeyard.conformance.station_under_test.device_v201 import Var, result_for
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

# A vendor the station does not implement, as Part 6 names it, and a message id no one uses.
VENDOR = "org.openchargealliance.octt"
MESSAGE = "chargeyard-conformance-unused"
# customData: a vendorId and anything the vendor wants (every 2.0.1 type allows it:
# additionalProperties true), which a TypedDict cannot name, hence the cast.
CUSTOM = cast(
    "v201.CustomDataType",
    {"vendorId": VENDOR, "chargeyardCase": "custom data the station ignores"},
)


@case("TC_P_01_CS")
async def data_transfer_unknown(run: StationCaseV201) -> None:
    """DataTransfer of a vendor the station does not implement: UnknownVendorId,
    UnknownMessageId or Rejected (P01.FR.05, P01.FR.06; Part 6 allows Rejected too)."""
    await run.ready()
    run.step("DataTransfer of an unknown vendor and message id")
    await run.order(
        "DataTransfer",
        {"vendorId": VENDOR, "messageId": MESSAGE, "data": "chargeyard"},
        ("UnknownVendorId", "UnknownMessageId", "Rejected"),
        weight=Weight.SPEC,
    )


@case("TC_P_03_CS")
async def custom_data_received(run: StationCaseV201) -> None:
    """SetVariables of OCPPCommCtrlr.OfflineThreshold (200) carrying customData is Accepted,
    and GetVariables then reads 200 (Actual or the attributeType left out)."""
    await run.ready()
    var = Var("OCPPCommCtrlr", "OfflineThreshold")
    await run.keep(var)
    run.step("SetVariables OfflineThreshold 200, with customData: Accepted")
    # StationCase's call: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.call(
        run,
        "SetVariables",
        {
            "customData": CUSTOM,
            "setVariableData": [
                {
                    **var.wire(),
                    "attributeValue": "200",
                    "attributeType": "Actual",
                    "customData": CUSTOM,
                }
            ],
        },
    )
    result = result_for(answer.get("setVariableResult") or [], var)
    run.result_is(result, "attributeStatus", "Accepted", weight=Weight.INTEROP)
    run.step("GetVariables OfflineThreshold: Accepted, 200")
    results = await run.get_variables(var, attribute="Actual")
    found = result_for(results, var)
    run.result_is(found, "attributeStatus", "Accepted", weight=Weight.INTEROP)
    run.result_is(found, "attributeValue", "200", weight=Weight.INTEROP)
    attribute = present(found).get("attributeType", "Actual")
    run.log.check(
        "the result's attributeType is Actual or left out",
        attribute == "Actual",
        weight=Weight.SPEC,
        expected="Actual",
        observed=attribute,
    )


@case("TC_P_04_CS")
async def custom_data_in_profile(run: StationCaseV201) -> None:
    """A TxDefaultProfile whose profile and schedule period carry customData: Accepted (a
    station with smart charging; the case clears the profile when it ends)."""
    await run.ready()
    if await run.learnt(Var("SmartChargingCtrlr", "Available")) == "false":
        raise NotApplicable("the station has no smart charging")
    unit = await unit_of(run)
    charging = schedule(unit, [(0, 6)])
    charging["chargingSchedulePeriod"][0]["customData"] = CUSTOM
    await set_profile(run, 1, profile("TxDefaultProfile", charging, customData=CUSTOM))
