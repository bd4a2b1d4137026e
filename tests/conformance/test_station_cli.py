"""``chargeyard conformance station`` from the command line: where it listens, its exit codes,
its progress and the reports it writes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chargeyard.cli import app

# No station ever connects to these runs: each wait is its option's shortest (0.1 s).
QUICK = ["--listen", "127.0.0.1:0", "--connect-timeout", "0.1", "--step-timeout", "0.1"]


def test_a_case_without_a_station_exits_1_and_the_reports_say_why(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["conformance", "station", *QUICK, "--cases", "TC_001_CS", "--report", str(tmp_path)],
    )
    assert result.exit_code == 1, result.output
    assert "listening: connect the station to ws://127.0.0.1:" in result.stderr
    assert "/ocpp/<identity>" in result.stderr
    assert "TC_001_CS" in result.stderr
    assert "no station connected within 0.1 s" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["underTest"] == "station"
    assert [(c["id"], c["conformance"], c["reason"]) for c in report["cases"]] == [
        ("TC_001_CS", "fail", "no station connected within 0.1 s")
    ]
    assert (tmp_path / "junit.xml").read_text().count("<failure") == 1
    assert "TC_001_CS" in (tmp_path / "report.html").read_text()


def test_a_2_0_1_case_without_a_station_exits_1(tmp_path: Path) -> None:
    command = ["conformance", "station", *QUICK, "--ocpp", "2.0.1", "--cases", "TC_B_01_CS"]
    result = CliRunner().invoke(app, [*command, "--report", str(tmp_path)])
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert [(c["id"], c["conformance"], c["reason"]) for c in report["cases"]] == [
        ("TC_B_01_CS", "fail", "no station connected within 0.1 s")
    ]


def test_cases_not_available_are_not_run_and_exit_0() -> None:
    # (Every 1.6 Charge Point case is available: an ISO 15118 case of 2.0.1 is not.)
    command = ["conformance", "station", *QUICK, "--ocpp", "2.0.1", "--cases", "TC_M_24_CS"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "1 case: 0 judged, 1 not available" in result.stderr


def test_the_identity_names_the_url_to_connect_to() -> None:
    result = CliRunner().invoke(
        app,
        [
            *("conformance", "station", *QUICK, "--ocpp", "2.0.1"),
            *("--identity", "CP-7", "--cases", "TC_M_24_CS"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "/ocpp/CP-7" in result.stderr


def test_a_command_line_that_cannot_run_exits_2() -> None:
    for extra, words in (
        (["--cases", "TC_999_CS"], "unknown case ids for OCPP 1.6: TC_999_CS"),
        (["--ocpp", "2.0.1", "--cases", "TC_999_CS"], "unknown case ids for OCPP 2.0.1: TC_999_CS"),
        (["--listen", "nowhere"], "'nowhere' is not HOST:PORT"),
        (["--listen", "127.0.0.1:70000"], "'127.0.0.1:70000' is not HOST:PORT"),
        (
            ["--chargeyard-api", "http://127.0.0.1:8000"],
            "--chargeyard-api needs --token and --charger-id",
        ),
        (
            ["--interactive", "--trigger-url", "http://127.0.0.1:8080"],
            "choose one trigger, not --trigger-url and --interactive",
        ),
    ):
        result = CliRunner().invoke(app, ["conformance", "station", *QUICK, *extra])
        assert result.exit_code == 2, extra
        assert words in " ".join(result.output.split()), (extra, result.output)


def test_an_address_that_cannot_be_bound_exits_2() -> None:
    result = CliRunner().invoke(
        app, ["conformance", "station", "--listen", "192.0.2.1:9000", "--cases", "TC_001_CS"]
    )
    assert result.exit_code == 2, result.output
    assert "cannot listen on 192.0.2.1:9000" in " ".join(result.output.split())
