"""``tests/durations.json``: how long each test file's tests take, its fast tier's and its slow
tests' apart, as one run measured them. ``tests/conftest.py`` hands the files out to the
workers the longest first, by the seconds of the tests a run keeps.

``scripts/test --write-durations`` (the whole suite, as CI runs it) writes it again at the end
of the run: each test's setup, call and teardown, summed by file, in seconds. A file the
table does not name is taken as short, so a new long file is worth a refresh.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

TABLE = Path(__file__).resolve().parent / "durations.json"


def read() -> dict[str, dict[str, float]]:
    """The table: file (from the checkout's root) -> {"fast": seconds, "slow": seconds}."""
    table: dict[str, dict[str, float]] = json.loads(TABLE.read_text(encoding="utf-8"))
    return table


def seconds_kept(table: dict[str, dict[str, float]], name: str, *, slow_left_out: bool) -> float:
    """How long file ``name``'s tests take in a run that keeps them all, or only its fast tier
    (``slow_left_out``); 0 for a file the table does not name."""
    seconds = table.get(name, {})
    return seconds.get("fast", 0.0) + (0.0 if slow_left_out else seconds.get("slow", 0.0))


class Recorder:
    """A plugin that sums the run's test reports by file and tier and writes the table
    (``table``: :data:`TABLE`) once the run is over (in the process that gets every report:
    with xdist, the controller)."""

    def __init__(self, table: Path = TABLE) -> None:
        self._table = table
        self._seconds: defaultdict[str, defaultdict[str, float]] = defaultdict(
            lambda: defaultdict(float)
        )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        tier = "slow" if "slow" in report.keywords else "fast"
        self._seconds[report.nodeid.split("::")[0]][tier] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self._seconds:
            return
        table = {
            name: {tier: round(seconds.get(tier, 0.0), 1) for tier in ("fast", "slow")}
            for name, seconds in sorted(self._seconds.items())
        }
        self._table.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            total = sum(sum(seconds.values()) for seconds in table.values())
            reporter.write_line(f"{self._table}: {len(table)} files, {total:.0f} s")
