"""The reports of a run: whatever a case observed is written (JSON keys that are not text
included), and a case that failed by a check says which, in the progress line and the page."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from chargeyard.conformance import RunResult, Verdict, write
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.conformance.record import Step
from chargeyard.conformance.reports import cause
from chargeyard.conformance.runner import CaseResult
from chargeyard.conformance.verdicts import Check
from chargeyard.protocol import V201


def _failed_by_a_check() -> CaseResult:
    info = next(case for case in cases_of(V201, UnderTest.CSMS) if case.id == "TC_B_09_CSMS")
    observed = {("OCPPCommCtrlr", "OfflineThreshold"): "124"}
    step = Step(
        "The CSMS sets a variable",
        [
            Check("SetVariables is sent", True),
            Check("SetVariables sets the value", False, expected="123", observed=observed),
        ],
    )
    return CaseResult(info, Verdict.FAIL, Verdict.FAIL, steps=[step])


def _run(*results: CaseResult) -> RunResult:
    started = datetime(2026, 1, 1, tzinfo=UTC)
    return RunResult(UnderTest.CSMS, "ws://csms", "2.0.1", started, list(results), started)


def test_what_a_check_observed_is_written_whatever_its_keys(tmp_path: Path) -> None:
    write(_run(_failed_by_a_check()), tmp_path)
    [case] = json.loads((tmp_path / "report.json").read_text())["cases"]
    failed = case["steps"][0]["checks"][1]
    assert failed["observed"] == {"OCPPCommCtrlr.OfflineThreshold": "124"}
    assert "OCPPCommCtrlr.OfflineThreshold" in (tmp_path / "junit.xml").read_text()


def test_a_case_failed_by_a_check_is_told_by_that_check(tmp_path: Path) -> None:
    result = _failed_by_a_check()
    assert cause(result) == (
        "[interop] SetVariables sets the value: expected 123, observed"
        ' {"OCPPCommCtrlr.OfflineThreshold": "124"}'
    )
    write(_run(result), tmp_path)
    assert "SetVariables sets the value: expected 123" in (tmp_path / "report.html").read_text()


def test_a_reason_comes_before_the_checks_and_a_pass_has_no_cause() -> None:
    failed = _failed_by_a_check()
    failed.reason = "no answer to SetVariables within 30 s"
    assert cause(failed) == "no answer to SetVariables within 30 s"
    passed = CaseResult(failed.info, Verdict.PASS, Verdict.PASS)
    assert cause(passed) is None
