"""Every command's log setup leaves out the libraries that log each request or connection at
INFO (an httpx line per webhook POST was half of a lab's log), and keeps chargeyard's own."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from chargeyard import logs
from chargeyard.lab import run
from chargeyard.sim_console import RecentLog, configure_sim_logging

CHATTY = ("httpx", "httpcore", "websockets", "alembic")
SETUPS: dict[str, Callable[[str], None]] = {
    "csms and sim (plain)": logs.configure_logging,
    "up": run.configure_logging,
    "sim (live view)": lambda level: configure_sim_logging(level, None, RecentLog()),
}


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """The root logger's handlers and the levels a setup changes, put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    factory = logging.getLogRecordFactory()
    names = [*CHATTY, "chargeyard"]
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers = handlers
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def as_at_startup(setup: Callable[[str], None], level: str) -> None:
    """Run ``setup`` on a root logger without handlers, as a command starts (pytest's own
    handlers, added for the test, would make ``logging.basicConfig`` do nothing)."""
    logging.getLogger().handlers = []
    setup(level)


@pytest.mark.parametrize("setup", SETUPS.values(), ids=SETUPS.keys())
def test_http_request_lines_are_left_out_and_our_own_stay(setup: Callable[[str], None]) -> None:
    as_at_startup(setup, "info")

    for name in CHATTY:
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
        assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    assert logging.getLogger("chargeyard.csms.webhook_delivery").isEnabledFor(logging.INFO)


@pytest.mark.parametrize("setup", SETUPS.values(), ids=SETUPS.keys())
def test_at_debug_everything_is_written(setup: Callable[[str], None]) -> None:
    as_at_startup(setup, "info")  # a setup made earlier in the process holds them back ...
    as_at_startup(setup, "debug")  # ... and one at DEBUG lets them all through again

    assert logging.getLogger("httpx").isEnabledFor(logging.DEBUG)


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("setup", SETUPS.values(), ids=SETUPS.keys())
def test_every_setup_escapes_control_characters_in_logged_values(
    setup: Callable[[str], None],
) -> None:
    as_at_startup(setup, "info")
    as_at_startup(setup, "info")  # (twice, as a test may: escaped once all the same)
    kept = _Kept()
    logging.getLogger().addHandler(kept)

    logging.getLogger("chargeyard.test").warning("vendor %s, %d connectors", "A\nB\x1b[2K", 2)

    [record] = kept.records
    assert record.getMessage() == "vendor A\\nB\\x1b[2K, 2 connectors"
