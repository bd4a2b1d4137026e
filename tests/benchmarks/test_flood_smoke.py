"""The flood benchmark runs end to end with a small flood.

Only that it runs and reports both runs is checked here: the target is judged by the benchmark
itself, never by a timed unit test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "flood.py"


def test_reports_the_bystander_alone_and_under_the_flood(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--flood", "1500", "--calls", "20"]
    command += ["--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert completed.returncode == 0, completed.stderr
    assert re.search(r"^alone +\d+\.\d +\d+\.\d +0$", completed.stdout, re.M)
    assert re.search(r"^flood +\d+\.\d +\d+\.\d +\d+$", completed.stdout, re.M)
    assert re.search(r"p99 < 100 ms: (met|not met)$", completed.stdout, re.M)
    results = json.loads(results_path.read_text())
    assert [run["name"] for run in results] == ["alone", "flood"]
    assert results[1]["flood_answered_s"] > 0
