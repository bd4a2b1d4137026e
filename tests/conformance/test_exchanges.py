"""The suite's moves typed by action (``conformance/exchanges``): generated from the message
types, checked in as the generator writes them, and holding a case to its messages' keys."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mypy import api as mypy

import chargeyard
from chargeyard.conformance.exchanges import generate as generator
from chargeyard.protocol import V16, V201, VersionSpec

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
def test_the_checked_in_module_is_what_the_generator_writes(version: VersionSpec) -> None:
    written = generator.module_path(version).read_text("utf-8")
    assert written == generator.generate(version), (
        "stale: run python -m chargeyard.conformance.exchanges.generate"
    )


def test_the_modules_are_as_ruff_formats_and_checks_them() -> None:
    paths = [str(generator.module_path(version)) for version in generator.MODULES]
    for command in (["format", "--check", "--diff"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_action_with_an_answer_has_an_overload_of_every_move() -> None:
    source = generator.generate(V16)
    for move in generator.MOVES:
        assert f"class {move.name}(Protocol):" in source
    assert source.count('action: Literal["Authorize"]') == len(generator.MOVES)
    assert "RemoteStartTransactionResponse" in source


CASE = """\
from chargeyard.conformance.station_under_test.case_v16 import StationCaseV16


async def case(run: StationCaseV16) -> None:
    answer = await run.call("{action}", {{"idTag": "T1"}})
    status: str = answer["idTagInfo"]["{key}"]
    item = await run.expect("StartTransaction", where=lambda r: r.payload.get("idTag") == "T1")
    meter: int = item.payload["meterStart"]
"""


# mypy reads the modules the types of a case come from (the case class, the generated exchanges
# and messages) and takes the rest of chargeyard as unknown: `mypy --strict src` (.ci/run) checks
# the whole package, which following every import here had this run check again from a cold
# cache.
MYPY_INI = """\
[mypy]
mypy_path = {source}
strict = True
follow_imports = silent
[mypy-chargeyard.*]
follow_imports = skip
[mypy-chargeyard.conformance.station_under_test.case_v16,chargeyard.conformance.exchanges,\
chargeyard.conformance.exchanges.*,chargeyard.protocol.messages,chargeyard.protocol.messages.*]
follow_imports = silent
"""


@pytest.mark.slow  # a run of mypy
def test_mypy_holds_a_case_to_its_actions_messages(tmp_path: Path) -> None:
    variants = {
        "as_written": ("Authorize", "status"),
        "misspelt_key": ("Authorize", "statu"),
        "misspelt_action": ("Authorise", "status"),
    }
    for name, (action, key) in variants.items():
        (tmp_path / f"{name}.py").write_text(CASE.format(action=action, key=key), "utf-8")
    source = Path(chargeyard.__file__).resolve().parents[1]
    (tmp_path / "mypy.ini").write_text(MYPY_INI.format(source=source), "utf-8")
    report, errors, status = mypy.run(
        [
            "--config-file",
            str(tmp_path / "mypy.ini"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            *(str(tmp_path / f"{name}.py") for name in variants),
        ]
    )
    assert errors == ""
    assert status == 1
    found = sorted(
        line.replace(str(tmp_path) + "/", "").split(": ", 1)[0] + ": " + line.rsplit("  ", 1)[-1]
        for line in report.splitlines()
        if ": error: " in line
    )
    assert found == [
        "misspelt_action.py:5: [call-overload]",
        "misspelt_key.py:6: [typeddict-item]",
    ]
