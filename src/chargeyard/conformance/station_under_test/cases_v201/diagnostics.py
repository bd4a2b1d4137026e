"""OCPP 2.0.1 charging-station cases of diagnostics in the Core profile (block N): the
diagnostics and security logs uploaded (N01) or failing to, a second request cancelling the
first, LogStatusNotification on request while uploading (F06); customer information reported
and cleared (N09, N10). The suite takes the uploads over HTTP (``file_site.py``)."""

from __future__ import annotations

import datetime as dt
import itertools

from chargeyard import loop_clock
from chargeyard.conformance.exchanges import ReceivedView
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201
from chargeyard.conformance.station_under_test.cases_v201._registry import case, table
from chargeyard.conformance.station_under_test.cases_v201.authorization import (
    LOCAL_PRE_AUTHORIZE,
    quiet,
)
from chargeyard.conformance.station_under_test.cases_v201.firmware import site
from chargeyard.conformance.station_under_test.device_v201 import Var, id_token
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.messages import v201

_REQUESTS = itertools.count(3001)
SLOW = "slow"


async def get_log(
    run: StationCaseV201,
    log_type: str,
    folder: str = "uploads/",
    *,
    status: str = "Accepted",
    retries: int | None = None,
    retry_interval: int | None = None,
) -> int:
    """GetLog of ``log_type`` to ``folder`` of the file site, answered ``status`` with a
    filename (N01.FR.01); returns its requestId."""
    request_id = next(_REQUESTS)
    payload: dict[str, object] = {
        "requestId": request_id,
        "logType": log_type,
        "log": {"remoteLocation": site(run, folder)},
    }
    if retries is not None:
        payload["retries"] = retries
    if retry_interval is not None:
        payload["retryInterval"] = retry_interval
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.order(run, "GetLog", payload, status)
    run.log.check(
        "GetLog's answer names the file (N01.FR.01)",
        bool(answer.get("filename")),
        weight=Weight.SPEC,
        expected="a filename",
        observed=answer.get("filename"),
    )
    return request_id


async def log_status(
    run: StationCaseV201,
    status: str | tuple[str, ...],
    request_id: int | None,
    *,
    within: float | None = None,
) -> ReceivedView[v201.LogStatusNotificationRequest]:
    """The LogStatusNotification of ``status`` (one of them), with the request's id
    (N01.FR.07)."""
    wanted = (status,) if isinstance(status, str) else status
    item = await run.expect(
        "LogStatusNotification",
        where=lambda r: r.payload.get("status") in wanted,
        what=f"LogStatusNotification {' or '.join(wanted)}",
        within=within,
    )
    if request_id is not None:
        run.log.check(
            f"LogStatusNotification {item.payload.get('status')} names the GetLog's requestId"
            " (N01.FR.07)",
            item.payload.get("requestId") == request_id,
            weight=Weight.SPEC,
            expected=request_id,
            observed=item.payload.get("requestId"),
        )
    return item


async def _uploaded(run: StationCaseV201, log_type: str) -> None:
    """GetLog: Uploading, Uploaded (N01.FR.08, N01.FR.09); the file reached the site."""
    await run.ready()
    run.bench.files.uploads.clear()
    run.step(f"GetLog {log_type}: Accepted, Uploading, Uploaded")
    request_id = await get_log(run, log_type)
    await log_status(run, "Uploading", request_id)
    await log_status(run, "Uploaded", request_id)
    uploads = await run.bench.files.uploaded(run.step_s)
    run.log.check(
        "the log file reached the location given",
        bool(uploads),
        expected="an upload",
        observed=sorted(uploads) or "nothing",
    )


table(_uploaded)(
    {
        "TC_N_25_CS": ("DiagnosticsLog",),
        "TC_N_35_CS": ("SecurityLog",),
    },
)


@case("TC_N_26_CS")
async def diagnostics_log_upload_failed(run: StationCaseV201) -> None:
    """An upload refused: tried 1 + retries times, retryInterval apart, then UploadFailure
    (N01.FR.10)."""
    await run.ready()
    interval = 1
    run.step("GetLog to a location that refuses it, 3 retries a second apart: UploadFailure")
    request_id = await get_log(
        run, "DiagnosticsLog", "uploads-refused/", retries=3, retry_interval=interval
    )
    first = await log_status(run, "Uploading", request_id)
    failed = await log_status(
        run,
        ("UploadFailure", "BadMessage", "PermissionDenied", "NotSupportedOperation"),
        request_id,
        within=3 * interval + run.step_s,
    )
    run.log.check(
        "the upload is tried again retries times, retryInterval apart",
        failed.at - first.at >= 3 * interval * 0.9,
        weight=Weight.SPEC,
        expected=f">= {3 * interval} s",
        observed=f"{failed.at - first.at:.2f} s",
    )


@case("TC_N_34_CS")
async def log_rejected(run: StationCaseV201) -> None:
    """GetLog when no log information is available: Rejected (N01.FR.05). Part 6 leaves to
    the tester how a station comes to have none; here the request's window cannot hold any
    (its latestTimestamp an hour before its oldestTimestamp)."""
    await run.ready()
    oldest = loop_clock.now()
    latest = oldest - dt.timedelta(hours=1)
    run.step("GetLog of a window without log information: Rejected")
    await run.order(
        "GetLog",
        {
            "requestId": next(_REQUESTS),
            "logType": "DiagnosticsLog",
            "log": {
                "remoteLocation": site(run, "uploads/"),
                "oldestTimestamp": oldest.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "latestTimestamp": latest.isoformat(timespec="seconds").replace("+00:00", "Z"),
            },
        },
        "Rejected",
        weight=Weight.SPEC,
    )


async def _slow_uploads(run: StationCaseV201) -> str:
    run.bench.files.delays[SLOW] = 4 * quiet(run)

    async def fast() -> None:
        run.bench.files.delays.pop(SLOW, None)

    run.on_close("slow uploads", fast)
    return f"uploads/{SLOW}/"


@case("TC_N_36_CS")
async def log_upload_cancelled(run: StationCaseV201) -> None:
    """A second GetLog while the first uploads: AcceptedCanceled; the first ends
    AcceptedCanceled, the second is uploaded (N01.FR.11, N01.FR.12)."""
    await run.ready()
    run.step("GetLog to a slow location: Uploading")
    first = await get_log(run, "DiagnosticsLog", await _slow_uploads(run))
    await log_status(run, "Uploading", first)
    run.step("Another GetLog meanwhile: AcceptedCanceled, the first cancelled, this one uploaded")
    second = await get_log(run, "DiagnosticsLog", status="AcceptedCanceled")
    await log_status(run, "AcceptedCanceled", None)
    await log_status(run, "Uploading", second)
    await log_status(run, "Uploaded", second)


@case("TC_F_16_CS")
async def trigger_log_status_uploading(run: StationCaseV201) -> None:
    """TriggerMessage LogStatusNotification while a log uploads: Uploading (F06.FR.14)."""
    await run.ready()
    run.step("GetLog to a slow location: Uploading")
    request_id = await get_log(run, "DiagnosticsLog", await _slow_uploads(run))
    first = await log_status(run, "Uploading", request_id)
    run.step("TriggerMessage LogStatusNotification: Uploading again")
    await run.order("TriggerMessage", {"requestedMessage": "LogStatusNotification"}, "Accepted")
    await run.expect(
        "LogStatusNotification",
        where=lambda r: r is not first and r.payload.get("status") == "Uploading",
        what="LogStatusNotification Uploading, on request",
    )
    await log_status(run, "Uploaded", request_id, within=2 * run.step_s)


# -- N09 / N10 customer information -----------------------------------------------------------


async def customer_information(
    run: StationCaseV201, *, report: bool, clear: bool, tag: str | None = None, **reference: object
) -> list[str]:
    """CustomerInformation of ``tag`` (or another ``reference``): Accepted, then the parts of
    NotifyCustomerInformation (seqNo from 0, tbc on all but the last); returns their data."""
    request_id = next(_REQUESTS)
    payload: dict[str, object] = {"requestId": request_id, "report": report, "clear": clear}
    if tag is not None:
        payload["idToken"] = id_token(tag)
    payload.update(reference)
    words = " and ".join(w for w, on in (("report", report), ("clear", clear)) if on)
    run.step(f"CustomerInformation ({words}): Accepted, then NotifyCustomerInformation")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(run, "CustomerInformation", payload, "Accepted")
    parts: list[str] = []
    while True:
        part = await run.expect(
            "NotifyCustomerInformation",
            where=lambda r: r.payload.get("requestId") == request_id,
            what=f"NotifyCustomerInformation part {len(parts)}",
        )
        run.log.check(
            f"NotifyCustomerInformation part {len(parts)} has seqNo {len(parts)}",
            part.payload.get("seqNo") == len(parts),
            weight=Weight.SPEC,
            expected=len(parts),
            observed=part.payload.get("seqNo"),
        )
        parts.append(str(part.payload.get("data", "")))
        if not part.payload.get("tbc", False):
            return parts


async def _known_customer(run: StationCaseV201) -> str:
    """The local list, the cache and LocalPreAuthorize enabled; a session of the valid token
    leaves what the station keeps of it (Authorized, ParkingBayUnoccupied)."""
    for component in ("LocalAuthListCtrlr", "AuthCacheCtrlr"):
        await run.set_variable(Var(component, "Enabled"), "true")
    await run.set_variable(LOCAL_PRE_AUTHORIZE, "true")
    await run.ask("ClearCache", {})  # so that the token is asked, and cached
    tag = run.tags.valid
    await run.energy_transfer_started(tag=tag)
    await run.session_ends()
    return tag


@case("TC_N_27_CS")
async def customer_information_reported(run: StationCaseV201) -> None:
    """What the station keeps of a customer's token is reported (N09.FR.05)."""
    await run.ready()
    tag = await _known_customer(run)
    parts = await customer_information(run, report=True, clear=False, tag=tag)
    run.log.check(
        "the report has data",
        any(part.strip() for part in parts),
        expected="data",
        observed=parts,
    )


@case("TC_N_28_CS")
async def customer_information_none(run: StationCaseV201) -> None:
    """Nothing kept of the token (cleared first): a report saying so (N09.FR.06)."""
    await run.ready()
    tag = run.tags.valid
    await customer_information(run, report=False, clear=True, tag=tag)
    parts = await customer_information(run, report=True, clear=False, tag=tag)
    run.log.check("the report is one part", len(parts) == 1, expected=1, observed=len(parts))


@case("TC_N_30_CS")
async def customer_information_cleared_and_reported(run: StationCaseV201) -> None:
    """Report and clear: what was kept is reported (N10.FR.03); asked again, nothing is
    left (N10.FR.04)."""
    await run.ready()
    tag = await _known_customer(run)
    parts = await customer_information(run, report=True, clear=True, tag=tag)
    run.log.check(
        "the report has data", any(p.strip() for p in parts), expected="data", observed=parts
    )
    again = await customer_information(run, report=True, clear=False, tag=tag)
    run.log.check(
        "asked again, the report is one part", len(again) == 1, expected=1, observed=again
    )


@case("TC_N_31_CS")
async def customer_information_cleared_none(run: StationCaseV201) -> None:
    """Report and clear of a token the station keeps nothing of: a report saying so
    (N10.FR.04)."""
    await run.ready()
    tag = run.tags.valid
    await customer_information(run, report=False, clear=True, tag=tag)
    await customer_information(run, report=True, clear=True, tag=tag)


@case("TC_N_32_CS")
async def customer_information_cleared_unreported(run: StationCaseV201) -> None:
    """Clear without a report: one message saying what was cleared (N10.FR.06)."""
    await run.ready()
    await customer_information(run, report=False, clear=True, tag=run.tags.valid)
