"""``scripts/test``, the README's test command: it runs the PostgreSQL and Redis halves of the
suite against the machine's own services when they answer, and a run that skipped anything
ends by saying how many tests and what would run them."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import skipped_summary
from tests.processes import ROOT

# (Quick ones: what is checked is that none is skipped.)
THE_POSTGRESQL_AND_REDIS_TESTS = (
    "tests/store/test_id_tags.py",
    "tests/bus/test_redis_bus.py::test_every_key_expires_or_is_bounded_by_the_fleet",
)


def _skipped(location: str, reason: str) -> pytest.TestReport:
    return pytest.TestReport(
        nodeid=location,
        location=(location, 0, location),
        keywords={},
        outcome="skipped",
        longrepr=(location, 1, f"Skipped: {reason}"),
        when="setup",
    )


def test_nothing_skipped_adds_no_line() -> None:
    assert skipped_summary([]) is None


def test_the_skipped_tests_are_counted_by_what_would_run_them() -> None:
    postgres = "needs PostgreSQL: set CHARGEYARD_TEST_POSTGRES_URL"
    reports = [_skipped(f"tests/store/test_{n}.py", postgres) for n in range(3)]
    reports.append(_skipped("tests/web/test_x.py", "needs a browser: apt-get install x"))
    assert skipped_summary(reports) == (
        "chargeyard: 4 tests skipped: 3 needs PostgreSQL: set CHARGEYARD_TEST_POSTGRES_URL; "
        "1 needs a browser: apt-get install x"
    )


@pytest.mark.slow
def test_scripts_test_uses_the_local_postgresql_and_redis_when_they_answer() -> None:
    # A new user's environment: none of the variables .ci/run sets.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEYARD_TEST_")}
    done = subprocess.run(
        [str(ROOT / "scripts" / "test"), "-n", "0", "-q", *THE_POSTGRESQL_AND_REDIS_TESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "skipped" not in done.stdout, done.stdout[-3000:]
