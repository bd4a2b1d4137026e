"""The process's cyclic garbage collector: held off while a command imports what it serves, a
higher young-generation threshold for a process that serves or hosts many stations, and what a
started process keeps moved out of its way. Shared by the commands, the central system and the
fleet, so that each does these the one way.

**Held off while importing** (:func:`paused_for_imports`). Importing the central system and its
API (some 220 routes, their pydantic models, SQLAlchemy's models and dialects) creates some 330,000
objects that live as long as the process, nearly all of them tracked by the collector. With the
default threshold of 700 it runs hundreds of young passes, and middle and full ones over the
whole growing heap, while those modules load: a fifth of the CPU that importing them takes
(measured: 1.5-1.7 s with the collector off, 1.9-2.3 s with it on). Importing makes next to no
cyclic garbage, so nothing is kept that a pass would have freed. It wraps the imports a command
makes before it serves: its own module (``cli._load``), the lab's (``cli_up``) and the API's
(``stack.assemble``); never a workload, whose cyclic garbage (an exception's traceback, a task
that failed) must be collected.

**A higher young threshold** (:func:`raise_young_threshold`). A young pass runs each time the
count of tracked objects allocated minus those freed passes ``threshold0`` (700 by default),
and now and then a full pass over every tracked object. A central system with a thousand
stations holds some 300,000 objects (connections, sessions, the API), and each message in
flight allocates a task, futures, a payload and rows that live for the ~100 ms a group commit
takes: with a threshold of 700 they outlive many young passes, get promoted, and trigger a full
pass about once a second. Measured under the CSMS benchmark: 2.3 s of every 8 s went to the
collector, in pauses of up to ~250 ms that every REST command waiting on the loop paid in full.
With a higher ``threshold0`` the objects of a message are freed (by reference counting, as
nearly all are) before the count ever reaches it, so in a steady state the collector does not
run at all; garbage that does form cycles still raises the count and is collected once
:data:`YOUNG_THRESHOLD` of it has accumulated, which bounds the memory it can hold.

**What a started process keeps, frozen** (:func:`freeze_survivors`). A full pass walks every
tracked object, the ~160,000 that starting a central system leaves (modules, the app, pools)
and a fleet's stations among them, which the process keeps to its end: once started, they go to
the permanent generation, which no pass walks.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

YOUNG_THRESHOLD = 20_000


@contextmanager
def paused_for_imports() -> Iterator[None]:
    """The collector off for the block, then back as it was. A collector that was already off
    (``gc.disable()`` by the caller, or an outer block) is left off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def raise_young_threshold(threshold: int = YOUNG_THRESHOLD) -> None:
    """Raise the young generation's threshold to ``threshold``, never lower it (a process that
    chose a higher one keeps it; 0, automatic collection disabled, stays); the older
    generations' stay."""
    young, middle, old = gc.get_threshold()
    if young == 0 or young >= threshold:
        return
    gc.set_threshold(threshold, middle, old)
    logger.debug("gc threshold0 raised from %d to %d", young, threshold)


def freeze_survivors() -> None:
    """Collect once, then move everything alive to the permanent generation: call it when the
    process has started (and a fleet again once it has booted). Measured on a CSMS node
    booting 16,667 stations: its full passes took 0.20 s in all instead of 0.74-0.78 s, the
    longest pause 119-130 ms instead of 667-702 ms; on a fleet booting 10,000 stations (with
    the raised threshold), 32 collections taking 0.2 s of its 9 s of CPU instead of 1,003
    taking 1.2 s. (Not for a process that starts central systems or fleets again and again,
    such as a test run: what it froze would never be collected.)"""
    gc.collect()
    gc.freeze()
