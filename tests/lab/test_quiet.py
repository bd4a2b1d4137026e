"""Waiting for the log to go quiet before the start banner (``lab/quiet.py``), on a clock
the test moves."""

from __future__ import annotations

import logging
import threading

from chargeyard.lab.quiet import LogQuiet, unsplit, watching


class _Log:
    """A clock and a log that writes a record at each of ``at`` (seconds)."""

    def __init__(self, *at: float) -> None:
        self.now = 0.0
        self.pending = sorted(at)
        self.quiet = LogQuiet(lambda: self.now)
        self.slept: list[float] = []

    def write(self) -> None:
        self.quiet.handle(logging.LogRecord("x", logging.INFO, "", 0, "line", None, None))

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        end = self.now + seconds
        while self.pending and self.pending[0] <= end:
            self.now = self.pending.pop(0)
            self.write()
        self.now = end


async def test_a_quiet_log_lets_the_banner_out_at_once() -> None:
    log = _Log()
    assert await log.quiet.settle(0.5, 3.0, log.sleep) is True
    assert (log.now, log.slept) == (0.0, [])


async def test_the_banner_waits_for_the_last_line_and_a_quiet_moment() -> None:
    log = _Log(0.1, 0.3, 0.6)
    log.write()  # the stations are booting

    assert await log.quiet.settle(0.5, 3.0, log.sleep) is True
    assert log.now == 1.1  # half a second after the last line, at 0.6
    assert log.pending == []


async def test_a_log_that_never_stops_holds_the_banner_only_so_long() -> None:
    log = _Log(*[n / 10 for n in range(1, 100)])  # a line every 0.1 s for 10 s
    log.write()

    assert await log.quiet.settle(0.5, 3.0, log.sleep) is False
    assert log.now == 3.0


def test_the_watcher_sees_what_the_root_logger_writes_and_leaves() -> None:
    ticks = iter([5.0, 6.0])
    logger = logging.getLogger("chargeyard.tests.quiet")
    logger.setLevel(logging.INFO)
    with watching(lambda: next(ticks)) as quiet:
        logger.debug("filtered out by the logger's level: never written")
        assert quiet.last == float("-inf")
        logger.info("written")
        assert quiet.last == 5.0
    assert quiet not in logging.getLogger().handlers


def test_a_record_of_another_thread_waits_for_the_block() -> None:
    root = logging.getLogger()
    written: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: written.append(record.getMessage())  # type: ignore[method-assign]
    root.addHandler(handler)
    other = threading.Thread(target=lambda: logging.getLogger("chargeyard.other").warning("late"))
    try:
        with unsplit():
            written.append("banner")
            other.start()
            other.join(0.2)  # it blocks on the held handler instead of writing
            assert other.is_alive()
            written.append("banner, last line")
        other.join()
    finally:
        root.removeHandler(handler)
    assert written == ["banner", "banner, last line", "late"]
