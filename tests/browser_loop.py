"""Browser tests and asynchronous tests in one worker, in any order.

Playwright's synchronous API runs its event loop in a greenlet of its own and, between two of
its calls, marks that loop as the main thread's running loop (``wait_for_future`` in
``playwright/_impl/_greenlets.py``: so that a test mixing it with asyncio fails loudly). Once a
worker has started Playwright, every ``asyncio.run``, and the runner pytest-asyncio starts for
each asynchronous test, would refuse to start ("Cannot run the event loop while another loop
is running"). Otherwise every worker would have to run its browser files last, and their
waits on the pages' polls would leave the cores idle for the run's last minute or more.

So a test that uses no browser runs with the running loop unset (the Playwright loop is
suspended meanwhile: nothing is asked of the browser), and Playwright's mark is put back after
the test. The one teardown outside a test is the worker's Playwright itself: ``browser`` and
``playwright`` (``tests/web/conftest.py``) close at the end of the run rather than in the
teardown of whichever test is a worker's last, which may be one without a browser.
``asyncio._get_running_loop`` and ``_set_running_loop`` are the functions Playwright itself
marks the loop with; ``tests/test_browser_loop.py`` fails if either stops doing so."""

from __future__ import annotations

import asyncio
from collections.abc import Generator

import pytest


def uses_a_browser(item: pytest.Item) -> bool:
    """Whether the test drives Playwright: its fixtures (``page``, ``browser``, ...) need
    ``playwright``'s."""
    return "playwright" in getattr(item, "fixturenames", ())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    marked = asyncio._get_running_loop()
    if marked is None or uses_a_browser(item):
        return (yield)
    asyncio._set_running_loop(None)
    try:
        return (yield)
    finally:
        asyncio._set_running_loop(marked)
