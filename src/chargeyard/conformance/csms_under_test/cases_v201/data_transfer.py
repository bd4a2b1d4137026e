"""OCPP 2.0.1 CSMS cases of block P, DataTransfer (P02), and customData, which every message
may carry."""

from __future__ import annotations

from typing import cast

from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import case
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

# CustomDataType admits a vendor's own fields beside vendorId (additionalProperties: true in
# the 2.0.1 schemas), which a TypedDict cannot name: the one cast of this module.
CUSTOM_DATA = cast(
    "v201.CustomDataType", {"vendorId": "org.chargeyard.conformance", "note": "custom"}
)


@case("TC_P_02_CSMS")
async def data_transfer_unknown(run: CsmsCaseV201) -> None:
    """A DataTransfer of a vendor or message the CSMS does not know: UnknownVendorId,
    UnknownMessageId or Rejected (P02.FR.06, P02.FR.07)."""
    await run.booted()
    run.log.step("The station sends a DataTransfer of an unknown vendor")
    answer = await run.call(
        "DataTransfer", {"vendorId": "org.chargeyard.conformance", "messageId": "Probe"}
    )
    run.log.check(
        "DataTransfer of an unknown vendor is answered UnknownVendorId, UnknownMessageId or"
        " Rejected",
        answer.get("status") in ("UnknownVendorId", "UnknownMessageId", "Rejected"),
        weight=Weight.SPEC,
        expected="UnknownVendorId or UnknownMessageId or Rejected",
        observed=answer.get("status"),
    )


@case("TC_P_03_CSMS")
async def custom_data(run: CsmsCaseV201) -> None:
    """customData (CustomDataType: a vendorId and any other fields) in a message and in one
    of its objects: the CSMS answers as without it."""
    await run.booted()
    run.log.step("StatusNotification with customData")
    await run.status("Available", customData=CUSTOM_DATA)
    run.log.step("TransactionEvent with customData, in the message and its transactionInfo")
    await run.transaction_event(
        "Started",
        "CablePluggedIn",
        charging_state="EVConnected",
        customData=CUSTOM_DATA,
        transaction_info={"customData": CUSTOM_DATA},
    )
