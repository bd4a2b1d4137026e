"""The OCPP 2.1 run of the charging-station cases against chargeyard's own 2.1 simulated
station: the 2.0.1 cases that 2.1 left unchanged (``conformance/catalog/borrowed.py``), the
suite's central system speaking ``ocpp2.1`` and holding every message of the station to 2.1's
schemas. The station has the 2.0.1 station's optional features (it is that station with 2.1's
words: ``station/v21/``), so every case that runs passes both verdicts, or is not applicable
with the reason the 2.0.1 run gives; each case 2.1 changed is not run, with the change told."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from chargeyard.conformance import Verdict
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.catalog.borrowed import BORROWED
from chargeyard.conformance.runner import NOT_AVAILABLE, RunResult
from chargeyard.conformance.station_under_test.cases_v201 import CASES as WRITTEN_201
from chargeyard.conformance.suites import why_not_available
from chargeyard.protocol import V21, V201
from chargeyard.station.v21 import StationV21
from chargeyard.station.v201 import StationV201
from tests.conformance.station_lab_v201 import DOUBLE, new_station, run_against
from tests.conformance.test_station_suite_v201 import FEATURES, NOT_PASSED, PASSWORD, _needs

# The station and the suite wait on the loop's clock alone: their waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

LEFT_OUT = BORROWED[V21].left_out

ON_ANOTHER_STATION_21: tuple[tuple[str, Callable[[], StationV201]], ...] = (
    ("R-2", lambda: new_station(station_class=StationV21, ReserveConnectorZeroSupported="true")),
    ("HFS-8 > 1", lambda: new_station(DOUBLE, StationV21)),
)
"""As for 2.0.1 (``test_station_suite_v201.ON_ANOTHER_STATION``), on 2.1 stations."""


def test_the_21_run_is_the_201_cases_but_those_21_changed() -> None:
    catalog = cases_of(V21, UnderTest.STATION)
    assert [case.id for case in catalog] == [case.id for case in cases_of(V201, UnderTest.STATION)]
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN_201) - set(LEFT_OUT)


def _not_passed(runs: list[RunResult]) -> dict[str, tuple[Verdict, Verdict, str | None]]:
    return {
        result.info.id: (result.conformance, result.compatibility, result.reason)
        for run in runs
        for result in run.results
        if result.ran and (result.conformance, result.compatibility) != (Verdict.PASS,) * 2
    }


async def test_chargeyard_s_21_station_passes_every_201_case_2_1_left_unchanged() -> None:
    catalog = cases_of(V21, UnderTest.STATION)
    ids = [case.id for case in catalog]
    lanes = 6
    runs = list(
        await asyncio.gather(
            *(
                run_against(
                    new_station(station_class=StationV21),
                    ids[lane::lanes],
                    features=FEATURES,
                    password=PASSWORD,
                )
                for lane in range(lanes)
            ),
            *(
                run_against(
                    make(),
                    [case.id for case in catalog if _needs(case, feature)],
                    features=(*FEATURES, feature),
                )
                for feature, make in ON_ANOTHER_STATION_21
            ),
        )
    )
    assert {run.version for run in runs} == {"2.1"}
    ran = {result.info.id for run in runs for result in run.results if result.ran}
    assert ran <= set(WRITTEN_201) - set(LEFT_OUT)
    assert _not_passed(runs) == {
        case_id: verdicts for case_id, verdicts in NOT_PASSED.items() if case_id not in LEFT_OUT
    }
    changed = {
        result.info.id: (result.conformance, result.reason)
        for run in runs[:lanes]
        for result in run.results
        if result.info.id in LEFT_OUT
    }
    assert changed == {
        case_id: (
            Verdict.NOT_AVAILABLE,
            f"{NOT_AVAILABLE}OCPP 2.1 changed the behaviour: {LEFT_OUT[case_id]}",
        )
        for case_id in LEFT_OUT
        if case_id in ids
    }
