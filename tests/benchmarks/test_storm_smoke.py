"""The reconnection storm benchmark runs end to end with a tiny fleet.

Only that it runs and reports is checked here: its figures are the benchmark's to print,
never a timed unit test's to judge.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "storm.py"
PHASES = ["cold boot", "storm", "storm + jitter"]


def test_reports_every_phase_with_every_station_back(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--count", "12", "--jitter-seconds", "1"]
    command += ["--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert completed.returncode == 0, completed.stderr
    rows = re.findall(r"^(cold boot|storm \+ jitter|storm) +12 +\d+\.\d+s", completed.stdout, re.M)
    assert rows == PHASES
    assert len(re.findall(r"booted again after the storm", completed.stdout)) == 2
    results = json.loads(results_path.read_text())["results"]
    assert [result["phase"] for result in results] == PHASES
    for result in results:
        assert (result["stations"], result["booted"]) == (12, 12)
        assert result["wall_seconds"] > 0
