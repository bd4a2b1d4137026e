"""The OCPP 2.0.1 CSMS cases against chargeyard's own CSMS, unattended: its ``/api/v1`` is the
trigger and keeps the id tags the cases need. One run of every available case against one
stack, the station registered with a Basic password (security profile 1) so the A cases run
too; every case must pass both verdicts but those that need the CSMS configured otherwise (a
tariff), which must say so. The Pending boots of B02 (TC_B_02, TC_B_30, TC_B_31) are the
station's registration, which the trigger sets through the API. Where a case does not pass, the
product is fixed, not the case."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest

from chargeyard.conformance import ChargeyardTrigger, CsmsTarget, Verdict, run_csms
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.csms_under_test.cases_v201 import CASES as WRITTEN
from chargeyard.conformance.report_html import html_page
from chargeyard.conformance.results import CaseResult
from chargeyard.conformance.suites import why_not_available
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.server import CsmsSettings
from chargeyard.protocol import V201
from tests.conformance.test_chargeyard_routes import Listing
from tests.stack_lab import StackLab, stack_lab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

# The CSMS signs the stations' own certificates (SignCertificate) with a CA made for the run.
CSMS = CsmsSettings(
    port=0, heartbeat_interval=60, auto_register=True, authority=CertificateAuthority.new()
)
STATION = "CY-CONFORMANCE-201"
PASSWORD = "conformance-secret-201"
# What a TLS case says on a ws:// listener (its run is test_csms_suite_tls.py's).
NEEDS_WSS = (
    "not applicable: the CSMS is reached on {}: the case needs its wss:// URL (security profile"
    " 2 or 3)"
)
# I03.FR.02 binds a CSMS that knows a transaction's cost; chargeyard's has no tariffs.
NEEDS_A_TARIFF = (
    "the CSMS gave no totalCost as the transaction ended: it knows no cost for it (I03.FR.02"
    " binds a CSMS that does); give the station's transactions a tariff in the CSMS for this"
    " case"
)


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, csms=CSMS, serve=True) as running:
        yield running


def test_every_available_201_csms_case_is_written() -> None:
    catalog = cases_of(V201, UnderTest.CSMS)
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN)
    assert len(catalog) == 249  # Part 6's CSMS cases


async def test_chargeyard_s_csms_passes_every_available_201_case(lab: StackLab) -> None:
    await lab.store.stations.register(STATION, password=PASSWORD)
    trigger = ChargeyardTrigger(f"http://127.0.0.1:{lab.stack.api_port}", lab.key)
    listing = Listing(trigger)
    try:
        target = CsmsTarget(
            lab.csms_url, STATION, V201, trigger=trigger, password=PASSWORD, step_s=3.0
        )
        run = await run_csms(target, progress=listing.progress)
    finally:
        await trigger.close()
    ran = {result.info.id: result for result in run.results if result.ran}
    assert set(ran) == set(WRITTEN)
    assert len(html_page(run).encode()) < 500_000  # the report page of a passing run
    assert not_passed(ran) == expected_not_passed(lab.csms_url), _failures(ran)
    # Each order went through the action's dedicated endpoint (test_chargeyard_routes.py).
    listing.check(V201)


def not_passed(ran: Mapping[str, CaseResult]) -> dict[str, tuple[Verdict, Verdict, str | None]]:
    """The verdicts of the cases that ran and did not pass both ways."""
    return {
        case_id: (result.conformance, result.compatibility, result.reason)
        for case_id, result in ran.items()
        if (result.conformance, result.compatibility) != (Verdict.PASS, Verdict.PASS)
    }


def expected_not_passed(csms_url: str) -> dict[str, tuple[Verdict, Verdict, str | None]]:
    """What chargeyard's CSMS does not pass over ``ws://``: TC_I_02 needs a tariff, and the
    TLS cases run in labs of their own (test_csms_suite_tls.py)."""
    over_ws = (Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE, NEEDS_WSS.format(csms_url))
    return {
        "TC_I_02_CSMS": (Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE, NEEDS_A_TARIFF),
        **dict.fromkeys(("TC_A_04_CSMS", "TC_A_06_CSMS", "TC_A_07_CSMS", "TC_A_08_CSMS"), over_ws),
    }


def _failures(ran: dict[str, object]) -> str:
    lines = []
    for case_id, result in ran.items():
        steps = getattr(result, "steps", [])
        failed = [
            f"    {check.rule}: expected {check.expected!r}, observed {check.observed!r}"
            for step in steps
            for check in step.checks
            if not check.passed
        ]
        if failed or getattr(result, "reason", None):
            lines.append(f"{case_id}: {getattr(result, 'reason', None)}")
            lines.extend(failed)
    return "\n".join(lines)
