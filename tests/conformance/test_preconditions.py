"""A case states and checks its precondition: a case that needs a station without what another
case leaves on it for good (a Charging Station Certificate the suite signed, which a station
never deletes, M04.FR.06) runs before that case, and is not applicable, saying why, on a station
that has it."""

from __future__ import annotations

import pytest

from chargeyard.conformance import CaseResult, Verdict
from chargeyard.conformance.station_under_test import preconditions
from chargeyard.conformance.station_under_test.preconditions import (
    Mark,
    MarkLeft,
    check_without,
    run_order,
)
from tests.conformance.station_lab_v201 import new_station, run_against

# The station and the suite wait on the loop's clock alone: their waits pass at once.
pytestmark = pytest.mark.virtual_time


def test_a_case_that_leaves_a_mark_runs_after_the_cases_that_need_a_station_without_it() -> None:
    ids = ["TC_A_09_CS", "TC_A_11_CS", "TC_A_19_CS", "TC_A_21_CS", "TC_A_22_CS", "TC_A_23_CS"]
    assert run_order(ids) == [
        "TC_A_09_CS",
        "TC_A_19_CS",
        "TC_A_21_CS",
        "TC_A_11_CS",
        "TC_A_22_CS",
        "TC_A_23_CS",
    ]
    assert run_order(["TC_A_11_CS", "TC_A_23_CS"]) == ["TC_A_11_CS", "TC_A_23_CS"]


def test_a_station_with_the_mark_fails_the_precondition_naming_the_case_that_left_it() -> None:
    check_without("TC_A_21_CS", {})
    check_without("TC_A_22_CS", {Mark.STATION_CERTIFICATE: "TC_A_11_CS"})
    with pytest.raises(MarkLeft, match=r"signed for it \(TC_A_11_CS\): the case needs"):
        check_without("TC_A_21_CS", {Mark.STATION_CERTIFICATE: "TC_A_11_CS"})


async def test_tc_a_21_passes_on_a_station_that_tc_a_11_renewed_in_the_same_run() -> None:
    """A05.FR.03 on one station after A02: the renewal runs after the case that needs none."""
    told: list[str] = []

    def progress(result: CaseResult) -> None:
        told.append(result.info.id)

    run = await run_against(new_station(), ["TC_A_11_CS", "TC_A_21_CS"], progress=progress)
    assert told == ["TC_A_21_CS", "TC_A_11_CS"]
    assert [(r.info.id, r.conformance, r.compatibility) for r in run.results] == [
        ("TC_A_11_CS", Verdict.PASS, Verdict.PASS),
        ("TC_A_21_CS", Verdict.PASS, Verdict.PASS),
    ]


async def test_a_case_run_on_a_station_with_the_mark_is_not_applicable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Were the renewal not known to leave a certificate, it would run first: the suite still
    # records what the station took, and the case that needs none says it cannot run.
    monkeypatch.setattr(preconditions, "LEAVES", {})
    run = await run_against(new_station(), ["TC_A_11_CS", "TC_A_21_CS"])
    renewal, upgrade = run.results
    assert (renewal.conformance, upgrade.conformance) == (Verdict.PASS, Verdict.NOT_APPLICABLE)
    assert upgrade.reason == (
        "not applicable: the station holds a Charging Station Certificate the suite signed for"
        " it (TC_A_11_CS): the case needs a station without one, which the suite cannot take"
        " back through OCPP"
    )
