"""``--cpu-report`` (``tests/cpu_report.py``): each test's own CPU and that of the child
processes it waited for, summed by file and by folder, in one process and through
pytest-xdist's workers; nothing is printed without the option."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.pytest_plugin.projects import INI, RUN_ARGS

ROOT = Path(__file__).resolve().parents[1]

# Spins for 0.2 s of CPU: in the test's process, or in a child process it waits for.
_SPIN = "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end: pass\n"
_OWN = "def test_spins():\n" + "".join(f"    {line}\n" for line in _SPIN.splitlines())
_CHILD = f"""
import subprocess, sys

def test_starts_a_spinning_child():
    subprocess.run([sys.executable, "-c", {_SPIN!r}], check=True)

def test_does_nothing():
    pass
"""
# As tests/pytest_plugin runs a project, with the report's plugin.
_INNER = (*RUN_ARGS, "-p", "tests.cpu_report")
_FILE_ROW = re.compile(r"^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\S+)$")


def _project(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI.format(mode="strict"))
    pytester.makepyfile(test_own=_OWN)
    pytester.mkpydir("sub")
    (pytester.path / "sub" / "test_child.py").write_text(_CHILD, encoding="utf-8")


def _files(lines: list[str]) -> dict[str, tuple[float, float, int]]:
    """file -> (own CPU, children's CPU, tests), from the report's rows."""
    rows = (_FILE_ROW.match(line) for line in lines)
    return {m[5]: (float(m[2]), float(m[3]), int(m[4])) for m in rows if m}


def test_a_test_s_own_cpu_and_its_child_s_are_counted_by_file_and_folder(
    pytester: pytest.Pytester,
) -> None:
    _project(pytester)
    result = pytester.runpytest(*_INNER, "--cpu-report")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*CPU by test file and folder*", "*s of CPU in 3 tests:*"])
    files = _files(result.stdout.lines)
    own, children, tests = files["test_own.py"]
    assert own >= 0.15
    assert tests == 1
    own, children, tests = files["sub/test_child.py"]
    assert children >= 0.15
    assert own < 0.15
    assert tests == 2
    result.stdout.re_match_lines([r"^\s*[\d.]+\s+2\s+sub$"])


def test_without_the_option_nothing_is_measured_or_printed(pytester: pytest.Pytester) -> None:
    _project(pytester)
    result = pytester.runpytest(*_INNER)
    result.assert_outcomes(passed=3)
    assert "CPU by test file" not in result.stdout.str()


@pytest.mark.slow  # starts pytest and two workers
def test_the_workers_measures_reach_the_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(pytester)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # (tests.cpu_report, in every worker)
    result = pytester.run(sys.executable, "-m", "pytest", "-n", "2", *_INNER, "--cpu-report=5")
    assert result.ret == 0, result.stdout.str()
    files = _files(result.stdout.lines)
    assert files["test_own.py"][0] >= 0.15
    assert files["sub/test_child.py"][1] >= 0.15
