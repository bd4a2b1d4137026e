"""``tests/hang_report.py``: a test that outlives its timeout has its threads' stacks and its
tasks' awaits written to the run's output before pytest-timeout ends it, through
pytest-xdist's workers too; a test that ends in time writes nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.pytest_plugin.projects import INI, RUN_ARGS

ROOT = Path(__file__).resolve().parents[1]

_HANGS = """
import asyncio

async def waits_for_what_never_comes():
    await asyncio.sleep(600)

async def test_hangs():
    await waits_for_what_never_comes()

def test_ends_in_time():
    pass
"""
_INNER = (*RUN_ARGS, "-p", "tests.hang_report")
# As the suite ends a test past its timeout (pyproject.toml): its worker, from a thread.
_TIMEOUT = ("-o", "timeout_method=thread", "-o")


def _project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(test_hangs=_HANGS)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # (tests.hang_report, in every worker)


@pytest.mark.slow  # starts pytest and two workers, and waits out a 7 s timeout
def test_a_hanging_test_s_awaits_reach_the_run_s_output_before_its_worker_ends(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(pytester, monkeypatch)
    result = pytester.run(
        sys.executable, "-m", "pytest", "-n", "2", *_INNER, *_TIMEOUT, "timeout=7", timeout=60
    )
    assert result.ret != 0
    output = result.outlines + result.errlines
    text = "\n".join(output)
    assert "test_hangs.py::test_hangs has run 2 s of its 7 s timeout" in text, text
    # The innermost await last, under the task's own coroutine.
    awaits = [line.strip() for line in output if line.strip().startswith("await ")]
    assert awaits[:2] == ["await waits_for_what_never_comes()", "await asyncio.sleep(600)"]
    assert "crashed while running 'test_hangs.py::test_hangs'" in text
    assert "test_ends_in_time has run" not in text


def test_a_test_that_ends_in_time_writes_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(pytester, monkeypatch)
    result = pytester.run(
        sys.executable, "-m", "pytest", *_INNER, *_TIMEOUT, "timeout=6", "-k", "in_time", timeout=60
    )
    assert result.ret == 0, result.stdout.str()
    assert "where it waits" not in result.stdout.str() + result.stderr.str()
