"""Browser tests drive Debian's Chromium through Playwright (its own browser download is not
reachable here): its headless shell (package ``chromium-headless-shell``, what Playwright itself
runs headless), else the whole browser (``chromium``); the tests that need a browser are
skipped, saying why, when neither is installed. The shell renders with the same engine on a
third less CPU: no window, GPU or browser features to carry.

Every browser test is synchronous, against a real server in a thread (``live_lab.py``) or a
``chargeyard up`` (``up_lab.py``). Playwright marks its loop as the main thread's running loop
between its calls; ``tests/browser_loop.py`` unsets it around every other test, so that a
worker runs browser files and asynchronous ones in any order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.web.live_lab import LiveLab
from tests.web.up_lab import UpLab

BROWSERS = (Path("/usr/bin/chromium-headless-shell"), Path("/usr/bin/chromium"))
SCREENSHOTS_SETTING = "CHARGEYARD_SCREENSHOTS_DIR"
"""Where the screenshot tests save the main views: the README's pictures are refreshed with
``CHARGEYARD_SCREENSHOTS_DIR=docs/screenshots scripts/test tests/web -k screenshot``; a run
without it saves them in its temporary directory, leaving the checkout as it was."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    installed = [browser for browser in BROWSERS if browser.exists()]
    if not installed:
        missing = " and ".join(str(browser) for browser in BROWSERS)
        if os.environ.get("CHARGEYARD_TEST_BROWSER") == "required":  # .ci/run: never skip
            pytest.fail(f"{missing} are missing and CHARGEYARD_TEST_BROWSER=required")
        pytest.skip("needs a browser: apt-get install chromium-headless-shell")
    return {
        **browser_type_launch_args,
        "executable_path": str(installed[0]),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def playwright(pytestconfig: pytest.Config) -> Playwright:
    """pytest-playwright's, stopped when the worker ends rather than in the teardown of its
    last test, which may be an asynchronous one (``tests/browser_loop.py``)."""
    started = sync_playwright().start()
    pytestconfig.add_cleanup(started.stop)
    return started


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config, launch_browser: Callable[[], Browser]) -> Browser:
    """pytest-playwright's, closed when the worker ends (before Playwright stops: the
    clean-ups run last added, first)."""
    launched = launch_browser()
    pytestconfig.add_cleanup(launched.close)
    return launched


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The laptop screen the dashboard is designed for.
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}}


@pytest.fixture(scope="module")
def live_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLab]:
    """The CSMS and the API with the dashboard (and its sign-in link), running for a
    module's tests (each test connects stations of its own identities)."""
    lab = LiveLab(tmp_path_factory.mktemp("dashboard")).open()
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="module")
def bare_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLab]:
    """The same without a sign-in link (a deployment, not a local start)."""
    lab = LiveLab(tmp_path_factory.mktemp("bare"), sign_in=False).open()
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="module")
def up_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpLab]:
    """``chargeyard up`` in a subprocess, its demo site running, for a module's tests (each
    test acts on chargers of its own)."""
    lab = UpLab(tmp_path_factory.mktemp("up")).open()
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the screenshot tests write into (``SCREENSHOTS_SETTING``)."""
    chosen = os.environ.get(SCREENSHOTS_SETTING)
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
