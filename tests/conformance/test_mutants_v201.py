"""Mutation tests of the OCPP 2.0.1 CSMS cases: chargeyard's CSMS with one small, real bug each
in how it answers a 2.0.1 station or what it sends one (as ``test_mutants.py`` does for 1.6).
Each mutant must fail the case that covers it, with a report that names the cause; the clean
CSMS passes the same cases (``test_csms_suite_v201.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chargeyard.conformance import ChargeyardTrigger, CsmsTarget, Verdict, run_csms
from chargeyard.conformance.runner import CaseResult
from chargeyard.csms.commands import basic_password
from chargeyard.csms.registry import Registry
from chargeyard.csms.server import CsmsSettings
from chargeyard.csms.v201 import CentralSystemV201
from chargeyard.protocol import V201, ErrorKind, OcppError
from tests.stack_lab import StackLab, stack_lab

pytestmark = pytest.mark.slow

Payload = dict[str, Any]
Handler = Callable[[Any, Payload], Awaitable[Payload]]
# validate=False: a mutant's answers go out as its handler wrote them (test_mutants.py).
CSMS = CsmsSettings(port=0, heartbeat_interval=60, auto_register=True, validate=False)
STATION = "CY-MUTANT-201"
PASSWORD = "mutant-secret-201"


@dataclass(frozen=True)
class Mutant:
    """A bug: ``handlers`` replace methods of the 2.0.1 handlers (by name); ``sent``
    rewrites a command the CSMS sends (action, payload) -> payload, or None to drop it;
    ``patched`` replaces attributes elsewhere ((object, name) -> value). ``case`` must fail,
    ``compatible`` says whether its compatibility verdict still passes, and ``cause`` is in
    the report's failed check."""

    name: str
    case: str
    cause: str
    handlers: dict[str, Handler] | None = None
    sent: Callable[[str, Payload], Payload | None] | None = None
    patched: dict[tuple[object, str], object] | None = None
    compatible: bool = False


def _method(action: str) -> str:
    return CentralSystemV201.handler_names()[action]


def answer_with(action: str, change: Callable[[Payload], Payload]) -> dict[str, Handler]:
    """The handler of ``action`` whose answer ``change`` rewrites."""
    original = getattr(CentralSystemV201, _method(action))

    async def mutated(self: Any, payload: Payload) -> Payload:
        return change(await original(self, payload))

    return {_method(action): mutated}


def refuse(action: str, kind: ErrorKind = ErrorKind.INTERNAL_ERROR) -> dict[str, Handler]:
    async def mutated(self: Any, payload: Payload) -> Payload:
        raise OcppError(kind, f"{action} refused by the mutant")

    return {_method(action): mutated}


def sending(
    action: str, change: Callable[[Payload], Payload | None]
) -> Callable[[str, Payload], Payload | None]:
    def rewrite(sent: str, payload: Payload) -> Payload | None:
        return change(payload) if sent == action else payload

    return rewrite


def _token_status(status: str) -> Callable[[Payload], Payload]:
    return lambda answer: {**answer, "idTokenInfo": {"status": status}}


def _without(field: str) -> Callable[[Payload], Payload]:
    return lambda answer: {k: v for k, v in answer.items() if k != field}


async def _forgets_passwords(*args: object) -> None:
    return None


MUTANTS = (
    Mutant(
        "boot Pending",
        "TC_B_01_CSMS",
        "the CSMS answers the boot Accepted",
        answer_with("BootNotification", lambda a: {**a, "status": "Pending"}),
    ),
    Mutant(
        "boot time without a zone",
        "TC_B_01_CSMS",
        "current time with a zone",
        answer_with("BootNotification", lambda a: {**a, "currentTime": "2026-01-01T10:00:00"}),
        compatible=True,
    ),
    Mutant(
        "StatusNotification refused",
        "TC_B_01_CSMS",
        "answers StatusNotification with a CALLRESULT",
        refuse("StatusNotification"),
    ),
    Mutant(
        "unknown token accepted",
        "TC_C_02_CSMS",
        "is answered Invalid or Unknown",
        answer_with("Authorize", _token_status("Accepted")),
    ),
    Mutant(
        "blocked token accepted",
        "TC_C_06_CSMS",
        "is answered Blocked or Invalid",
        answer_with("Authorize", _token_status("Accepted")),
    ),
    Mutant(
        "expiry ignored",
        "TC_C_07_CSMS",
        "is answered Expired or Invalid",
        answer_with("Authorize", _token_status("Accepted")),
    ),
    Mutant(
        "group not told",
        "TC_C_39_CSMS",
        "names group",
        answer_with("Authorize", lambda a: {"idTokenInfo": {"status": "Accepted"}}),
    ),
    Mutant(
        "cached token not checked",
        "TC_C_08_CSMS",
        "is answered Accepted",
        answer_with("TransactionEvent", _without("idTokenInfo")),
    ),
    Mutant(
        "transaction's token not checked",
        "TC_E_16_CSMS",
        "is answered Invalid or Unknown",
        answer_with("TransactionEvent", _token_status("Accepted")),
    ),
    Mutant(
        "TransactionEvent refused",
        "TC_E_04_CSMS",
        "answers TransactionEvent with a CALLRESULT",
        refuse("TransactionEvent"),
    ),
    Mutant(
        "NotifyEvent unimplemented",
        "TC_G_20_CSMS",
        "answers NotifyEvent with a CALLRESULT",
        refuse("NotifyEvent", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "MeterValues refused",
        "TC_J_01_CSMS",
        "answers MeterValues with a CALLRESULT",
        refuse("MeterValues", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "unknown vendor Accepted",
        "TC_P_02_CSMS",
        "answered UnknownVendorId, UnknownMessageId or Rejected",
        answer_with("DataTransfer", lambda a: {"status": "Accepted"}),
        compatible=True,
    ),
    Mutant(
        "new password forgotten",
        "TC_A_09_CSMS",
        "refused the WebSocket handshake with HTTP 401",
        patched={(basic_password, "keep_accepted_password"): _forgets_passwords},
    ),
    Mutant(
        "remote stop of another transaction",
        "TC_E_21_CSMS",
        "RequestStopTransaction's transactionId is",
        sent=sending(
            "RequestStopTransaction", lambda p: {**p, "transactionId": p["transactionId"] + "X"}
        ),
    ),
    Mutant(
        "remote start for another token",
        "TC_F_01_CSMS",
        "RequestStartTransaction's idToken.idToken is",
        sent=sending(
            "RequestStartTransaction",
            lambda p: {**p, "idToken": {**p["idToken"], "idToken": "SOMEONE-ELSE"}},
        ),
    ),
    Mutant(
        "reset OnIdle sent Immediate",
        "TC_B_20_CSMS",
        "Reset's type is OnIdle",
        sent=sending("Reset", lambda p: {**p, "type": "Immediate"}),
    ),
    Mutant(
        "EVSE made inoperative as the whole station",
        "TC_G_03_CSMS",
        "ChangeAvailability's evse is",
        sent=sending("ChangeAvailability", _without("evse")),
    ),
    Mutant(
        "transaction status asked without its id",
        "TC_E_30_CSMS",
        "GetTransactionStatus's transactionId is",
        sent=sending("GetTransactionStatus", _without("transactionId")),
    ),
    Mutant(
        "customer information cleared instead of reported",
        "TC_N_27_CSMS",
        "CustomerInformation's report is True",
        sent=sending("CustomerInformation", lambda p: {**p, "report": False, "clear": True}),
    ),
    Mutant(
        "trigger never sent",
        "TC_F_20_CSMS",
        "sent no TriggerMessage",
        sent=sending("TriggerMessage", lambda p: None),
    ),
    Mutant(
        "display message of another id",
        "TC_O_01_CSMS",
        "SetDisplayMessage's message.id is",
        sent=sending("SetDisplayMessage", lambda p: {**p, "message": {**p["message"], "id": 1}}),
    ),
    Mutant(
        "display message tied to a transaction",
        "TC_O_13_CSMS",
        "SetDisplayMessage's message.transactionId is absent",
        sent=sending(
            "SetDisplayMessage",
            lambda p: {**p, "message": {**p["message"], "transactionId": "CY-SOME"}},
        ),
    ),
    Mutant(
        "display messages report refused",
        "TC_O_02_CSMS",
        "answers NotifyDisplayMessages with a CALLRESULT",
        refuse("NotifyDisplayMessages", ErrorKind.NOT_IMPLEMENTED),
    ),
    Mutant(
        "all display messages asked by id",
        "TC_O_02_CSMS",
        "GetDisplayMessages's id is absent",
        sent=sending("GetDisplayMessages", lambda p: {**p, "id": [7001]}),
    ),
    Mutant(
        "monitoring report refused",
        "TC_N_47_CSMS",
        "answers NotifyMonitoringReport with a CALLRESULT",
        refuse("NotifyMonitoringReport"),
    ),
    Mutant(
        "monitoring base never sent",
        "TC_N_05_CSMS",
        "sent no SetMonitoringBase",
        sent=sending("SetMonitoringBase", lambda p: None),
    ),
    Mutant(
        "monitor of another severity",
        "TC_N_08_CSMS",
        "SetVariableMonitoring sets the monitors asked for",
        sent=sending(
            "SetVariableMonitoring",
            lambda p: {"setMonitoringData": [{**p["setMonitoringData"][0], "severity": 2}]},
        ),
    ),
    Mutant(
        "alert event answered with a body",
        "TC_N_50_CSMS",
        "NotifyEventResponse has an empty body",
        answer_with("NotifyEvent", lambda a: {**a, "status": "Accepted"}),
        compatible=True,
    ),
    Mutant(
        "a negative total cost",
        "TC_I_02_CSMS",
        "gives the transaction's totalCost",
        answer_with("TransactionEvent", lambda a: {**a, "totalCost": -1.5}),
    ),
    Mutant(
        "smart charging profile of another purpose",
        "TC_K_15_CSMS",
        "SetChargingProfile's chargingProfile.chargingProfilePurpose is",
        sent=sending(
            "SetChargingProfile",
            lambda p: {
                **p,
                "chargingProfile": {**p["chargingProfile"], "chargingProfilePurpose": "TxProfile"},
            },
        ),
    ),
    Mutant(
        "custom report without its criteria",
        "TC_B_18_CSMS",
        "GetReport's componentCriteria is",
        sent=sending("GetReport", _without("componentCriteria")),
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
async def test_each_201_mutant_fails_the_case_that_covers_it(
    lab: StackLab, mutant: Mutant, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, handler in (mutant.handlers or {}).items():
        monkeypatch.setattr(CentralSystemV201, name, handler)
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
            lab.csms_url, STATION, V201, trigger=trigger, password=PASSWORD, step_s=2.0
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


def test_there_are_twenty_201_mutants() -> None:
    assert len(MUTANTS) >= 20
    assert len({mutant.name for mutant in MUTANTS}) == len(MUTANTS)
