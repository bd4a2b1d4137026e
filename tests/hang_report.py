"""A test that hangs says where it waits, in the run's output, before pytest-timeout ends it.

pytest-timeout ends a test past its ``timeout`` (``pyproject.toml``) from a thread of its own,
and under pytest-xdist the stacks it prints go nowhere the run shows: the run only says that a
worker "crashed while running" the test. So :data:`MARGIN_S` before that end, this plugin
writes to the standard error the process had before pytest captured it (the workers share it
with ``scripts/test``'s output): the stack of every thread (``faulthandler``), and that of
every task of each event loop that runs, which for an asynchronous test is the ``await`` it is
stuck in. A test that ends in time costs a lock and a notification, on one watchdog thread.
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import linecache
import os
import threading
import time
from types import FrameType
from typing import Any, TextIO

import pytest

MARGIN_S = 5.0
"""How long before pytest-timeout ends a test its stacks are written."""

_WATCHDOG = pytest.StashKey["_Watchdog"]()


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("timeout"):
        # Standard error (descriptor 2) as it is now, before any test's capture replaces it.
        config.stash[_WATCHDOG] = _Watchdog(os.dup(2))


def pytest_unconfigure(config: pytest.Config) -> None:
    watchdog = config.stash.get(_WATCHDOG, None)
    if watchdog is not None:
        watchdog.close()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> None:
    """Arm the watchdog, then let pytest-timeout set its own timer (None: not handled)."""
    watchdog = item.config.stash.get(_WATCHDOG, None)
    if watchdog is not None and settings.timeout is not None and settings.timeout > MARGIN_S:
        watchdog.arm(item.nodeid, settings.timeout)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> None:
    watchdog = item.config.stash.get(_WATCHDOG, None)
    if watchdog is not None:
        watchdog.disarm()


class _Watchdog:
    """One thread, for the run, that writes the stacks once the armed test has run its
    timeout less :data:`MARGIN_S`; :meth:`close` ends it and lets the descriptor go."""

    def __init__(self, stderr_fd: int) -> None:
        self._stderr_fd = stderr_fd
        self._changed = threading.Condition()
        self._armed: tuple[str, float, float] | None = None  # (test, timeout, when to write)
        self._closed = False
        self._thread = threading.Thread(target=self._watch, name="hang-report", daemon=True)
        self._thread.start()

    def arm(self, test: str, timeout: float) -> None:
        with self._changed:
            self._armed = (test, timeout, time.monotonic() + timeout - MARGIN_S)
            self._changed.notify()

    def disarm(self) -> None:
        with self._changed:
            self._armed = None
            self._changed.notify()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify()
        self._thread.join()
        os.close(self._stderr_fd)

    def _watch(self) -> None:
        while True:
            with self._changed:
                if self._closed:
                    return
                armed = self._armed
                if armed is None:
                    self._changed.wait()
                    continue
                left = armed[2] - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                self._armed = None
            self._report(armed[0], armed[1])

    def _report(self, test: str, timeout: float) -> None:
        with os.fdopen(os.dup(self._stderr_fd), "w") as out:
            out.write(
                f"\n===== {test} has run {timeout - MARGIN_S:g} s of its {timeout:g} s timeout;"
                f" where it waits ({os.getpid()}):\n"
            )
            out.flush()
            faulthandler.dump_traceback(file=out, all_threads=True)
            for loop in _running_loops():
                _write_tasks(loop, out)
            out.write(f"===== end of {test}'s stacks\n")


def _running_loops() -> list[asyncio.AbstractEventLoop]:
    """The event loops that run now, in any thread (found among the live objects: a loop
    keeps no registry a thread other than its own may read)."""
    return [
        value
        for value in gc.get_objects()
        if isinstance(value, asyncio.AbstractEventLoop) and value.is_running()
    ]


def _write_tasks(loop: asyncio.AbstractEventLoop, out: TextIO) -> None:
    # Read from another thread while the loop runs: a task may finish meanwhile, which at
    # worst leaves its stack out. A diagnostic, not a measure.
    try:
        tasks = list(asyncio.all_tasks(loop))
    except RuntimeError:  # the set changed while it was copied
        return
    out.write(f"\n{len(tasks)} tasks of {loop!r}:\n")
    for task in tasks:
        out.write(f"{task.get_name()} ({task.get_coro()!r}), innermost await last:\n")
        for frame in _awaits(task.get_coro()):
            code = frame.f_code
            line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            out.write(f'  File "{code.co_filename}", line {frame.f_lineno}, in {code.co_name}\n')
            out.write(f"    {line}\n")
    out.flush()


def _awaits(awaitable: object) -> list[FrameType]:
    """The frames of a coroutine and of each it awaits, down to the innermost (a task's own
    stack, ``Task.get_stack``, holds only the outermost)."""
    frames: list[FrameType] = []
    while (frame := _first(awaitable, _FRAMES)) is not None and len(frames) < 100:
        frames.append(frame)
        awaitable = _first(awaitable, _AWAITS)
    return frames


def _first(value: object, names: tuple[str, ...]) -> Any:
    """The first of ``value``'s attributes ``names`` that is set (coroutines, generators and
    asynchronous generators name their frame and what they await differently)."""
    return next((a for a in (getattr(value, name, None) for name in names) if a is not None), None)


_FRAMES = ("cr_frame", "gi_frame", "ag_frame")
_AWAITS = ("cr_await", "gi_yieldfrom", "ag_await")
