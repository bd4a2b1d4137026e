"""A cap on the size of one stored payload: frame text, DataTransfer data, a notification's
detail.

Theory of operation
-------------------
What a station sends is kept as text, and a station may send a lot of it: with the frame limit
raised, 1 MB DataTransfers are schema-valid (1.6 section 4.3 leaves ``data`` unbounded), and
each one was stored twice (the frame log and ``data_transfers``). :func:`cap_payload` keeps the
first ``max_chars`` characters of a longer payload and appends a marker naming the original
length, so that the stored row says it is cut and by how much; :func:`capped_length` reads the
marker back (from the whole text or just its tail), for the API to show such a payload as
``truncated`` with its original length.

The marker is plain text at the end, not a column: one rule for every table, no migration, and
a reader of the raw database still sees what happened.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chargeyard.protocol.limits import DEFAULT_MAX_FRAME_BYTES

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import QueryableAttribute

DEFAULT_MAX_PAYLOAD_CHARS = DEFAULT_MAX_FRAME_BYTES
"""64 Ki characters, the default frame limit (``protocol/limits.py``, in bytes of UTF-8, so
never fewer characters): with the default limits every frame the CSMS takes is stored whole,
and only a deployment that raised the frame limit has its larger payloads cut."""

MIN_PAYLOAD_CHARS = 1024

_MARKER = "\u2026[truncated by chargeyard: {length} characters in all]"
_MARKER_PATTERN = re.compile(r"\u2026\[truncated by chargeyard: (\d+) characters in all\]\Z")
MARKER_TAIL_CHARS = 64
"""A tail of this many characters holds the whole marker (lengths up to 20 digits)."""


def cap_payload(text: str, max_chars: int) -> str:
    """``text`` whole when at most ``max_chars`` characters, else its first ``max_chars``
    characters and the marker with its original length."""
    if len(text) <= max_chars:
        return text
    return text[:max_chars] + _MARKER.format(length=len(text))


def cap_optional(text: str | None, max_chars: int) -> str | None:
    """:func:`cap_payload` for a nullable column."""
    return None if text is None else cap_payload(text, max_chars)


def capped_length(tail: str | None) -> int | None:
    """The original length named by the marker at the end of ``tail`` (a stored payload or its
    last :data:`MARKER_TAIL_CHARS` characters); None when the payload was stored whole."""
    if tail is None:
        return None
    match = _MARKER_PATTERN.search(tail)
    return None if match is None else int(match.group(1))


def stored_extent(text: str) -> tuple[bool, int]:
    """Whether a payload read whole was stored cut, and its original length in characters."""
    length = capped_length(text[-MARKER_TAIL_CHARS:])
    return (False, len(text)) if length is None else (True, length)


def stored_tail(column: QueryableAttribute[Any]) -> ColumnElement[str]:
    """The last :data:`MARKER_TAIL_CHARS` characters of ``column``. Of a shorter text, some
    part (SQLite counts a negative start from the end, PostgreSQL from before the start):
    too short to hold a marker either way, as a payload stored cut is longer."""
    # Here, not at the top: the command line reads this module's caps, and a station fleet
    # loads no SQLAlchemy.
    from sqlalchemy import Text, func

    start = func.length(column) - (MARKER_TAIL_CHARS - 1)
    return func.substr(column, start, type_=Text())
