"""``tests/browser_loop.py``: once a worker's Playwright marks its loop as the main thread's
running loop, the asynchronous tests and ``asyncio.run`` after it still run, and the browser
tests find the mark where Playwright left it. A project of its own stands in for Playwright
with a ``playwright`` fixture that marks a loop, as the real one does between its calls."""

from __future__ import annotations

import pytest

from tests.pytest_plugin.projects import INI, RUN_ARGS

_PROJECT = """
import asyncio

import pytest

MARKED = asyncio.new_event_loop()


@pytest.fixture(scope="session")
def playwright():
    asyncio._set_running_loop(MARKED)  # what Playwright's wait_for_future does
    yield MARKED
    asyncio._set_running_loop(None)


def test_a_browser_test(playwright):
    assert asyncio._get_running_loop() is MARKED


async def test_an_asynchronous_test_after_it():
    await asyncio.sleep(0)


def test_a_synchronous_test_running_a_loop_of_its_own():
    assert asyncio.run(asyncio.sleep(0, result="ran")) == "ran"


def test_a_browser_test_again(playwright):
    assert asyncio._get_running_loop() is MARKED
"""


def test_tests_after_a_browser_test_run_their_own_loops(pytester: pytest.Pytester) -> None:
    # (Without the plugin, the two in the middle fail: "Cannot run the event loop while
    # another loop is running".)
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(test_order=_PROJECT)
    result = pytester.runpytest(*RUN_ARGS, "-p", "no:randomly", "-p", "tests.browser_loop")
    result.assert_outcomes(passed=4)
