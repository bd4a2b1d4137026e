"""OCPP 2.0.1 CSMS cases of block N, Diagnostics: log files uploaded on request (N01) and
customer information reported or cleared (N09, N10), with the local list that held the
customer's tag updated."""

from __future__ import annotations

from typing import Any

from chargeyard.conformance.csms_under_test.case import now
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201, id_token
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
UPLOAD = "https://logs.example/upload"
REQUEST_ID = 4_001


async def _get_log(run: CsmsCaseV201, log_type: str, answer: str, request_id: int) -> int:
    """GetLog of ``log_type`` to UPLOAD (N01), answered ``answer``; returns its requestId."""
    call = await run.ordered(
        "GetLog",
        {"logType": log_type, "requestId": request_id, "log": {"remoteLocation": UPLOAD}},
        f"ask the station to upload its {log_type} to {UPLOAD}",
        {"status": answer, "filename": "chargeyard.log"}
        if answer != "Rejected"
        else {"status": answer},
    )
    run.field_is(call, "logType", log_type)
    sent = call.payload.get("requestId")
    return sent if isinstance(sent, int) else request_id


async def _log_statuses(
    run: CsmsCaseV201, request_id: int, statuses: list[v201.UploadLogStatusEnumType]
) -> None:
    run.log.step(f"The station reports the upload: {', '.join(statuses)}")
    for status in statuses:
        await run.call("LogStatusNotification", {"status": status, "requestId": request_id})


async def _uploaded(run: CsmsCaseV201, log_type: str) -> None:
    await run.booted()
    request_id = await _get_log(run, log_type, "Accepted", REQUEST_ID)
    await _log_statuses(run, request_id, ["Uploading", "Uploaded"])


table(_uploaded)(
    {
        "TC_N_25_CSMS": Doc("GetLog of the DiagnosticsLog, uploaded (N01).", "DiagnosticsLog"),
        "TC_N_35_CSMS": Doc("GetLog of the SecurityLog, uploaded (N01).", "SecurityLog"),
    },
)


@case("TC_N_34_CSMS")
async def log_rejected(run: CsmsCaseV201) -> None:
    """GetLog answered Rejected; the CSMS takes it (N01)."""
    await run.booted()
    await _get_log(run, "DiagnosticsLog", "Rejected", REQUEST_ID)


@case("TC_N_36_CSMS")
async def log_second_request(run: CsmsCaseV201) -> None:
    """A second GetLog during an upload cancels it (AcceptedCanceled), and is uploaded (N01)."""
    await run.booted()
    first = await _get_log(run, "DiagnosticsLog", "Accepted", REQUEST_ID)
    await _log_statuses(run, first, ["Uploading"])
    second = await _get_log(run, "DiagnosticsLog", "AcceptedCanceled", REQUEST_ID + 1)
    await _log_statuses(run, first, ["AcceptedCanceled"])
    await _log_statuses(run, second, ["Uploading", "Uploaded"])


async def _customer_information(
    run: CsmsCaseV201,
    report: bool,
    clear: bool,
    answer: str = "Accepted",
    data: str | None = None,
    identifier: str | None = None,
) -> None:
    """CustomerInformation of the valid tag's driver (N09, N10), or of ``identifier`` (a
    customerIdentifier); what the station holds of the driver comes back in
    NotifyCustomerInformation (``data``; empty: nothing held)."""
    tag = await run.tag("Accepted")
    await run.booted()
    payload: Payload = {"requestId": REQUEST_ID, "report": report, "clear": clear}
    who = f"the driver of {tag}"
    if identifier is None:
        payload["idToken"] = id_token(tag)
    else:
        payload["customerIdentifier"] = identifier
        who = f"customer {identifier}"
    doing = " and ".join(word for word, wanted in (("report", report), ("clear", clear)) if wanted)
    call = await run.ordered(
        "CustomerInformation",
        payload,
        f"{doing} what the station holds of {who}",
        {"status": answer},
    )
    run.field_is(call, "report", report)
    run.field_is(call, "clear", clear)
    if identifier is None:
        run.field_is(call, "idToken.idToken", tag)
    else:
        run.field_is(call, "customerIdentifier", identifier)
    if answer != "Accepted":
        return
    request_id = call.payload.get("requestId", REQUEST_ID)
    run.log.step("The station sends what it holds: NotifyCustomerInformation")
    await run.call(
        "NotifyCustomerInformation",
        {
            "data": data if data is not None else "",
            "seqNo": 0,
            "generatedAt": now(),
            "requestId": request_id if isinstance(request_id, int) else REQUEST_ID,
            "tbc": False,
        },
    )


DRIVER_DATA = "idToken CY-CONF-OK: 2 sessions, last on EVSE 1"


table(_customer_information)(
    {
        "TC_N_27_CSMS": Doc("N09.FR.01, N09.FR.04.", True, False, "Accepted", DRIVER_DATA, None),
        "TC_N_28_CSMS": Doc("N09.FR.01, N09.FR.04.", True, False, "Accepted", None, None),
        "TC_N_29_CSMS": Doc(
            "N09.FR.01, N09.FR.04: answered Rejected.", True, False, "Rejected", None, None
        ),
        "TC_N_30_CSMS": Doc("N10.FR.08.", True, True, "Accepted", DRIVER_DATA, None),
        "TC_N_31_CSMS": Doc("N10.FR.08.", True, True, "Accepted", None, None),
        "TC_N_32_CSMS": Doc(
            "N10.FR.08: cleared, nothing reported (the station still says so).",
            False,
            True,
            "Accepted",
            None,
            None,
        ),
        "TC_N_62_CSMS": Doc(
            "N10: cleared and reported by customerIdentifier.",
            True,
            True,
            "Accepted",
            DRIVER_DATA,
            "CY-CUSTOMER-1",
        ),
    },
)


LIST_VERSION = 7


@case("TC_N_46_CSMS")
async def clear_customer_in_local_list(run: CsmsCaseV201) -> None:
    """The customer's information cleared (N10.FR.08) while the station's local list holds
    their tag: the CSMS updates the list (N10.FR.02: a station clears all but the list, which
    only the CSMS changes), as a newer Differential version that names the tag (D01.FR.01,
    D01.FR.18, D01.FR.19)."""
    tag = await run.tag("Accepted")
    await run.booted()
    run.log.step(f"Before: the station's local list, version {LIST_VERSION}, holds {tag}")
    listed = await run.ordered(
        "SendLocalList",
        {
            "versionNumber": LIST_VERSION,
            "updateType": "Full",
            "localAuthorizationList": [
                {"idToken": id_token(tag), "idTokenInfo": {"status": "Accepted"}}
            ],
        },
        f"send the station a Full local list, version {LIST_VERSION}, with {tag}",
        {"status": "Accepted"},
    )
    version = listed.payload.get("versionNumber")
    version = version if isinstance(version, int) else LIST_VERSION
    run.peer.default_answers["GetLocalListVersion"] = {"versionNumber": version}
    call = await run.ordered(
        "CustomerInformation",
        {"requestId": REQUEST_ID, "report": True, "clear": True, "idToken": id_token(tag)},
        f"clear and report what the station holds of the driver of {tag}",
        {"status": "Accepted"},
    )
    run.field_is(call, "report", True)
    run.field_is(call, "clear", True)
    run.field_is(call, "idToken.idToken", tag)
    request_id = call.payload.get("requestId", REQUEST_ID)
    run.log.step("The station sends what it cleared: NotifyCustomerInformation")
    await run.call(
        "NotifyCustomerInformation",
        {
            "data": DRIVER_DATA,
            "seqNo": 0,
            "generatedAt": now(),
            "requestId": request_id if isinstance(request_id, int) else REQUEST_ID,
            "tbc": False,
        },
    )
    update = await run.ordered(
        "SendLocalList",
        {
            "versionNumber": version + 1,
            "updateType": "Differential",
            "localAuthorizationList": [{"idToken": id_token(tag)}],
        },
        f"remove {tag} from the station's local list (Differential, version {version + 1})",
        {"status": "Accepted"},
    )
    run.field_is(update, "updateType", "Differential")
    sent = update.payload.get("versionNumber")
    run.log.check(
        f"SendLocalList's versionNumber is above the station's {version}",
        isinstance(sent, int) and sent > version,
        expected=f"> {version}",
        observed=sent,
    )
    entries = update.payload.get("localAuthorizationList") or []
    run.log.check(
        f"SendLocalList's list is not empty and names {tag}",
        any(entry.get("idToken", {}).get("idToken") == tag for entry in entries),
        expected=f"an entry of {tag}",
        observed=entries,
    )
