"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zone type: a ``DateTime`` column there stores naive ISO-8601 text. To keep
one rule for both databases, :class:`UtcDateTime` accepts only aware datetimes, stores them in
UTC (``timestamptz`` on PostgreSQL, naive UTC text on SQLite, which sorts chronologically since
SQLAlchemy writes a fixed-width format) and always hands back aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from chargeyard import loop_clock


def utc_now() -> datetime:
    """The current time, aware, in UTC, on the running event loop's clock (``loop_clock``:
    the wall clock, unless the lab runs fast-forwarded, ``fast_forward.py``)."""
    return loop_clock.now()


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend. Naive datetimes are refused (ValueError) rather
    than guessed at: a station's local time taken for UTC is a bug that hides for months."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps aware UTC times only")
        value = value.astimezone(UTC)
        # SQLite's DateTime would write the wall-clock digits and drop the offset; having
        # converted to UTC first, dropping it loses nothing.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # SQLite: straight to the text SQLAlchemy's SQLite DATETIME writes
        # ("2026-11-21 16:00:00.000000"), in one C call per value instead of three Python
        # ones; the batched writers bind thousands of these per transaction.
        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is UTC:
                # The usual case (utc_now(), a station's "Z"): the aware text minus its
                # "+00:00", a third cheaper than replace() + isoformat(), which the writers'
                # threads pay with the GIL held (1.9 us a value instead of 2.7).
                return value.isoformat(" ", "microseconds")[:26]
            offset = value.utcoffset()
            if offset is None:
                raise ValueError(f"naive datetime {value!r}: the store keeps aware UTC times only")
            if offset:
                value = value.astimezone(UTC)
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
