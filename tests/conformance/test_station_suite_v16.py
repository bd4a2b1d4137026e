"""The charging-station suite against chargeyard's own OCPP 1.6 simulated station, unattended:
the suite plays the central system, the station connects to its listener, and every physical
act (a cable, a tag, a fault, a power cycle) goes through the station's verbs. Every available
1.6 Charge Point case must pass both verdicts, or be not applicable to this station with its
reason; where one does not, the product is fixed, not the case."""

from __future__ import annotations

import pytest

from chargeyard.conformance import Verdict
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.runner import RunResult
from chargeyard.conformance.station_under_test.cases_v16 import CASES as WRITTEN
from chargeyard.conformance.suites import why_not_available
from chargeyard.protocol import V16
from tests.conformance.station_lab import FIXED_CABLE, PASSWORD, new_station, run_against

# The stations and the suite wait on the loop's clock alone: their waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

NOT_APPLICABLE = (Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE)
SOCKET_ONLY = "not applicable: the station has a socket (--fixed-cable says which)"
CABLE_ONLY = "not applicable: the station has a fixed cable (--fixed-cable says which)"


def _not_passed(run: RunResult) -> dict[str, tuple[Verdict, Verdict, str | None]]:
    return {
        result.info.id: (result.conformance, result.compatibility, result.reason)
        for result in run.results
        if result.ran and (result.conformance, result.compatibility) != (Verdict.PASS,) * 2
    }


def test_the_catalog_says_which_cases_run_and_every_one_that_does_is_written() -> None:
    catalog = cases_of(V16, UnderTest.STATION)
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN)
    assert len(catalog) == 107  # the public 1.6 list's Charge Point cases


OVER_WS = (
    "not applicable: the suite listens on ws://: the case needs --tls-cert and --tls-key"
    " (security profile 2 or 3)"
)


async def test_chargeyard_s_16_station_passes_every_available_case() -> None:
    # With a password (security profile 1), for the Basic authentication cases.
    run = await run_against(new_station(), password=PASSWORD)
    assert {result.info.id for result in run.results if result.ran} == set(WRITTEN)
    assert _not_passed(run) == {
        # A socket: the fixed cable's cases are run below, on a station with one.
        "TC_017_2_CS": (*NOT_APPLICABLE, SOCKET_ONLY),
        "TC_018_2_CS": (*NOT_APPLICABLE, SOCKET_ONLY),
        # On ws://: the TLS cases run in labs of their own (test_station_suite_tls.py).
        "TC_078_CS": (*NOT_APPLICABLE, OVER_WS),
        "TC_083_CS": (*NOT_APPLICABLE, OVER_WS),
        "TC_086_CS": (*NOT_APPLICABLE, OVER_WS),
        "TC_087_CS": (*NOT_APPLICABLE, OVER_WS),
    }
    assert not run.failed


async def test_a_station_with_a_fixed_cable_passes_the_cable_s_cases() -> None:
    ids = ["TC_017_1_CS", "TC_017_2_CS", "TC_018_1_CS", "TC_018_2_CS", "TC_030_CS"]
    run = await run_against(new_station(FIXED_CABLE), ids, fixed_cable=True)
    assert _not_passed(run) == {
        "TC_017_1_CS": (*NOT_APPLICABLE, CABLE_ONLY),
        "TC_018_1_CS": (*NOT_APPLICABLE, CABLE_ONLY),
        "TC_030_CS": (*NOT_APPLICABLE, CABLE_ONLY),
    }
