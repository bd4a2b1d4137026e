"""The CSMS benchmark runs end to end with a tiny fleet.

Only that it runs, loads both central systems and reports is checked here: the targets are
judged by the benchmark itself, never by a timed unit test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "csms.py"
CSMS = ["chargeyard", "ocpp-lib"]
CHECKS = [
    r"persisted msgs/s >= 5,000",
    r"REST p99 <= 50 ms, no errors",
    r"persisted msgs/s >= 4x ocpp-lib",
]


def test_reports_both_central_systems_and_judges_every_target(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--stations", "20", "--seconds", "2"]
    command += ["--warmup", "0.5", "--rest-rate", "10", "--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    assert completed.returncode == 0, completed.stderr
    rows = re.findall(r"^(chargeyard|ocpp-lib) +20 +(\d+) +(\d+) ", completed.stdout, re.M)
    assert [name for name, _, _ in rows] == CSMS
    for check in CHECKS:
        assert re.search(rf"^{re.escape(check)} +\S+ +(met|NOT met)$", completed.stdout, re.M)
    results = json.loads(results_path.read_text())["results"]
    assert [result["csms"] for result in results] == CSMS
    for result in results:
        assert result["stations"] == 20
        assert result["answered_per_second"] > 0
        # Counted in each database, not taken from the answers.
        assert result["persisted_values"] > 0
        assert result["persisted_per_second"] > 0
        assert result["rest_commands"] > 0
        assert result["rest_errors"] == 0, result["rest_error_examples"]
