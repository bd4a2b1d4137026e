"""The OCPP 2.1 run of the CSMS cases against chargeyard's own CSMS: the 2.0.1 cases that 2.1
left unchanged (``conformance/catalog/borrowed.py``), the suite's station speaking ``ocpp2.1``
and holding every answer of the CSMS to 2.1's schemas. One stack, as for 2.0.1
(``test_csms_suite_v201.py``); every case that runs passes both verdicts but those that need
the CSMS configured otherwise, and each case 2.1 changed is not run, with the change told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargeyard.conformance import ChargeyardTrigger, CsmsTarget, run_csms
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.catalog.borrowed import BORROWED
from chargeyard.conformance.csms_under_test.cases_v201 import CASES as WRITTEN_201
from chargeyard.conformance.report_html import html_page
from chargeyard.conformance.reports import as_json
from chargeyard.conformance.suites import why_not_available
from chargeyard.protocol import V21, V201
from tests.conformance.test_csms_suite_v201 import (
    CSMS,
    _failures,
    expected_not_passed,
    not_passed,
)
from tests.stack_lab import StackLab, stack_lab

# Every wait is on the loop's clock or on SQLite (tests/virtual_time.py): idle waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

STATION = "CY-CONFORMANCE-21"
PASSWORD = "conformance-secret-21"
LEFT_OUT = BORROWED[V21].left_out


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with stack_lab(tmp_path, csms=CSMS, serve=True) as running:
        yield running


def test_the_21_run_is_the_201_cases_but_those_21_changed() -> None:
    catalog = cases_of(V21, UnderTest.CSMS)
    assert [case.id for case in catalog] == [case.id for case in cases_of(V201, UnderTest.CSMS)]
    assert all(case.version is V21 for case in catalog)
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN_201) - set(LEFT_OUT)
    for case in catalog:
        if case.id in LEFT_OUT:
            assert why_not_available(case) == (
                f"OCPP 2.1 changed the behaviour: {LEFT_OUT[case.id]}"
            )


async def test_chargeyard_s_csms_passes_every_201_case_2_1_left_unchanged(lab: StackLab) -> None:
    await lab.store.stations.register(STATION, password=PASSWORD)
    trigger = ChargeyardTrigger(f"http://127.0.0.1:{lab.stack.api_port}", lab.key)
    try:
        target = CsmsTarget(
            lab.csms_url, STATION, V21, trigger=trigger, password=PASSWORD, step_s=3.0
        )
        run = await run_csms(target)
    finally:
        await trigger.close()
    assert run.version == "2.1"
    ran = {result.info.id: result for result in run.results if result.ran}
    assert set(ran) == set(WRITTEN_201) - set(LEFT_OUT)
    assert not_passed(ran) == expected_not_passed(lab.csms_url), _failures(ran)
    # The report says what 2.1 the run does not cover, and which cases 2.1 changed.
    report = as_json(run)
    assert report["uncovered"] == BORROWED[V21].uncovered
    assert report["leftOut"] == {
        case_id: f"not available: OCPP 2.1 changed the behaviour: {change}"
        for case_id, change in LEFT_OUT.items()
        if case_id in {case.id for case in cases_of(V21, UnderTest.CSMS)}
    }
    assert "Not covered:" in html_page(run)
