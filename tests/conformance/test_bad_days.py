"""The suite on a bad day: whatever the CSMS under test does — not there, refusing the
handshake, closing the socket mid-case, answering what is not JSON, not answering at all, or
written with another library and missing features — each case ends with a verdict and the
observed reason, and the run goes on to the next; nothing hangs (every step has a deadline)
and nothing crashes."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest
from ocpp.routing import on
from ocpp.v16 import ChargePoint as LibChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as LibChargePoint201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from chargeyard.conformance import ChargeyardTrigger, CsmsTarget, PromptTrigger, Verdict, run_csms
from chargeyard.conformance.csms_under_test.cases_v16 import CASES as WRITTEN
from chargeyard.conformance.csms_under_test.cases_v201 import CASES as WRITTEN_201
from chargeyard.conformance.reports import as_json, html_page, junit_xml
from chargeyard.protocol import V16, V201

Handler = Callable[[ServerConnection], Awaitable[None]]


@contextlib.asynccontextmanager
async def _served(
    handler: Handler, subprotocol: str = "ocpp1.6", **options: Any
) -> AsyncIterator[str]:
    async with serve(handler, "127.0.0.1", 0, subprotocols=[subprotocol], **options) as server:  # type: ignore[list-item]
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ocpp"


def _target(url: str, **options: Any) -> CsmsTarget:
    return CsmsTarget(url, "CP-1", V16, step_s=0.5, **options)


def _reason(result: Any) -> str:
    assert result.reason is not None
    return str(result.reason)


async def test_a_csms_that_is_not_there_fails_each_case_with_the_reason() -> None:
    run = await run_csms(_target("ws://127.0.0.1:9/ocpp"), ids=["TC_001_CSMS", "TC_088_CSMS"])
    assert [(r.info.id, r.conformance, r.compatibility) for r in run.results] == [
        ("TC_001_CSMS", Verdict.FAIL, Verdict.FAIL),
        ("TC_088_CSMS", Verdict.FAIL, Verdict.FAIL),
    ]
    assert _reason(run.results[0]).startswith("could not connect to ws://127.0.0.1:9/ocpp/CP-1")
    assert run.failed


async def test_a_refused_handshake_is_told_with_its_status() -> None:
    def refuse(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(404, "unknown station\n")

    async def never(websocket: ServerConnection) -> None:
        raise AssertionError("refused in the handshake")

    async with _served(never, process_request=refuse) as url:
        run = await run_csms(_target(url), ids=["TC_001_CSMS"])
    assert _reason(run.results[0]) == "the CSMS refused the WebSocket handshake with HTTP 404"


async def test_text_that_is_not_json_and_a_socket_closed_mid_case_end_their_cases() -> None:
    connections = itertools.count(1)

    async def rude(websocket: ServerConnection) -> None:
        first = next(connections) == 1
        frame = json.loads(await websocket.recv())
        now = datetime.now(UTC).isoformat()
        reply = {"status": "Accepted", "currentTime": now, "interval": 60}
        await websocket.send(json.dumps([3, frame[1], reply]))
        await websocket.recv()  # the first StatusNotification
        if first:
            await websocket.send("this is not JSON")
        await websocket.close(1011, "going away mid-case")

    async with _served(rude) as url:
        run = await run_csms(_target(url), ids=["TC_001_CSMS", "TC_088_CSMS"])
    assert [(r.conformance, _reason(r)) for r in run.results] == [
        (Verdict.FAIL, "the CSMS sent what is not an OCPP-J frame: message is not valid JSON"),
        (
            Verdict.FAIL,
            "the CSMS closed the connection (1011 (internal error) going away mid-case)",
        ),
    ]


# The silent and the prompted CSMS below are servers on the test's loop: the tests run on
# virtual time (tests/virtual_time.py), where the step's deadline passes as soon as nothing
# else is left to do.
@pytest.mark.virtual_time
async def test_a_csms_that_never_answers_meets_the_step_deadline() -> None:
    async def silent(websocket: ServerConnection) -> None:
        async for _ in websocket:
            pass

    async with _served(silent) as url:
        run = await run_csms(_target(url), ids=["TC_001_CSMS"])
    assert _reason(run.results[0]) == "no answer to BootNotification within 0.5 s"


@pytest.mark.virtual_time
async def test_nobody_at_the_prompt_makes_the_case_inconclusive() -> None:
    said: list[str] = []
    trigger = PromptTrigger(0.2, say=said.append, read_line=lambda: "")

    async def accepting(websocket: ServerConnection) -> None:
        async for text in websocket:
            frame = json.loads(text)
            now = datetime.now(UTC).isoformat()
            reply = {"status": "Accepted", "currentTime": now, "interval": 60}
            await websocket.send(
                json.dumps([3, frame[1], reply if frame[2] == "BootNotification" else {}])
            )

    async with _served(accepting) as url:
        target = CsmsTarget(url, "CP-1", V16, trigger=trigger, step_s=0.3)
        run = await run_csms(target, ids=["TC_013_CSMS"])
    [result] = run.results
    assert (result.conformance, result.compatibility) == (Verdict.INCONCLUSIVE,) * 2
    assert _reason(result) == "the CSMS did not reset the station (Hard) within 0.3 s"
    # The prompt names the action, the station and the payload as JSON a person can paste.
    assert said == [
        "\n>>> Make your CSMS reset the station (Hard).\n"
        "    It must send Reset to station CP-1 (OCPP 1.6) with:\n"
        '    {"type": "Hard"}\n'
        "    The suite waits up to 0.2 s for that CALL; nothing to press."
    ]
    assert not run.failed


async def test_an_api_trigger_that_is_not_there_makes_the_case_inconclusive() -> None:
    # The CSMS's own API sets up the case's id tags: unreachable, it did not act, which says
    # nothing of the CSMS's OCPP (and is told without a traceback).
    trigger = ChargeyardTrigger("http://127.0.0.1:9", "cy_key")
    try:
        run = await run_csms(_target("ws://127.0.0.1:9/ocpp", trigger=trigger), ids=["TC_059_CSMS"])
    finally:
        await trigger.close()
    [result] = run.results
    assert (result.conformance, result.compatibility) == (Verdict.INCONCLUSIVE,) * 2
    assert _reason(result).startswith(
        "could not reach chargeyard's API at http://127.0.0.1:9/api/v1/ to set id tag"
    )


# -- a CSMS written with the ocpp library --------------------------------------------------------


class LibCentralSystem(LibChargePoint16):  # type: ignore[misc]
    """A small CSMS of the `ocpp` library: boots, statuses, tags (all Accepted) and
    transactions; no DataTransfer handler, no way to make it act."""

    transaction_ids = itertools.count(1)

    @on(Action16.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot(self, **payload: Any) -> result16.BootNotification:
        now = datetime.now(UTC).isoformat()
        return result16.BootNotification(current_time=now, interval=60, status="Accepted")

    @on(Action16.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result16.Heartbeat:
        return result16.Heartbeat(current_time=datetime.now(UTC).isoformat())

    @on(Action16.status_notification)  # type: ignore[untyped-decorator]
    def on_status(self, **payload: Any) -> result16.StatusNotification:
        return result16.StatusNotification()


async def test_a_csms_of_the_ocpp_library_is_judged_and_the_run_completes() -> None:
    async def library(websocket: ServerConnection) -> None:
        await LibCentralSystem("CP-1", websocket).start()

    async with _served(library) as url:
        # Steps wait as long as a real run's would: the library's answers must not be late.
        run = await run_csms(CsmsTarget(url, "CP-1", V16, step_s=10.0))
    verdicts = {r.info.id: (r.conformance, r.compatibility) for r in run.results if r.ran}
    assert verdicts["TC_001_CSMS"] == (Verdict.PASS, Verdict.PASS)
    assert verdicts["TC_088_CSMS"] == (Verdict.PASS, Verdict.PASS)
    # No DataTransfer handler: the library answers NotImplemented, where a status is due.
    assert verdicts["TC_064_CSMS"] == (Verdict.FAIL, Verdict.FAIL)
    # Nothing makes it act, and no tags can be set up: inconclusive, not failed.
    assert verdicts["TC_010_CSMS"] == (Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE)
    assert verdicts["TC_023_1_CSMS"] == (Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE)
    assert len(verdicts) == len(WRITTEN)

    # The reports say the same.
    report = as_json(run)
    assert report["summary"]["conformance"]["pass"] >= 2
    suite = ElementTree.fromstring(junit_xml(run))
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert "TC_064_CSMS Data Transfer to a Central System" in failed
    assert suite.get("tests") == "77"
    page = html_page(run)
    assert "TC_064_CSMS" in page
    assert "CALLERROR NotImplemented" in page


class _RejectsDataTransfer(LibCentralSystem):
    """The library's CSMS with a DataTransfer handler that rejects every vendor."""

    @on(Action16.data_transfer)  # type: ignore[untyped-decorator]
    def on_data_transfer(self, **payload: Any) -> result16.DataTransfer:
        return result16.DataTransfer(status="Rejected")


async def test_tc_064_takes_a_data_transfer_of_an_unknown_vendor_answered_rejected() -> None:
    """The OCA's TC_064_CSMS takes Rejected, UnknownMessageId or UnknownVendorId (P02 alike)."""

    async def library(websocket: ServerConnection) -> None:
        await _RejectsDataTransfer("CP-1", websocket).start()

    async with _served(library) as url:
        run = await run_csms(CsmsTarget(url, "CP-1", V16, step_s=5.0), ids=["TC_064_CSMS"])
    [result] = run.results
    assert (result.conformance, result.compatibility) == (Verdict.PASS, Verdict.PASS), [
        check for step in result.steps for check in step.checks if not check.passed
    ]


class LibCsms201(LibChargePoint201):  # type: ignore[misc]
    """A small OCPP 2.0.1 CSMS of the `ocpp` library, as a newcomer writes one: boots,
    heartbeats, statuses, events, meter values, and every token Accepted; no DataTransfer
    handler, no Basic authentication, no way to make it act."""

    @on(Action201.boot_notification)  # type: ignore[untyped-decorator]
    def on_boot(self, **payload: Any) -> result201.BootNotification:
        now = datetime.now(UTC).isoformat()
        return result201.BootNotification(current_time=now, interval=60, status="Accepted")

    @on(Action201.heartbeat)  # type: ignore[untyped-decorator]
    def on_heartbeat(self, **payload: Any) -> result201.Heartbeat:
        return result201.Heartbeat(current_time=datetime.now(UTC).isoformat())

    @on(Action201.status_notification)  # type: ignore[untyped-decorator]
    def on_status(self, **payload: Any) -> result201.StatusNotification:
        return result201.StatusNotification()

    @on(Action201.notify_event)  # type: ignore[untyped-decorator]
    def on_notify_event(self, **payload: Any) -> result201.NotifyEvent:
        return result201.NotifyEvent()

    @on(Action201.authorize)  # type: ignore[untyped-decorator]
    def on_authorize(self, **payload: Any) -> result201.Authorize:
        return result201.Authorize(id_token_info={"status": "Accepted"})

    @on(Action201.transaction_event)  # type: ignore[untyped-decorator]
    def on_transaction_event(self, **payload: Any) -> result201.TransactionEvent:
        if "id_token" in payload:
            return result201.TransactionEvent(id_token_info={"status": "Accepted"})
        return result201.TransactionEvent()

    @on(Action201.meter_values)  # type: ignore[untyped-decorator]
    def on_meter_values(self, **payload: Any) -> result201.MeterValues:
        return result201.MeterValues()


async def test_a_201_csms_of_the_ocpp_library_is_judged_honestly_and_the_run_completes() -> None:
    async def library(websocket: ServerConnection) -> None:
        await LibCsms201("CP-201", websocket).start()

    async with _served(library, "ocpp2.0.1") as url:
        run = await run_csms(CsmsTarget(url, "CP-201", V201, step_s=2.0))
    results = {r.info.id: r for r in run.results if r.ran}
    assert set(results) == set(WRITTEN_201)

    def verdict(case_id: str) -> tuple[Verdict, Verdict, str | None]:
        result = results[case_id]
        return result.conformance, result.compatibility, result.reason

    # What it does, it passes: the boot, a station's events.
    assert verdict("TC_B_01_CSMS") == (Verdict.PASS, Verdict.PASS, None)
    assert verdict("TC_N_50_CSMS") == (Verdict.PASS, Verdict.PASS, None)
    # No DataTransfer handler: the library answers NotImplemented, where a status is due.
    assert verdict("TC_P_02_CSMS") == (
        Verdict.FAIL,
        Verdict.FAIL,
        "the CSMS answered DataTransfer with CALLERROR NotImplemented",
    )
    # Nothing makes it act, no tag can be set up, no password was given, and it accepts a
    # first boot: inconclusive, each saying why, not failed.
    inconclusive = (Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE)
    assert verdict("TC_B_20_CSMS") == (
        *inconclusive,
        "no trigger to make the CSMS reset the station (OnIdle)",
    )
    assert verdict("TC_C_02_CSMS") == (
        *inconclusive,
        "no trigger to make the CSMS know id tag CY-CONF-NONE as Invalid",
    )
    assert verdict("TC_A_01_CSMS") == (
        *inconclusive,
        "no --password given: the case needs the station's Basic password",
    )
    assert verdict("TC_B_02_CSMS")[:2] == inconclusive
    assert not any(
        str(result.reason).startswith("the suite met an error") for result in results.values()
    )
    assert run.failed
