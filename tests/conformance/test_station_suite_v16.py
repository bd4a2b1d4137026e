"""The charging-station suite against chargeyard's own OCPP 1.6 simulated station, unattended:
the suite plays the central system, the station connects to its listener, and every physical
act (a cable, a tag, a fault, a power cycle) goes through the station's verbs. Every available
1.6 Charge Point case must pass both verdicts, or be not applicable with its reason; where one
does not, the product is fixed, not the case."""

from __future__ import annotations

import pytest

from chargeyard.conformance import Verdict
from chargeyard.conformance.cases_v16_station import CASES as WRITTEN
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.suites import why_not_available
from chargeyard.protocol import V16
from tests.conformance.station_lab import new_station, run_against

pytestmark = pytest.mark.slow


def test_the_catalog_says_which_cases_run_and_every_one_that_does_is_written() -> None:
    catalog = cases_of(V16, UnderTest.STATION)
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN)
    assert len(catalog) == 107  # the public 1.6 list's Charge Point cases


async def test_chargeyard_s_16_station_passes_every_available_case() -> None:
    run = await run_against(new_station())
    ran = {result.info.id: result for result in run.results if result.ran}
    assert set(ran) == set(WRITTEN)
    verdicts = {
        case_id: (result.conformance, result.compatibility, result.reason)
        for case_id, result in ran.items()
        if (result.conformance, result.compatibility) != (Verdict.PASS, Verdict.PASS)
    }
    assert verdicts == {}
