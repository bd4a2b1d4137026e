"""The declarative base every table hangs from.

- Constraint and index names follow one naming convention, so Alembic can name, compare and
  drop them the same way on SQLite and PostgreSQL.
- Every ``Mapped[datetime]`` column is a :class:`~chargeyard.store.types.UtcDateTime`.
- High-volume tables (frames, samples, history, logs) use :data:`BigIntPK`: ``BIGINT`` on
  PostgreSQL, but plain ``INTEGER`` on SQLite, where only ``INTEGER PRIMARY KEY`` is the
  auto-assigned rowid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase

from chargeyard.store.types import UtcDateTime

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute as is
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }
