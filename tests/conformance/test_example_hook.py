"""The worked example of docs/conformance-hooks.md, run as a user runs it: the CSMS on the
`ocpp` library and its hook as a process of their own (``python
examples/conformance_hook_ocpp_lib.py``), and ``chargeyard conformance csms --trigger-url``
against them, with no id tag on the command line: the hook makes the CSMS send what the cases
order and sets up the tags. Every 1.6 Core case is judged and passes, the CSMS-initiated ones
included; the rest of the plain run is judged as far as the tiny CSMS goes."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargeyard.cli import app
from chargeyard.conformance.catalog import UnderTest, cases_of
from chargeyard.protocol import V16
from tests.conformance.example_hook import EXAMPLE
from tests.conformance.test_csms_plain_run import STATION_INITIATED_CORE
from tests.ports import free_port

pytestmark = pytest.mark.slow

CORE = [case.id for case in cases_of(V16, UnderTest.CSMS) if case.in_profiles({"Core"})]
CSMS_INITIATED_CORE = sorted(set(CORE) - set(STATION_INITIATED_CORE))


def _listening(port: int, process: subprocess.Popen[str], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, "the example ended before it listened"
        assert time.monotonic() < deadline, f"the example did not listen within {within:g} s"
        time.sleep(0.05)


def test_the_example_hook_makes_every_16_core_case_judge(tmp_path: Path) -> None:
    assert len(CSMS_INITIATED_CORE) == 19  # remote start/stop, reset, unlock, configuration...
    ocpp_port, hook_port = free_port(), free_port()
    example = subprocess.Popen(
        [
            sys.executable,
            str(EXAMPLE),
            "--ocpp-port",
            str(ocpp_port),
            "--hook-port",
            str(hook_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _listening(ocpp_port, example)
        _listening(hook_port, example)
        arguments = [
            "conformance",
            "csms",
            "--url",
            f"ws://127.0.0.1:{ocpp_port}/ocpp",
            "--identity",
            "CP-TEST",
            "--trigger-url",
            f"http://127.0.0.1:{hook_port}",
            "--step-timeout",
            "10",
            "--report",
            str(tmp_path / "report"),
        ]
        result = CliRunner().invoke(app, arguments)
    finally:
        example.terminate()
        example.wait(10)
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    outcomes = {case["id"]: case["outcome"] for case in report["cases"]}
    reasons = {case["id"]: case.get("reason") for case in report["cases"]}
    for case in CORE:
        assert outcomes[case] == "pass", (case, reasons[case], result.stderr[-3000:])
    # Beyond Core, the tiny CSMS signs no certificate: the two cases of the station's own
    # certificate fail, rightly; everything else the plain run can judge passes.
    failed = {case for case, outcome in outcomes.items() if outcome == "fail"}
    assert failed == {"TC_074_CSMS", "TC_077_CSMS"}, {case: reasons[case] for case in failed}
    assert (
        reasons["TC_074_CSMS"] == "the CSMS answered SignCertificate with CALLERROR NotImplemented"
    )
    assert result.exit_code == 1
    assert "77 cases: 71 judged (69 pass, 2 fail)" in result.stderr


def _documented() -> tuple[list[str], list[str], str]:
    """docs/conformance-hooks.md's "Writing one": the example's command, the suite's, and the
    count the page says the run ends with."""
    text = (Path(__file__).parents[2] / "docs" / "conformance-hooks.md").read_text()
    section = text.split("## Writing one", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    [example_command] = [command for command in commands if command[0] == "python"]
    [suite_command] = [command for command in commands if command[0] == "chargeyard"]
    count = section.split("The run ends with `", 1)[1].split("`", 1)[0]
    return example_command, suite_command, count


def test_the_documented_commands_work_as_printed() -> None:
    example_command, suite_command, count = _documented()
    ports = {"9000": str(free_port()), "8080": str(free_port())}

    def ported(command: list[str]) -> list[str]:
        for printed, chosen in ports.items():
            command = [part.replace(printed, chosen) for part in command]
        return command

    assert example_command[1] == "examples/conformance_hook_ocpp_lib.py"
    example = subprocess.Popen(
        [sys.executable, *ported(example_command)[1:]],
        cwd=EXAMPLE.parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _listening(int(ports["9000"]), example)
        _listening(int(ports["8080"]), example)
        result = CliRunner().invoke(app, ported(suite_command)[1:])
    finally:
        example.terminate()
        example.wait(10)
    assert result.exit_code == 0, result.stderr[-3000:]
    assert count in result.stderr.splitlines()
