"""Which event loop a chargeyard server process runs on.

uvloop (libuv) when it is installed, which it is wherever it builds (not on Windows), unless the
environment says otherwise. On the CSMS benchmark (``benchmarks/csms.py``: 1,000 stations
sending MeterValues with persistence on, 2 cores) the listener's event loop is the bottleneck,
and about a fifth of its time went to the selector loop and socket calls; on uvloop the same
code carried 3,419 persisted messages/s against 2,881 in a back-to-back pair, with a REST p99 of
90 against 142 ms (``docs/benchmarks-csms.md``).

``CHARGEYARD_EVENT_LOOP`` picks: ``auto`` (the default: uvloop if installed, else asyncio's own
loop), ``uvloop`` (an error if it is not installed) or ``asyncio``. The test suite runs on
asyncio's loop, and the CSMS's tests again on uvloop in the same run (``tests/conftest.py``); with
``CHARGEYARD_EVENT_LOOP=uvloop`` every test runs on uvloop (``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

ENVIRONMENT_VARIABLE = "CHARGEYARD_EVENT_LOOP"
CHOICES = ("auto", "uvloop", "asyncio")

T = TypeVar("T")

LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loop_factory(choice: str | None = None) -> tuple[str, LoopFactory]:
    """The chosen loop's name and factory. ``choice`` defaults to the environment's.

    Raises:
        ValueError: an unknown choice, or ``uvloop`` asked for and not installed.
    """
    if choice is None:
        choice = os.environ.get(ENVIRONMENT_VARIABLE, "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ValueError(f"{ENVIRONMENT_VARIABLE}={choice!r}: expected one of {', '.join(CHOICES)}")
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise ValueError(
                    f"{ENVIRONMENT_VARIABLE}=uvloop, but uvloop is not installed"
                ) from None
        else:
            return "uvloop", uvloop.new_event_loop
    return "asyncio", asyncio.new_event_loop


def run(main: Coroutine[Any, Any, T], choice: str | None = None) -> T:
    """``asyncio.run(main)`` on the chosen loop."""
    try:
        _, factory = loop_factory(choice)
    except ValueError:
        main.close()  # never awaited: say so without a "never awaited" warning
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)


def running_loop_name() -> str:
    """``uvloop`` or ``asyncio``: what the running loop is (for the start-up log line)."""
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.startswith("uvloop") else "asyncio"
