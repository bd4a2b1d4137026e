"""The cyclic garbage collector held off while a process imports chargeyard's server.

Importing the central system and its API (222 routes, their pydantic models, SQLAlchemy's
models and dialects) creates some 330,000 objects that live as long as the process, nearly all
of them tracked by CPython's cyclic collector. With the default threshold of 700 the collector
runs hundreds of young passes, and middle and full ones over the whole growing heap, while
those modules load: a fifth of the CPU that importing them takes (measured: 1.5-1.7 s with
the collector off, 1.9-2.3 s with it on). Importing makes next to no cyclic garbage, so nothing
is kept that a pass would have freed; the collector is back on, as it was, when the import
ends.

:func:`paused_for_imports` wraps the imports a command makes before it serves: its own module
(``cli._load``), the lab's (``cli_up``) and the API's (``stack.assemble``). It is not for
anything that runs a workload: cyclic garbage (an exception's traceback, a task that failed)
is made there, and must be collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
