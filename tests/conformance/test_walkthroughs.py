"""docs/conformance.md's walk-throughs work as printed: "Testing your CSMS" against the CSMS of
the `ocpp` library it prints, "Testing your charger" with the charger on the library's
``ChargePoint`` it prints. Each script is saved and started as a process, the suite runs the
command the page prints (its port changed for a free one), and every output line the page
shows is one the run printed, its count and exit code included."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from chargeyard.cli import app
from tests.ports import free_port

pytestmark = pytest.mark.slow

PAGE = Path(__file__).parents[2] / "docs" / "conformance.md"


def _section(title: str) -> str:
    text = PAGE.read_text()
    after = text.split(f"\n## {title}\n", 1)[1]
    return after.split("\n## ", 1)[0]


def _blocks(section: str, language: str) -> list[str]:
    """The section's fenced blocks of ``language`` ("" for plain ones), dedented."""
    blocks = []
    for part in section.split("```")[1::2]:
        tag, _, body = part.partition("\n")
        if tag.strip() == language:
            blocks.append(textwrap.dedent(body))
    return blocks


def _command(block: str, port: int, printed_port: int) -> list[str]:
    """The printed ``chargeyard ...`` command's arguments, on ``port``."""
    command = shlex.split(block.replace("\\\n", " "))
    assert command[:2] == ["chargeyard", "conformance"], command
    return [part.replace(str(printed_port), str(port)) for part in command[1:]]


def _shown_lines(block: str, port: int, printed_port: int) -> list[str]:
    return [line.replace(str(printed_port), str(port)) for line in block.strip().splitlines()]


@contextmanager
def _started(script: str, directory: Path, name: str) -> Iterator[subprocess.Popen[str]]:
    """``python NAME`` in ``directory``, stopped on the way out."""
    (directory / name).write_text(script)
    process = subprocess.Popen(
        [sys.executable, name], cwd=directory, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)


def _listening(port: int, process: subprocess.Popen[str], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while True:  # until the CSMS listens
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, "it ended before it listened"
        assert time.monotonic() < deadline, f"nothing listened within {within:g} s"
        time.sleep(0.05)


def _printed(result: Result, shown: list[str]) -> None:
    printed = result.stderr.splitlines()
    for line in shown:
        assert line in printed, (line, result.stderr[-3000:])


def test_testing_your_csms_works_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where --report report writes
    section = _section("Testing your CSMS")
    script, fix = _blocks(section, "python")
    [run] = _blocks(section, "sh")
    [output] = _blocks(section, "")
    port = free_port()
    with _started(script.replace("29000", str(port)), tmp_path, "my_csms.py") as csms:
        _listening(port, csms)
        result = CliRunner().invoke(app, _command(run, port, 29000))
    assert result.exit_code == 1, result.output  # "The exit code is 1: a case failed."
    _printed(result, _shown_lines(output, port, 29000))
    assert sorted(path.name for path in (tmp_path / "report").iterdir()) == [
        "junit.xml",
        "report.html",
        "report.json",
    ]

    # "Add one and it passes": the DataTransfer handler, in the class, judged again.
    method = textwrap.indent(fix.rstrip(), "    ")
    fixed = script.replace("\n\nasync def station", "\n" + method + "\n\n\nasync def station")
    assert fixed != script
    port = free_port()
    with _started(fixed.replace("29000", str(port)), tmp_path, "my_fixed_csms.py") as csms:
        _listening(port, csms)
        again = CliRunner().invoke(app, [*_command(run, port, 29000), "--cases", "TC_064_CSMS"])
    assert again.exit_code == 0, again.output
    assert "1 case: 1 judged (1 pass, 0 fail)" in again.stderr.splitlines()


def test_testing_your_charger_works_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where --report report writes
    section = _section("Testing your charger")
    [script] = _blocks(section, "python")
    [run] = _blocks(section, "sh")
    listening, output = _blocks(section, "")
    port = free_port()
    # The charger dials until the suite listens, as it would started after it.
    with _started(script.replace("29001", str(port)), tmp_path, "my_charger.py") as charger:
        result = CliRunner().invoke(app, _command(run, port, 29001))
        assert charger.poll() is None, "the charger ended"
    assert result.exit_code == 1, result.output
    _printed(result, _shown_lines(listening, port, 29001) + _shown_lines(output, port, 29001))
