"""The fleet benchmark runs end to end with tiny fleets.

Only that it runs and reports is checked here: the targets are judged by the benchmark itself
(docs/benchmarks-fleet.md), never by a timed unit test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

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
