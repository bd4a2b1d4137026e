"""``chargeyard probe`` from the command line: exit code 0 when every case passes (a real
process against chargeyard's CSMS, its JUnit report written), 1 when some fail (the `ocpp`
library's CSMS, its plain progress lines), 2 for a command line that cannot run."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from chargeyard.cli import app
from chargeyard.csms.server import CsmsServer
from chargeyard.probe import Group
from chargeyard.protocol import V16
from tests.conformance.tag_knowing_csms import tag_knowing_csms
from tests.probe.conftest import IDENTITY, PASSWORD, url_of
from tests.processes import chargeyard, environment


@pytest.mark.slow  # a process of its own
async def test_all_passing_exits_0_and_writes_the_junit_report(
    csms: CsmsServer, tmp_path: Path
) -> None:
    report = tmp_path / "probe.xml"
    process = await asyncio.create_subprocess_exec(
        *chargeyard(
            "probe",
            *("--url", url_of(csms), "--identity", IDENTITY, "--password", PASSWORD),
            *("--ocpp", "1.6", "--seed", "9", "--report", "junit", "--output", str(report)),
        ),
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)
    errors = err.decode()
    assert process.returncode == 0, errors
    assert out == b""
    suite = ElementTree.parse(report).getroot()
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", "0")
    # Not a terminal: one plain line per group, then the run's seed and its summary.
    lines = errors.splitlines()
    assert [line.split(":")[0] for line in lines if not line.startswith(("wrote", "seed"))] == [
        group.value for group in Group
    ]
    assert lines[-1].startswith("seed 9: ")
    assert lines[-1].endswith("0 failed, 0 inconclusive (100.0% passed)")


async def test_some_failing_exits_1_and_the_report_says_which(tmp_path: Path) -> None:
    report = tmp_path / "probe.json"
    async with tag_knowing_csms(V16) as url:
        arguments = ["probe", "--url", url, "--identity", "CP-LIB", "--seed", "2"]
        arguments += ["--report", "json", "--output", str(report)]
        result = await asyncio.to_thread(CliRunner().invoke, app, arguments)
    assert result.exit_code == 1, result.output
    shown = json.loads(report.read_text())
    assert shown["verdicts"]["failed"] > 0
    assert f"seed 2: {shown['summaryLine']}" in result.stderr


def test_a_csms_the_probe_cannot_reach_exits_1_and_says_why() -> None:
    arguments = ["probe", "--url", "ws://127.0.0.1:9/ocpp", "--identity", "CP-1", "--seed", "1"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[-2] == ("seed 1: 80 cases: 0 passed, 0 failed, 80 inconclusive (0.0% passed)")
    assert lines[-1].startswith("77 cases found no station to run on: the station's own handshake")
    assert "could not connect to ws://127.0.0.1:9/ocpp/CP-1" in lines[-1]


def test_a_command_line_that_cannot_run_exits_2() -> None:
    base = ["probe", "--url", "ws://127.0.0.1:9/ocpp", "--identity", "CP-1"]
    for extra, words in (
        (["--ocpp", "2.1"], "the probe's cases are written for OCPP 1.6 and 2.0.1"),
        (["--ocpp", "3.0"], "--ocpp"),
        (["--report", "html"], "--report"),
        (["--timeout", "0"], "--timeout"),
    ):
        result = CliRunner().invoke(app, [*base, *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert words in " ".join(result.output.split()), (extra, result.output)
    result = CliRunner().invoke(app, ["probe", "--url", "http://x/ocpp", "--identity", "CP-1"])
    assert result.exit_code == 2
    assert "a ws:// or wss:// URL" in result.output
