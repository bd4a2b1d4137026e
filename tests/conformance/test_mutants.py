"""Mutation tests: chargeyard's CSMS with one small, real bug each (a mutant, made by replacing
one of its handlers or the way it sends a command), against the case that covers the bug. Each
mutant must fail its case, and the report must name the cause: a failed check whose rule or
observation says it. The clean CSMS passes the same cases (``test_csms_suite.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chargeyard.conformance import ChargeyardTrigger, CsmsTarget, Verdict, run_csms
from chargeyard.conformance.runner import CaseResult
from chargeyard.csms.commands import basic_password
from chargeyard.csms.handlers import CentralSystemHandlers
from chargeyard.csms.registry import Registry
from chargeyard.csms.server import CsmsSettings
from chargeyard.csms.v16 import CentralSystemV16
from chargeyard.protocol import V16, ErrorKind, OcppError
from tests.stack_lab import StackLab, stack_lab

pytestmark = pytest.mark.slow

Payload = dict[str, Any]
Handler = Callable[[Any, Payload], Awaitable[Payload]]
# validate=False: a mutant's answers go out as its handler wrote them, where chargeyard would
# catch an answer that breaks its schema and send InternalError instead (so would not every
# CSMS under test).
CSMS = CsmsSettings(port=0, heartbeat_interval=60, auto_register=True, validate=False)
STATION = "CY-MUTANT"
PASSWORD = "mutant-secret-16"


@dataclass(frozen=True)
class Mutant:
    """A bug: ``handlers`` replace methods of the 1.6 handlers (by name); ``sent`` rewrites a
    command the CSMS sends (action, payload) -> payload, or None to drop it; ``patched``
    replaces attributes elsewhere ((object, name) -> value). ``case`` must fail,
    ``compatible`` says whether its compatibility verdict still passes, and ``cause`` is in
    the report's failed check."""

    name: str
    case: str
    cause: str
    handlers: dict[str, Handler] | None = None
    sent: Callable[[str, Payload], Payload | None] | None = None
    patched: dict[tuple[object, str], object] | None = None
    compatible: bool = False


def answer_with(action: str, change: Callable[[Payload], Payload]) -> dict[str, Handler]:
    """The handler of ``action`` whose answer ``change`` rewrites."""
    original = getattr(CentralSystemV16, _method(action))

    async def mutated(self: Any, payload: Payload) -> Payload:
        return change(await original(self, payload))

    return {_method(action): mutated}


def refuse(action: str, kind: ErrorKind = ErrorKind.INTERNAL_ERROR) -> dict[str, Handler]:
    async def mutated(self: Any, payload: Payload) -> Payload:
        raise OcppError(kind, f"{action} refused by the mutant")

    return {_method(action): mutated}


def never_answer(action: str) -> dict[str, Handler]:
    async def mutated(self: Any, payload: Payload) -> Payload:
        await asyncio.Event().wait()
        return {}

    return {_method(action): mutated}


def _method(action: str) -> str:
    names = {**CentralSystemV16.handler_names(), **CentralSystemHandlers.handler_names()}
    return names[action]


def sending(
    action: str, change: Callable[[Payload], Payload | None]
) -> Callable[[str, Payload], Payload | None]:
    def rewrite(sent: str, payload: Payload) -> Payload | None:
        return change(payload) if sent == action else payload

    return rewrite


def _tag_info(status: str) -> Callable[[Payload], Payload]:
    return lambda answer: {**answer, "idTagInfo": {"status": status}}


def _without(field: str) -> Callable[[Payload], Payload]:
    return lambda answer: {k: v for k, v in answer.items() if k != field}


def _without_parent(answer: Payload) -> Payload:
    info = {k: v for k, v in answer["idTagInfo"].items() if k != "parentIdTag"}
    return {**answer, "idTagInfo": info}


async def _forgets_passwords(*args: object) -> None:
    return None


MUTANTS = (
    Mutant(
        "boot Rejected",
        "TC_001_CSMS",
        "the CSMS accepts the station's boot",
        answer_with("BootNotification", lambda a: {**a, "status": "Rejected"}),
    ),
    Mutant(
        "boot Pending",
        "TC_001_CSMS",
        "the CSMS accepts the station's boot",
        answer_with("BootNotification", lambda a: {**a, "status": "Pending"}),
    ),
    Mutant(
        "heartbeat interval 0",
        "TC_001_CSMS",
        "heartbeat interval above 0",
        answer_with("BootNotification", lambda a: {**a, "interval": 0}),
        compatible=True,
    ),
    Mutant(
        "boot time without a zone",
        "TC_001_CSMS",
        "current time with a zone",
        answer_with("BootNotification", lambda a: {**a, "currentTime": "2026-01-01T10:00:00"}),
        compatible=True,
    ),
    Mutant(
        "heartbeat without currentTime",
        "TC_001_CSMS",
        "tells the current time",
        answer_with("Heartbeat", _without("currentTime")),
    ),
    Mutant(
        "StatusNotification refused",
        "TC_001_CSMS",
        "answers StatusNotification with a CALLRESULT",
        refuse("StatusNotification"),
    ),
    Mutant(
        "StatusNotification never answered",
        "TC_001_CSMS",
        "no answer to StatusNotification",
        never_answer("StatusNotification"),
    ),
    Mutant(
        "unknown tag accepted",
        "TC_023_1_CSMS",
        "is answered Invalid",
        answer_with("Authorize", _tag_info("Accepted")),
    ),
    Mutant(
        "expiry ignored",
        "TC_023_2_CSMS",
        "is answered Expired",
        answer_with("Authorize", _tag_info("Accepted")),
    ),
    Mutant(
        "blocked tag accepted",
        "TC_023_3_CSMS",
        "is answered Blocked",
        answer_with("Authorize", _tag_info("Accepted")),
    ),
    Mutant(
        "valid tag refused",
        "TC_003_CSMS",
        "is answered Accepted",
        answer_with("Authorize", _tag_info("Invalid")),
    ),
    Mutant(
        "Authorize unimplemented",
        "TC_004_1_CSMS",
        "CALLERROR NotImplemented",
        refuse("Authorize", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "no transactionId",
        "TC_003_CSMS",
        "holds a transactionId",
        answer_with("StartTransaction", _without("transactionId")),
    ),
    Mutant(
        "start refused by idTagInfo",
        "TC_004_1_CSMS",
        "StartTransaction's idTagInfo is Accepted",
        answer_with("StartTransaction", _tag_info("Blocked")),
    ),
    Mutant(
        "StartTransaction refused",
        "TC_010_CSMS",
        "answers StartTransaction with a CALLRESULT",
        refuse("StartTransaction"),
    ),
    Mutant(
        "StopTransaction refused",
        "TC_003_CSMS",
        "answers StopTransaction with a CALLRESULT",
        refuse("StopTransaction"),
    ),
    Mutant(
        "stop answered Blocked",
        "TC_003_CSMS",
        "StopTransaction's idTagInfo is Accepted",
        answer_with("StopTransaction", _tag_info("Blocked")),
        compatible=True,
    ),
    Mutant(
        "MeterValues refused",
        "TC_005_1_CSMS",
        "answers MeterValues with a CALLRESULT",
        refuse("MeterValues", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "DataTransfer unimplemented",
        "TC_064_CSMS",
        "answers DataTransfer with a CALLRESULT",
        refuse("DataTransfer", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "unknown vendor Accepted",
        "TC_064_CSMS",
        "answered UnknownVendorId",
        answer_with("DataTransfer", lambda a: {"status": "Accepted"}),
        compatible=True,
    ),
    Mutant(
        "remote stop of another transaction",
        "TC_012_CSMS",
        "names the running transaction",
        sent=sending(
            "RemoteStopTransaction", lambda p: {**p, "transactionId": p["transactionId"] + 1}
        ),
    ),
    Mutant(
        "remote stop never sent",
        "TC_012_CSMS",
        "sent no RemoteStopTransaction",
        sent=sending("RemoteStopTransaction", lambda p: None),
    ),
    Mutant(
        "remote start for another tag",
        "TC_010_CSMS",
        "names the tag",
        sent=sending("RemoteStartTransaction", lambda p: {**p, "idTag": "SOMEONE-ELSE"}),
    ),
    Mutant(
        "remote start never sent",
        "TC_011_1_CSMS",
        "sent no RemoteStartTransaction",
        sent=sending("RemoteStartTransaction", lambda p: None),
    ),
    Mutant(
        "hard reset sent soft",
        "TC_013_CSMS",
        "Reset is of type Hard",
        sent=sending("Reset", lambda p: {**p, "type": "Soft"}),
    ),
    Mutant(
        "soft reset sent hard",
        "TC_014_CSMS",
        "Reset is of type Soft",
        sent=sending("Reset", lambda p: {**p, "type": "Hard"}),
    ),
    Mutant("reset dropped", "TC_013_CSMS", "sent no Reset", sent=sending("Reset", lambda p: None)),
    Mutant(
        "unlock of the next connector",
        "TC_017_1_CSMS",
        "names connector 1",
        sent=sending("UnlockConnector", lambda p: {**p, "connectorId": 2}),
    ),
    Mutant(
        "all keys asked as one",
        "TC_019_1_CSMS",
        "names no key",
        sent=sending("GetConfiguration", lambda p: {"key": ["HeartbeatInterval"]}),
    ),
    Mutant(
        "key asked for dropped",
        "TC_019_2_CSMS",
        "names the key asked for",
        sent=sending("GetConfiguration", lambda p: {}),
    ),
    Mutant(
        "configuration value mangled",
        "TC_021_CSMS",
        "names the key and value",
        sent=sending("ChangeConfiguration", lambda p: {**p, "value": p["value"] + "0"}),
    ),
    Mutant(
        "trigger of the wrong message",
        "TC_054_CSMS",
        "asks for StatusNotification",
        sent=sending("TriggerMessage", lambda p: {**p, "requestedMessage": "Heartbeat"}),
    ),
    Mutant(
        "offline start of an unknown tag accepted",
        "TC_037_3_CSMS",
        "is answered Invalid",
        answer_with("StartTransaction", _tag_info("Accepted")),
    ),
    Mutant(
        "parent id tag not told",
        "TC_053_CSMS",
        "names its parent id tag",
        answer_with("Authorize", _without_parent),
    ),
    Mutant(
        "reservation without its parent",
        "TC_053_CSMS",
        "ReserveNow names the connector, the tag, its parent",
        sent=sending("ReserveNow", _without("parentIdTag")),
    ),
    Mutant(
        "new AuthorizationKey forgotten",
        "TC_073_CSMS",
        "refused the WebSocket handshake with HTTP 401",
        patched={(basic_password, "keep_accepted_password"): _forgets_passwords},
    ),
    Mutant(
        "diagnostics log asked for",
        "TC_079_CSMS",
        "GetLog asks for the SecurityLog",
        sent=sending("GetLog", lambda p: {**p, "logType": "DiagnosticsLog"}),
    ),
    Mutant(
        "LogStatusNotification unimplemented",
        "TC_079_CSMS",
        "answers LogStatusNotification with a CALLRESULT",
        refuse("LogStatusNotification", ErrorKind.NOT_IMPLEMENTED),
    ),
)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, csms=CSMS, serve=True) as running:
        yield running


def _cause_named(result: CaseResult, cause: str) -> bool:
    return any(
        cause in f"{check.rule} {check.observed}"
        for step in result.steps
        for check in step.checks
        if not check.passed
    ) or cause in (result.reason or "")


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.name for mutant in MUTANTS])
async def test_each_mutant_fails_the_case_that_covers_it(
    lab: StackLab, mutant: Mutant, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, handler in (mutant.handlers or {}).items():
        monkeypatch.setattr(CentralSystemV16, name, handler)
    for (owner, name), value in (mutant.patched or {}).items():
        monkeypatch.setattr(owner, name, value)
    if mutant.sent is not None:
        rewrite, original = mutant.sent, Registry.call

        async def call(
            self: Registry,
            identity: str,
            action: str,
            payload: Payload,
            timeout: float | None = None,  # noqa: ASYNC109 - Registry.call's signature
        ) -> Payload:
            changed = rewrite(action, payload)
            if changed is None:  # the CSMS says it sent it, and did not
                return {"status": "Accepted"}
            return await original(self, identity, action, changed, timeout)

        monkeypatch.setattr(Registry, "call", call)
    await lab.store.stations.register(STATION, password=PASSWORD)
    trigger = ChargeyardTrigger(f"http://127.0.0.1:{lab.stack.api_port}", lab.key)
    try:
        target = CsmsTarget(
            lab.csms_url, STATION, V16, trigger=trigger, password=PASSWORD, step_s=2.0
        )
        [result] = (await run_csms(target, ids=[mutant.case])).results
    finally:
        await trigger.close()
    assert result.conformance is Verdict.FAIL, result
    expected = Verdict.PASS if mutant.compatible else Verdict.FAIL
    assert result.compatibility is expected, result
    assert _cause_named(result, mutant.cause), [
        (check.rule, check.observed) for step in result.steps for check in step.checks
    ]


def test_there_are_thirty_mutants_or_more() -> None:
    assert len(MUTANTS) >= 30
    assert len({mutant.name for mutant in MUTANTS}) == len(MUTANTS)
