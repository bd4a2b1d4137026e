"""``chargeyard conformance csms`` from the command line: its exit codes, its progress and the
reports it writes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chargeyard.cli import app

UNREACHABLE = ["--url", "ws://127.0.0.1:9/ocpp", "--identity", "CP-1"]


def test_a_failed_case_exits_1_and_the_reports_say_why(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["conformance", "csms", *UNREACHABLE, "--cases", "TC_001_CSMS", "--report", str(tmp_path)],
    )
    assert result.exit_code == 1, result.output
    assert "TC_001_CSMS" in result.stderr
    assert "could not connect to ws://127.0.0.1:9/ocpp/CP-1" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert [(c["id"], c["conformance"]) for c in report["cases"]] == [("TC_001_CSMS", "fail")]
    assert (tmp_path / "junit.xml").read_text().count("<failure") == 1
    assert "TC_001_CSMS" in (tmp_path / "report.html").read_text()


def test_cases_not_available_are_not_run_and_exit_0() -> None:
    result = CliRunner().invoke(
        app, ["conformance", "csms", *UNREACHABLE, "--cases", "TC_083_CSMS"]
    )
    assert result.exit_code == 0, result.output
    assert "1 case: 0 judged, 1 not available" in result.stderr


def test_a_2_1_run_says_what_it_does_not_cover_and_which_cases_2_1_changed(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "conformance",
            "csms",
            *UNREACHABLE,
            "--ocpp",
            "2.1",
            "--cases",
            "TC_N_01_CSMS",
            "--report",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    told = " ".join(result.stderr.split())
    assert "Not covered: The Open Charge Alliance has published no OCPP 2.1 test cases" in told
    assert (
        "TC_N_01_CSMS not run: not available: OCPP 2.1 changed the behaviour: 2.1's"
        " NotifyMonitoringReport names each monitor's eventNotificationType"
    ) in told
    assert "1 case: 0 judged, 1 not available" in told
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["ocppVersion"] == "2.1"
    assert report["uncovered"].startswith("The Open Charge Alliance has published no OCPP 2.1")
    assert list(report["leftOut"]) == ["TC_N_01_CSMS"]
    assert "id='uncovered'" in (tmp_path / "report.html").read_text()


def test_a_command_line_that_cannot_run_exits_2() -> None:
    for extra, words in (
        (["--cases", "TC_999_CSMS"], "unknown case ids for OCPP 1.6: TC_999_CSMS"),
        (["--ocpp", "3.0"], "unknown OCPP version '3.0'"),
        (["--chargeyard-api", "http://127.0.0.1:8000"], "--chargeyard-api needs --api-key"),
        (
            ["--interactive", "--trigger-url", "http://127.0.0.1:8080"],
            "choose one trigger, not --trigger-url and --interactive",
        ),
    ):
        result = CliRunner().invoke(app, ["conformance", "csms", *UNREACHABLE, *extra])
        assert result.exit_code == 2, extra
        assert words in " ".join(result.output.split()), extra
