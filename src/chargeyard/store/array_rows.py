"""A batch's rows as one array a column, for the batched writers on PostgreSQL.

``executemany`` executes a statement once a row. On PostgreSQL each execution is also planned
anew, since the store's sessions run with ``plan_cache_mode = force_custom_plan``
(``engine.py`` says why), so a batch of 500 rows cost the server 500 plans. Given as arrays and
read back with ``unnest``, the same rows are one execution, planned once: a third to a half of
the server's CPU a row on batches of 50 to 500 (docs/benchmarks-scale.md).

:class:`ArrayStatement` is such a statement and the keys of the rows it takes;
:meth:`ArrayStatement.bind` turns a batch of row dicts (or tuples) into its parameters. The
arrays are cast to their columns' types, so values pass through each column type's own bind
processing (``UtcDateTime`` included) and the server knows what it reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY


@dataclass(frozen=True, slots=True)
class ArrayStatement:
    """A statement that reads its rows from one array parameter a key (``a_<key>``)."""

    statement: Any
    keys: tuple[str, ...]  # the rows' keys, in the order of the arrays

    def bind(self, rows: Sequence[Mapping[str, object]]) -> dict[str, list[object]]:
        """The parameters for ``rows`` (dicts with :attr:`keys`): each key's values, in order."""
        return {f"a_{key}": [row[key] for row in rows] for key in self.keys}

    def bind_values(self, rows: Sequence[Sequence[object]]) -> dict[str, list[object]]:
        """The parameters for ``rows`` given as tuples, in the order of :attr:`keys`."""
        return {f"a_{key}": [row[i] for row in rows] for i, key in enumerate(self.keys)}


def unnest_rows(table: Table, keys: Sequence[str], columns: Sequence[str]) -> Any:
    """``unnest(CAST(:a_<key> AS <type>[]), ...) AS v(<column>, ...)``: rows given as one array
    a key, each array typed as ``table``'s column of the same place in ``columns``."""
    arrays = [
        cast(bindparam(f"a_{key}", type_=ARRAY(table.c[column].type)), ARRAY(table.c[column].type))
        for key, column in zip(keys, columns, strict=True)
    ]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name="v")


def insert_from_arrays(table: Table, columns: Sequence[str]) -> tuple[Any, ArrayStatement]:
    """``INSERT INTO table (columns) SELECT * FROM unnest(...)``: the PostgreSQL insert (to
    add an ``ON CONFLICT`` clause to) and the statement as it stands."""
    rows = unnest_rows(table, columns, columns)
    statement = postgresql.insert(table).from_select(
        list(columns), select(*(rows.c[name] for name in columns))
    )
    return statement, ArrayStatement(statement, tuple(columns))
