"""Ending a ``chargeyard`` process without tearing the interpreter down, once its command is done.

A process that served the REST API has imported some 1,400 modules and keeps their objects
(the routes, the pydantic and SQLAlchemy models, the schemas: some 330,000) to its end. At exit
CPython clears every module and frees those objects one by one, collecting between: 0.5 to 0.7 s
of CPU after ``chargeyard up`` has stopped, a fifth of all that the process spent on a start and
a stop, and about 0.5 s after a bare import of the API. The operating system takes a process's
memory back at once. So once a command has returned, :func:`exit_now` does what an exit has to
do (the ``atexit`` handlers: logging's flush, a coverage tool's save; the standard streams
flushed) and ends the process with :func:`os._exit`.

It exits the usual way instead while a thread other than the main one still runs and is not a
daemon (a thread pool's worker, say): Python's exit waits for such a thread, and so must this.
What the command opened is its own to close, as it is on the usual path (the store, the
listeners, the loop: ``asyncio.run`` closes the loop and joins its executor).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def exit_now(code: object = 0) -> NoReturn:
    """End the process with ``code``, as :class:`SystemExit` would read it (None: 0; an int:
    itself; anything else is printed to stderr and exits 1)."""
    if _threads_running():
        raise SystemExit(code)
    status = _status(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # (a closed pipe, or a closed stream: nothing more to flush)
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _threads_running() -> bool:
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())
