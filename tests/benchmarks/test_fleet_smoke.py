"""The fleet benchmark runs end to end with tiny fleets.

Only that it runs and reports is checked here: the targets are judged by the benchmark itself
(docs/benchmarks-fleet.md), never by a timed unit test. ``--ocpp 2.1`` is the run
``benchmarks/fleet_versions.py`` makes too (both call ``_version_fleets.compare``); the order
of its rounds is checked on ``compare`` itself, with made-up fleets.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fleet.py"
FLEETS = ["chargeyard", "ocpp-lib"]
TARGETS = [
    r"20 booted in <= 0\.02 s",
    r"steady state <= 25% of one core",
    r"RSS per station <= 40 KB",
    r"boot time >= 3x better than ocpp-lib",
    r"steady-state CPU >= 3x better than ocpp-lib",
    r"RSS per station no worse than ocpp-lib",
]


def test_reports_both_fleets_and_judges_every_target(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--count", "20", "--steady-seconds", "1"]
    command += ["--settle-seconds", "0", "--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert completed.returncode == 0, completed.stderr
    rows = re.findall(r"^(chargeyard|ocpp-lib) +20 +(\d+\.\d+) s ", completed.stdout, re.M)
    assert [name for name, _ in rows] == FLEETS
    for target in TARGETS:
        assert re.search(rf"^(PASS|FAIL)  {target} ", completed.stdout, re.M), target
    results = json.loads(results_path.read_text())["results"]
    assert [result["fleet"] for result in results] == FLEETS
    for result in results:
        assert (result["stations"], result["booted"], result["charging"]) == (20, 20, 2)
        assert result["boot_seconds"] > 0
        assert result["steady_seconds"] >= 1


def test_ocpp_2_1_boots_against_2_0_1_fleets_of_the_same_run(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--ocpp", "2.1", "--count", "10", "--rounds", "1"]
    command += ["--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)

    assert completed.returncode == 0, completed.stderr
    rows = re.findall(r"^(2\.0\.1|2\.1) \((run \d|mean)\) +10 +\d+\.\d+ s ", completed.stdout, re.M)
    # The baseline first (the order of later rounds: the test below).
    assert rows == [("2.0.1", "run 1"), ("2.1", "run 2"), ("2.0.1", "mean"), ("2.1", "mean")]
    assert re.search(r"^ratio 2\.1/2\.0\.1: boot \d+\.\d+, fleet CPU ", completed.stdout, re.M)
    assert re.search(
        r"^(PASS|FAIL)  2\.1 boots no slower than 2\.0\.1 \(ratio <= 1\.10\) \d+\.\d+$",
        completed.stdout,
        re.M,
    )
    document = json.loads(results_path.read_text())
    assert (document["version"], document["baseline"]) == ("2.1", "2.0.1")
    assert [run["version"] for run in document["runs"]] == ["2.0.1", "2.1"]


def test_the_rounds_alternate_which_version_boots_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # The rounds' order without booting fleets: each fleet's figures are the run above's.
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    version_fleets = importlib.import_module("_version_fleets")
    measured: list[str] = []

    def measure(version: str, count: int, connects: int) -> Any:
        measured.append(version)
        boot_seconds = 1.0 if version == "2.0.1" else 1.05
        return version_fleets.Result(version, count, boot_seconds, 2.0, 1.0, 10.0)

    monkeypatch.setattr(version_fleets, "measure", measure)

    comparison = version_fleets.compare("2.1", "2.0.1", count=10, rounds=3, connects=5)

    assert measured == ["2.0.1", "2.1", "2.1", "2.0.1", "2.0.1", "2.1"]
    assert [run.version for run in comparison.runs] == measured
    assert comparison.ratio == pytest.approx(1.05)
    assert "PASS  2.1 boots no slower than 2.0.1 (ratio <= 1.10) 1.05" in comparison.lines


def test_ocpp_2_0_1_is_measured_against_2_1(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--ocpp", "2.0.1", "--count", "10", "--rounds", "1"]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)

    assert completed.returncode == 0, completed.stderr
    assert re.search(r"^ratio 2\.0\.1/2\.1: boot \d+\.\d+", completed.stdout, re.M)
    assert re.search(r"^(PASS|FAIL)  2\.1 boots no slower than 2\.0\.1 ", completed.stdout, re.M)
