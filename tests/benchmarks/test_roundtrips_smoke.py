"""The round-trip benchmark runs end to end with a tiny fleet.

Only that it runs and reports is checked here: speed targets are shown by the benchmark itself
(docs/benchmarks.md), never by a timed unit test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "roundtrips.py"
IMPLEMENTATIONS = ["raw", "chargeyard", "ocpp-lib"]


def test_reports_round_trips_of_all_three_implementations_and_both_ratios(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--connections", "10", "--duration", "1"]
    command += ["--warmup", "0.5", "--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    assert completed.returncode == 0, completed.stderr
    rows = re.findall(r"^(raw|chargeyard|ocpp-lib) +(\d+) ", completed.stdout, re.MULTILINE)
    assert [name for name, _ in rows] == IMPLEMENTATIONS
    assert all(int(rate) > 0 for _, rate in rows)
    assert re.search(r"^chargeyard/raw += \d+\.\d+ \(target >= 0\.5: ", completed.stdout, re.M)
    assert re.search(r"^chargeyard/ocpp-lib += \d+\.\d+ \(target >= 4: ", completed.stdout, re.M)
    results = json.loads(results_path.read_text())["results"]
    assert [result["implementation"] for result in results] == IMPLEMENTATIONS
    assert all(result["round_trips"] > 0 for result in results)
    assert all(result["connections"] == 10 for result in results)
