"""The one harness of the mutation tests (``test_mutants.py`` for 1.6, ``test_mutants_v201.py``
for 2.0.1): a mutant is chargeyard's CSMS with one small, real bug, made by replacing one of
its handlers, the way it sends a command, or another of its parts; it is run against the case
that covers the bug, which must fail it and name the cause in its report."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from chargeyard.conformance import ChargeyardTrigger, CsmsTarget, Verdict, run_csms
from chargeyard.conformance.runner import CaseResult
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.follow_ups import FollowUps
from chargeyard.csms.registry import Registry
from chargeyard.csms.server import CsmsSettings
from chargeyard.protocol import ErrorKind, OcppError, VersionSpec
from tests.stack_lab import StackLab

Payload = dict[str, Any]
Handler = Callable[[Any, Payload], Awaitable[Payload]]
Names = Callable[[str], str]
"""The name of the handler method of an action."""

# validate=False: a mutant's answers go out as its handler wrote them, where chargeyard would
# catch an answer that breaks its schema and send InternalError instead (so would not every
# CSMS under test).
# The CSMS signs the stations' own certificates (SignCertificate) with a CA made for the run.
CSMS = CsmsSettings(
    port=0,
    heartbeat_interval=60,
    auto_register=True,
    validate=False,
    authority=CertificateAuthority.new(),
)
STEP_S = 5.0


@dataclass(frozen=True)
class Mutant:
    """A bug: ``handlers`` replace methods of the version's handlers (by name); ``sent``
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


class Bugs:
    """The handler bugs of one version's central system (``handlers``: its class)."""

    def __init__(self, handlers: type, names: Names) -> None:
        self._handlers = handlers
        self._names = names

    def answer_with(self, action: str, change: Callable[[Payload], Payload]) -> dict[str, Handler]:
        """The handler of ``action`` whose answer ``change`` rewrites."""
        original = getattr(self._handlers, self._names(action))

        async def mutated(self: Any, payload: Payload) -> Payload:
            return change(await original(self, payload))

        return {self._names(action): mutated}

    def refuse(self, action: str, kind: ErrorKind = ErrorKind.INTERNAL_ERROR) -> dict[str, Handler]:
        """The handler of ``action`` answering a CALLERROR of ``kind``."""

        async def mutated(self: Any, payload: Payload) -> Payload:
            raise OcppError(kind, f"{action} refused by the mutant")

        return {self._names(action): mutated}

    def never_answer(self, action: str) -> dict[str, Handler]:
        """The handler of ``action`` that never answers."""

        async def mutated(self: Any, payload: Payload) -> Payload:
            await asyncio.Event().wait()
            return {}

        return {self._names(action): mutated}


def sending(
    action: str, change: Callable[[Payload], Payload | None]
) -> Callable[[str, Payload], Payload | None]:
    """A rewrite of what the CSMS sends as ``action`` (None: not sent)."""

    def rewrite(sent: str, payload: Payload) -> Payload | None:
        return change(payload) if sent == action else payload

    return rewrite


def without(field: str) -> Callable[[Payload], Payload]:
    return lambda payload: {k: v for k, v in payload.items() if k != field}


def _not_sent(self: FollowUps, action: str, payload: Payload, outcome: object) -> None:
    """In place of the CSMS sending CertificateSigned after an accepted SignCertificate."""
    return None


def _signs_another_key(
    self: CertificateAuthority, request: x509.CertificateSigningRequest, now: datetime
) -> x509.Certificate:
    """In place of the CA signing the CSR's key: a certificate of another key."""
    other = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(request.subject)
        .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    )
    return _SIGN(self, other, now)


_SIGN = CertificateAuthority.sign
NEVER_SIGNED: dict[tuple[object, str], object] = {(FollowUps, "call_after_answer"): _not_sent}
"""The CSMS accepts the CSR and never sends the certificate."""
ANOTHER_KEY: dict[tuple[object, str], object] = {(CertificateAuthority, "sign"): _signs_another_key}
"""The CSMS sends a certificate that is not for the CSR's key."""


async def forgets_passwords(*args: object) -> None:
    """In place of the CSMS keeping a password a station took."""
    return None


async def judged(
    lab: StackLab,
    mutant: Mutant,
    monkeypatch: pytest.MonkeyPatch,
    *,
    version: VersionSpec,
    handlers: type,
    station: str,
    password: str,
) -> CaseResult:
    """``mutant`` made in ``lab``'s CSMS and its case run against it (through its /api/v1)."""
    for name, handler in (mutant.handlers or {}).items():
        monkeypatch.setattr(handlers, name, handler)
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
    await lab.store.stations.register(station, password=password)
    trigger = ChargeyardTrigger(f"http://127.0.0.1:{lab.stack.api_port}", lab.key)
    try:
        # A step waits this long for a message: what a mutant never sends costs it once, and
        # a loaded machine (the suite's other workers) must not make a sent one late.
        target = CsmsTarget(
            lab.csms_url, station, version, trigger=trigger, password=password, step_s=STEP_S
        )
        [result] = (await run_csms(target, ids=[mutant.case])).results
    finally:
        await trigger.close()
    return result


def assert_caught(result: CaseResult, mutant: Mutant) -> None:
    """The case failed ``mutant`` (compatibility too, unless the bug is one real peers
    survive) and its report names the cause."""
    assert result.conformance is Verdict.FAIL, result
    expected = Verdict.PASS if mutant.compatible else Verdict.FAIL
    assert result.compatibility is expected, result
    named = any(
        mutant.cause in f"{check.rule} {check.observed}"
        for step in result.steps
        for check in step.checks
        if not check.passed
    ) or mutant.cause in (result.reason or "")
    assert named, [(check.rule, check.observed) for step in result.steps for check in step.checks]
