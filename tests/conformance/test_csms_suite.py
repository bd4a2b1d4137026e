"""The suite against chargeyard's own CSMS, unattended: its ``/api/v1`` is the trigger and keeps
the id tags the cases need; the station is registered with a Basic password (security profile
1) so the security cases run too. Every available OCPP 1.6 CSMS case must pass both verdicts;
where one does not, the product is fixed, not the case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import JSONResponse
from starlette.routing import Route

from chargeyard.api.serve import serving
from chargeyard.conformance import (
    ChargeyardTrigger,
    CsmsTarget,
    HookTrigger,
    IdTags,
    Verdict,
    run_csms,
)
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.csms_under_test.cases_v16 import CASES as WRITTEN
from chargeyard.conformance.runner import CaseResult
from chargeyard.conformance.suites import why_not_available
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.server import CsmsSettings
from chargeyard.protocol import V16
from tests.conformance.test_chargeyard_routes import Listing
from tests.stack_lab import StackLab, stack_lab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

# Stations come in by registering themselves; unknown tags are Invalid, as in production.
# The CSMS signs the stations' own certificates (SignCertificate) with a CA made for the run.
CSMS = CsmsSettings(
    port=0, heartbeat_interval=60, auto_register=True, authority=CertificateAuthority.new()
)
STATION = "CY-CONFORMANCE"
PASSWORD = "conformance-secret-16"
# What a TLS case says on a ws:// listener (its run is test_csms_suite_tls.py's).
NEEDS_WSS = (
    "not applicable: the CSMS is reached on {}: the case needs its wss:// URL (security profile"
    " 2 or 3)"
)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, csms=CSMS, serve=True) as running:
        yield running


def target(lab: StackLab, trigger: ChargeyardTrigger) -> CsmsTarget:
    return CsmsTarget(lab.csms_url, STATION, V16, trigger=trigger, password=PASSWORD, step_s=5.0)


def test_the_catalog_says_which_cases_run_and_every_one_that_does_is_written() -> None:
    catalog = cases_of(V16, UnderTest.CSMS)
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN)
    assert len(catalog) == 77  # the public 1.6 list's Central System cases
    assert len({case.id for case in catalog}) == 77


async def test_chargeyard_s_csms_passes_every_available_16_case(lab: StackLab) -> None:
    await lab.store.stations.register(STATION, password=PASSWORD)
    trigger = ChargeyardTrigger(f"http://127.0.0.1:{lab.stack.api_port}", lab.key)
    listing = Listing(trigger)
    try:
        run = await run_csms(target(lab, trigger), progress=listing.progress)
    finally:
        await trigger.close()
    ran = {result.info.id: result for result in run.results if result.ran}
    assert set(ran) == set(WRITTEN)
    verdicts = {
        case_id: (result.conformance, result.compatibility, result.reason)
        for case_id, result in ran.items()
        if (result.conformance, result.compatibility) != (Verdict.PASS, Verdict.PASS)
    }
    # The TLS cases run in labs of their own (test_csms_suite_tls.py): on ws:// they say so.
    over_ws = (Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE, NEEDS_WSS.format(lab.csms_url))
    assert verdicts == dict.fromkeys(("TC_078_CSMS", "TC_086_CSMS", "TC_087_CSMS"), over_ws), (
        _failures(ran)
    )
    # Each order went through the action's dedicated endpoint (test_chargeyard_routes.py).
    listing.check(V16)


async def test_tc_085_tells_a_refused_password_and_needs_one(lab: StackLab) -> None:
    await lab.store.stations.register("CY-LOCKED", password="s3cret-enough")
    bad = CsmsTarget(lab.csms_url, "CY-LOCKED", V16, password="wrong", step_s=5.0)
    none = CsmsTarget(lab.csms_url, "CY-LOCKED", V16, step_s=5.0)
    [refused] = (await run_csms(bad, ids=["TC_085_CSMS"])).results
    [unjudged] = (await run_csms(none, ids=["TC_085_CSMS"])).results
    assert (refused.conformance, refused.reason) == (
        Verdict.FAIL,
        "the CSMS refused the WebSocket handshake with HTTP 401",
    )
    assert (unjudged.conformance, unjudged.reason) == (
        Verdict.INCONCLUSIVE,
        "no --password given: the case needs the station's Basic password",
    )


def _failures(ran: dict[str, CaseResult]) -> str:
    lines = []
    for case_id, result in ran.items():
        failed = [
            f"    {check.rule}: expected {check.expected!r}, observed {check.observed!r}"
            for step in result.steps
            for check in step.checks
            if not check.passed
        ]
        if failed or result.reason:
            lines.append(f"{case_id}: {result.reason}")
            lines.extend(failed)
    return "\n".join(lines)


def _hook_to(lab: StackLab) -> Starlette:
    """A CSMS's trigger hook, as a user writes one: POST /{version}/{station}/{action} makes
    the CSMS send the action (here through chargeyard's raw call)."""
    api = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{lab.stack.api_port}/api/v1",
        headers={"X-API-Key": lab.key},
        timeout=30.0,
    )

    async def act(request: StarletteRequest) -> JSONResponse:
        station, action = request.path_params["station"], request.path_params["action"]
        body = {"action": action, "payload": await request.json()}
        answer = await api.post(f"/chargers/{station}/call", json=body)
        return JSONResponse(answer.json(), status_code=answer.status_code)

    return Starlette(routes=[Route("/{version}/{station}/{action}", act, methods=["POST"])])


async def test_the_trigger_hook_convention_drives_a_csms(lab: StackLab) -> None:
    for tag, status in (("HOOK-OK", "Accepted"), ("HOOK-BLOCKED", "Blocked")):
        await lab.store.id_tags.create(tag, status=status)
    # Stated on the command line (--id-tag, --blocked-id-tag): the CSMS was set up so.
    tags = IdTags(
        valid="HOOK-OK", blocked="HOOK-BLOCKED", stated=frozenset({"Accepted", "Blocked"})
    )
    async with serving(_hook_to(lab), "127.0.0.1", 0) as port:
        trigger = HookTrigger(f"http://127.0.0.1:{port}")
        try:
            target = CsmsTarget(
                lab.csms_url, "CY-HOOKED", V16, trigger=trigger, id_tags=tags, step_s=5.0
            )
            run = await run_csms(
                target,
                ids=[
                    "TC_012_CSMS",
                    "TC_021_CSMS",
                    "TC_023_3_CSMS",
                    "TC_023_2_CSMS",
                    "TC_075_2_CSMS",  # the suite's root, sent as the hook was given it
                ],
            )
        finally:
            await trigger.close()
    verdicts = {r.info.id: (r.conformance, r.reason) for r in run.results}
    assert verdicts == {
        "TC_012_CSMS": (Verdict.PASS, None),
        "TC_021_CSMS": (Verdict.PASS, None),
        "TC_023_3_CSMS": (Verdict.PASS, None),
        "TC_075_2_CSMS": (Verdict.PASS, None),
        # No expired tag was given on the command line, and a hook of the plain convention
        # (no capabilities) sets up none: the case cannot be set up.
        "TC_023_2_CSMS": (
            Verdict.INCONCLUSIVE,
            "the hook does not set up id tag CY-CONF-OLD (its capabilities' setUp has no idTags)",
        ),
    }


async def test_a_hook_that_refuses_makes_the_case_inconclusive(lab: StackLab) -> None:
    trigger = HookTrigger(f"http://127.0.0.1:{lab.stack.api_port}/no-such-hook")
    try:
        target = CsmsTarget(lab.csms_url, "CY-UNHOOKED", V16, trigger=trigger, step_s=1.0)
        [result] = (await run_csms(target, ids=["TC_013_CSMS"])).results
    finally:
        await trigger.close()
    assert result.conformance is Verdict.INCONCLUSIVE
    assert result.reason is not None
    assert result.reason == (
        f"the hook answered notSupported to POST http://127.0.0.1:{lab.stack.api_port}"
        "/no-such-hook/1.6/CY-UNHOOKED/Reset: HTTP 404"
    )
