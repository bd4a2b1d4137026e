"""The gateway fan-out benchmark runs end to end with a tiny location.

Only that it runs and reports is checked here: the targets are judged by the benchmark itself
on 1,000 chargers, never by a timed unit test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gateway_fanout.py"
COMMANDS = ["plug-connector", "unplug-connector"]


def test_reports_each_command_and_judges_every_target(tmp_path: Path) -> None:
    results_path = tmp_path / "results.json"
    command = [sys.executable, str(SCRIPT), "--count", "10", "--json", str(results_path)]

    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert completed.returncode == 0, completed.stderr
    assert "POST /ocpp/commands/{plug-connector,unplug-connector}" in completed.stdout
    rows = re.findall(r"^([a-z-]+) +10 +10 +0 +\d+ ms +10 ", completed.stdout, re.M)
    assert rows == COMMANDS
    for name, status in (("plug-connector", "Preparing"), ("unplug-connector", "Available")):
        assert re.search(rf"^(PASS|FAIL)  {name}: 202 in <= 200 ms ", completed.stdout, re.M)
        target = rf"^(PASS|FAIL)  {name}: 10 StatusNotification\({status}\) in <= 2 s "
        assert re.search(target, completed.stdout, re.M)
    results = json.loads(results_path.read_text())["results"]
    assert [result["command"] for result in results] == COMMANDS
    for result in results:
        assert (result["chargers"], result["queued"], result["statuses"]) == (10, 10, 10)
        # No order between the two: with ten chargers the statuses can reach the central
        # system before the 202 reaches the client.
        assert result["accepted_seconds"] > 0
        assert 0 < result["first_status_seconds"] <= result["all_statuses_seconds"]
        assert result["outcomes_seconds"] > 0
