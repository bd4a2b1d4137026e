"""The bus benchmark runs end to end, both designs, at a tiny size.

Only that it runs and reports every figure of both designs and their ratios is checked here:
which design is faster is the benchmark's to show (docs/benchmarks-bus.md), never a timed
unit test's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bus.py"


def test_reports_both_designs_every_figure_and_the_ratios(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server: apt-get install redis-server")
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--concurrency", "1,4", "--duration", "0.5"]
    command += ["--warmup", "0", "--rounds", "1", "--queued", "50", "--takeover", "20"]
    command += ["--alive-ttl", "2"]
    command += ["--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)

    assert completed.returncode == 0, completed.stderr
    rows = re.findall(r"^(lists|streams) +([14]) +(\d+) ", completed.stdout, re.MULTILINE)
    assert [(design, level) for design, level, _ in rows] == [
        ("lists", "1"),
        ("streams", "1"),
        ("lists", "4"),
        ("streams", "4"),
    ]
    assert all(int(rate) > 0 for _, _, rate in rows)
    takeovers = re.findall(
        r"^(lists|streams) +\d+\.\d +(\d+) of 21 +(\d+) ", completed.stdout, re.M
    )
    answered = {
        design: (int(answered), int(by_survivor)) for design, answered, by_survivor in takeovers
    }
    # (the lists' frozen node may have popped one with the BLPOP it was blocked in: lost)
    assert answered["lists"] in {(20, 20), (21, 21)}
    assert answered["streams"] == (21, 21)  # (what it read and had not taken is handed on)
    for label in ("round trips/s at 4", "CPU per round trip at 1", "Redis bytes per queued"):
        assert re.search(rf"^streams/lists {label}.*= \d+\.\d\d$", completed.stdout, re.M)
    results = json.loads(results_path.read_text())["results"]
    assert {w["design"] for w in results["windows"]} == {"lists", "streams"}
    assert all(w["round_trips_per_second"] > 0 for w in results["windows"])
    assert all(size > 0 for size in results["queued_bytes_per_request"].values())
    assert all(t[0]["by_survivor"] >= 20 for t in results["takeovers"].values())
