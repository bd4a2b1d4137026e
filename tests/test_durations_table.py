"""``tests/durations_table.py``: the table the workers' order reads, written by a run
(``scripts/test --write-durations``), each file's fast tier and slow tests apart."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests import durations_table


def _report(nodeid: str, when: str, seconds: float, *marks: str) -> pytest.TestReport:
    keywords: dict[str, Any] = {name: 1 for name in (nodeid.rsplit("::", 1)[-1], *marks)}
    return pytest.TestReport(nodeid, (nodeid, 0, ""), keywords, "passed", None, when, [], seconds)


def test_a_run_s_reports_are_summed_by_file_and_tier(tmp_path: Path) -> None:
    table = tmp_path / "durations.json"
    recorder = durations_table.Recorder(table)
    for report in (
        _report("tests/a.py::test_quick", "setup", 0.25),
        _report("tests/a.py::test_quick", "call", 1.0),
        _report("tests/a.py::test_quick", "teardown", 0.25),
        _report("tests/a.py::test_process", "call", 4.0, "slow"),
        _report("tests/b.py::test_browser[chromium]", "call", 2.0, "slow"),
    ):
        recorder.pytest_runtest_logreport(report)
    no_reporter = SimpleNamespace(pluginmanager=SimpleNamespace(get_plugin=lambda name: None))
    recorder.pytest_sessionfinish(SimpleNamespace(config=no_reporter))  # type: ignore[arg-type]

    assert json.loads(table.read_text()) == {
        "tests/a.py": {"fast": 1.5, "slow": 4.0},
        "tests/b.py": {"fast": 0.0, "slow": 2.0},
    }


def test_a_run_without_reports_leaves_the_table_as_it_was(tmp_path: Path) -> None:
    table = tmp_path / "durations.json"
    table.write_text("{}\n")
    durations_table.Recorder(table).pytest_sessionfinish(None)  # type: ignore[arg-type]
    assert table.read_text() == "{}\n"


def test_the_checked_in_table_names_each_file_s_tiers() -> None:
    table = durations_table.read()
    assert table, "tests/durations.json is empty"
    assert all(set(seconds) == {"fast", "slow"} for seconds in table.values())
    assert all(Path(name).parts[0] == "tests" for name in table)


def test_a_file_s_seconds_are_its_fast_tier_s_when_the_run_leaves_the_slow_tests_out() -> None:
    table = {"tests/a.py": {"fast": 1.5, "slow": 4.0}}
    assert durations_table.seconds_kept(table, "tests/a.py", slow_left_out=False) == 5.5
    assert durations_table.seconds_kept(table, "tests/a.py", slow_left_out=True) == 1.5
    assert durations_table.seconds_kept(table, "tests/new.py", slow_left_out=False) == 0.0
