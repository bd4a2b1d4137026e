"""UtcDateTime's SQLite bind processor writes what SQLAlchemy's SQLite DATETIME writes for the
same instant in UTC, on its fast path (``tzinfo is UTC``) and off it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

from chargeyard.store.types import UtcDateTime

DIALECT = sqlite.dialect()
PROCESS = UtcDateTime().bind_processor(DIALECT)
SQLALCHEMY = DateTime().dialect_impl(DIALECT).bind_processor(DIALECT)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 22, 3, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 11, 22, 3, 30, 15, tzinfo=UTC),  # no microseconds: still 6 digits
        datetime(2026, 11, 22, 3, 30, 15, 7, tzinfo=timezone(timedelta(0))),  # not the singleton
        datetime(2026, 11, 22, 5, 30, 15, 500000, tzinfo=timezone(timedelta(hours=2))),
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    ],
)
def test_the_text_is_sqlalchemys_for_the_same_instant_in_utc(value: datetime) -> None:
    assert PROCESS is not None
    assert SQLALCHEMY is not None
    expected = SQLALCHEMY(value.astimezone(UTC).replace(tzinfo=None))
    assert PROCESS(value) == expected
    assert len(expected) == 26


def test_naive_datetimes_and_none() -> None:
    assert PROCESS is not None
    assert PROCESS(None) is None
    with pytest.raises(ValueError, match="naive"):
        PROCESS(datetime(2026, 11, 22, 3, 30))
