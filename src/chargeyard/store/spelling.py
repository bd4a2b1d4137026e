"""Statements that SQLite and PostgreSQL spell differently, for the batched readers and writers
that speak Core rather than the ORM (``station_writer.py``, ``station_lookup.py``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect


def insert_for(dialect: str) -> Any:
    """The ``insert`` of the dialect named ``dialect``, which has ``on_conflict_do_update`` /
    ``_do_nothing`` (SQLite since 3.24)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def one_of_texts(
    column: ColumnElement[str], values: Collection[str], dialect: Dialect
) -> ColumnElement[bool]:
    """``column IN values``. On PostgreSQL ``column = ANY(:array)``: one parameter whatever the
    number of values, where ``IN`` renders and binds one parameter a value on every execution
    (a thousand identities a batch made that a tenth of a node's CPU)."""
    if dialect.name == "postgresql":
        return column == any_(bindparam("one_of", list(values), type_=ARRAY(String)))
    return column.in_(list(values))


ONE_OF = "one_of"
"""The parameter :func:`one_of_texts_param` reads its values from: pass the values under
this name when the statement is executed."""


def one_of_texts_param(column: ColumnElement[str], dialect: str) -> ColumnElement[bool]:
    """:func:`one_of_texts` with its values given at execution, as :data:`ONE_OF`: a statement
    built with it once serves every batch, where one built per batch made SQLAlchemy work out
    its cache key each time (``dialect``: the dialect's name)."""
    if dialect == "postgresql":
        return column == any_(bindparam(ONE_OF, type_=ARRAY(String)))
    return column.in_(bindparam(ONE_OF, expanding=True))
