"""The reports of a run: whatever a case observed is written (JSON keys that are not text
included), and a case that failed by a check says which, in the progress line and the page."""

from __future__ import annotations

import base64
import json
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import typer
from typer.testing import CliRunner

from chargeyard.cli import app
from chargeyard.cli_conformance.run import finish
from chargeyard.conformance import RunResult, Verdict, write
from chargeyard.conformance.catalog import BY_ID, UnderTest, cases_of
from chargeyard.conformance.record import Direction, FrameRecord, Step
from chargeyard.conformance.references import references
from chargeyard.conformance.report_html import html_page
from chargeyard.conformance.reports import cause, junit_xml
from chargeyard.conformance.runner import CaseResult
from chargeyard.conformance.suites import suite_for
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


def test_a_stop_that_failed_the_case_comes_before_the_checks_and_a_pass_has_no_cause() -> None:
    failed = _failed_by_a_check()
    # The runner records the stop of a case that could not go on as a failed check.
    failed.reason = "no answer to SetVariables within 30 s"
    failed.steps.append(Step("The station answers", [Check(failed.reason, False)]))
    assert cause(failed) == "no answer to SetVariables within 30 s"
    passed = CaseResult(failed.info, Verdict.PASS, Verdict.PASS)
    assert cause(passed) is None


def test_a_case_failed_by_a_check_then_stopped_without_a_trigger_is_told_by_both() -> None:
    """The check failed it; the missing trigger only cut it short."""
    failed = _failed_by_a_check()
    failed.reason = "no trigger to plug a cable with an EV into connector 1"
    assert cause(failed) == (
        "[interop] SetVariables sets the value: expected 123, observed"
        ' {"OCPPCommCtrlr.OfflineThreshold": "124"}; then no trigger to plug a cable with an EV'
        " into connector 1"
    )


def _case(case_id: str, conformance: Verdict, compatibility: Verdict, **fields: Any) -> CaseResult:
    info = BY_ID[case_id]
    return CaseResult(info, conformance, compatibility, **fields)


def _every_outcome() -> RunResult:
    """A run with a case of each outcome: pass, fail, inconclusive, not applicable, not
    available (not written)."""
    frame = FrameRecord(0.25, Direction.SENT, '[2,"1","Reset",{"type":"Immediate"}]')
    return _run(
        _case("TC_B_01_CSMS", Verdict.PASS, Verdict.PASS, steps=[_step()], frames=[frame]),
        _failed_by_a_check(),
        _case("TC_B_10_CSMS", Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE, reason="no trigger"),
        _case("TC_B_12_CSMS", Verdict.FAIL, Verdict.INCONCLUSIVE, reason="no trigger"),
        _case(
            "TC_K_01_CSMS", Verdict.NOT_APPLICABLE, Verdict.NOT_APPLICABLE, reason="n/a", ran=False
        ),
        _case(
            "TC_M_24_CSMS", Verdict.NOT_AVAILABLE, Verdict.NOT_AVAILABLE, reason="iso", ran=False
        ),
    )


def _step() -> Step:
    return Step("The station boots", [Check("BootNotification is answered Accepted", True)])


def test_the_console_the_json_the_junit_and_the_html_give_one_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _every_outcome()
    line = "6 cases: 3 judged (1 pass, 2 fail), 1 inconclusive, 1 not applicable, 1 not available"
    with pytest.raises(typer.Exit):
        finish(run, tmp_path)
    assert line in capsys.readouterr().err
    summary = json.loads((tmp_path / "report.json").read_text())["summary"]
    assert summary["outcome"] == {
        "pass": 1,
        "fail": 2,
        "inconclusive": 1,
        "not_applicable": 1,
        "not_available": 1,
    }
    suite = ElementTree.fromstring((tmp_path / "junit.xml").read_text())
    assert {name: suite.get(name) for name in ("tests", "failures", "errors", "skipped")} == {
        "tests": "6",
        "failures": "2",
        "errors": "1",
        "skipped": "2",
    }
    page = (tmp_path / "report.html").read_text()
    assert line in page
    assert "not applicable (1)" in page
    assert "not available (1)" in page


def test_junit_records_an_inconclusive_case_as_an_error_of_type_inconclusive() -> None:
    suite = ElementTree.fromstring(junit_xml(_every_outcome()))
    cases = {case.get("name", "").split()[0]: case for case in suite.iter("testcase")}
    error = cases["TC_B_10_CSMS"].find("error")
    assert error is not None
    assert (error.get("type"), error.get("message")) == ("inconclusive", "inconclusive: no trigger")
    assert cases["TC_B_10_CSMS"].find("skipped") is None
    # A case that failed a check before it could not go on is a failure.
    assert cases["TC_B_12_CSMS"].find("failure") is not None
    assert cases["TC_K_01_CSMS"].find("skipped") is not None
    properties = {p.get("name"): p.get("value") for p in cases["TC_B_10_CSMS"].iter("property")}
    assert properties["outcome"] == "inconclusive"


def test_a_strict_run_fails_on_an_inconclusive_case(tmp_path: Path) -> None:
    # TC_A_01_CSMS without --password cannot be judged: inconclusive, before it connects.
    command = [
        "conformance", "csms", "--url", "ws://127.0.0.1:9/ocpp", "--identity", "CP-1",
        "--ocpp", "2.0.1", "--cases", "TC_A_01_CSMS", "--report", str(tmp_path),
    ]  # fmt: skip
    lenient = CliRunner().invoke(app, command)
    assert lenient.exit_code == 0, lenient.output
    assert "1 case: 0 judged, 1 inconclusive" in lenient.stderr
    strict = CliRunner().invoke(app, [*command, "--strict"])
    assert strict.exit_code == 1, strict.output
    assert 'type="inconclusive"' in (tmp_path / "junit.xml").read_text()


def test_a_case_names_the_use_cases_and_requirements_it_follows(tmp_path: Path) -> None:
    """TC_A_01_CSMS follows A00 and B01 (Part 6) and cites A00.FR.204 and B01.FR.02."""
    info = BY_ID["TC_A_01_CSMS"]
    doc = suite_for(info.version, info.under_test).cases[info.id].__doc__
    result = _case("TC_A_01_CSMS", Verdict.PASS, Verdict.PASS, references=references(info, doc))
    write(_run(result), tmp_path)
    [case] = json.loads((tmp_path / "report.json").read_text())["cases"]
    assert (case["useCases"], case["requirements"]) == (
        ["A00", "B01"],
        ["A00.FR.204", "B01.FR.02"],
    )
    page = (tmp_path / "report.html").read_text()
    assert "use cases: A00, B01 · requirements: A00.FR.204, B01.FR.02" in page
    assert "data-r='A00.FR.204 B01.FR.02'" in page  # what the search box finds


def test_a_1_6_case_names_the_sections_it_follows() -> None:
    info = BY_ID["TC_003_CSMS"]
    doc = suite_for(info.version, info.under_test).cases[info.id].__doc__
    assert references(info, doc).sections == ("3.4", "4.1", "4.8", "4.10")


def test_a_passing_case_s_details_are_packed_and_a_failing_case_s_are_open() -> None:
    page = html_page(_every_outcome())
    packed = re.search(r'<script type="text/plain" id="packed">([^<]*)</script>', page)
    assert packed is not None
    details = json.loads(zlib.decompress(base64.b64decode(packed.group(1))))
    assert list(details) == ["TC_B_01_CSMS"]
    assert details["TC_B_01_CSMS"] == {
        "s": [
            [
                "The station boots",
                [["BootNotification is answered Accepted", 1, "interop", "null", "null"]],
            ]
        ],
        "n": 1,
        "f": '   0.250 → [2,"1","Reset",{"type":"Immediate"}]',
    }
    assert "<details class='case' id='TC_B_01_CSMS' data-packed>" in page
    assert "<details class='case' id='TC_B_09_CSMS' open>" in page
    assert "SetVariables sets the value" in page
