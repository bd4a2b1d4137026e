"""Plain log lines for the commands (one line per event, time, level, logger), the libraries
whose lines are left out of them, and the escaping that keeps a value from outside from
forging a line.

Every command's logging setup (here, ``lab/run.py``, ``sim_console.py``) ends with
:func:`quiet_chatty_libraries`: below DEBUG, libraries that log each request or connection at
INFO would repeat what chargeyard's own lines and records already say.

And it calls :func:`escape_logged_values`: the values a line is formatted with (a record's
``args``) come from stations, API callers and receivers (a vendor name in a BootNotification,
an id tag, an error a peer sent), and one holding a newline would start a line of its own, a
terminal escape (``ESC [``) would recolour or erase the terminal, a bidirectional override
would reorder the text. Every record is escaped where it is made, whoever logs it, so that no
call site can forget; message templates are chargeyard's own text and stay as written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

# Each logs at INFO what chargeyard already tells: websockets a connection opened or closed
# (the CSMS and the stations log who connected and left), alembic each migration (the lab says
# what the database is at), httpx and httpcore one line per HTTP request, which is one per
# webhook POST (each delivery's outcome is kept in its delivery log, GET
# /api/v1/webhooks/{id}/deliveries, and a failing endpoint is logged by the sender).
CHATTY_LIBRARIES = ("websockets", "alembic", "httpx", "httpcore")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    escape_logged_values()
    quiet_chatty_libraries()


def quiet_chatty_libraries() -> None:
    """Hold :data:`CHATTY_LIBRARIES` to WARNING unless the root logger is at DEBUG (where
    someone asked for everything, and they follow the root again, whatever an earlier setup
    in this process held them to)."""
    level = logging.WARNING if logging.getLogger().level > logging.DEBUG else logging.NOTSET
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(level)


# C0 and C1 controls and DEL (newline, carriage return, ESC, ...), the line and paragraph
# separators, and the bidirectional formatting characters (Unicode UAX #9: embeddings,
# overrides, isolates and marks).
_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def escape_control(text: str) -> str:
    """``text`` with each control character written as Python writes it in a literal
    (``\\n``, ``\\x1b``, ``\\u202e``): one line, shown as it is, whatever it holds."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def _escaped(value: object) -> object:
    if isinstance(value, str):
        return escape_control(value)
    if value is None or isinstance(value, int | float):
        return value  # (formatted with %d or %.1f: left as numbers)
    try:
        text = str(value)
    except Exception:  # formatting reports its own failure, as logging does
        return value
    return value if _CONTROL.search(text) is None else escape_control(text)


def escaped_args(args: Any) -> Any:
    """A record's ``args`` (a tuple, or a mapping for ``%(name)s``) with every value whose
    text holds a control character replaced by its escaped text."""
    if isinstance(args, tuple):
        return tuple(_escaped(value) for value in args)
    if isinstance(args, Mapping):
        return {key: _escaped(value) for key, value in args.items()}
    return args


class _EscapingFactory:
    """The log record factory: the one before it, then the record's values escaped."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        if record.args:
            record.args = escaped_args(record.args)
        if not isinstance(record.msg, str):  # an object logged as it is (an exception)
            record.msg = _escaped(record.msg)
        return record


def escape_logged_values() -> None:
    """Escape control characters in the values of every log record made from now on, in
    this process (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _EscapingFactory):
        logging.setLogRecordFactory(_EscapingFactory(factory))
