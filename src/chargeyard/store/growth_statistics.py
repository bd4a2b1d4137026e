"""Planner statistics for a table that a boot storm fills from empty.

PostgreSQL plans each query from the table's statistics, which autovacuum gathers at most once
a minute (``autovacuum_naptime``) and only after a tenth of the table changed. A table that
never had any is planned as if each key matched half a percent of its rows, whatever its unique
indexes say: the station writer's lookup of a batch's identities (``charge_box_id = ANY(...)``,
hundreds at a time) then reads the whole ``stations`` table instead of its unique index, once
a batch, all through a new deployment's first boot storm, when a central system that lets
unknown stations in (``auto_register``) registers thousands a second
(docs/benchmarks-scale.md gives the cost).

:class:`GrowthStatistics` counts the rows a writer added and has the table analysed each time
the count reaches the next of :data:`FIRST_AFTER`, twice that, four times that...: a few
milliseconds each (``ANALYZE`` reads a sample of at most 30,000 rows), a handful a node in a
boot of 100,000 stations, none once the table stops growing. The writer waits for it, so it
waits for no lock: ``SKIP_LOCKED`` (PostgreSQL 12) passes a mark while another node or
autovacuum is analysing the table, which gathers the same statistics. SQLite's planner takes a
unique index without statistics, so only PostgreSQL is analysed.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

FIRST_AFTER = 1_000
"""Rows added before the first ``ANALYZE``."""


class GrowthStatistics:
    """Analyses ``table`` on ``engine`` as rows are added to it (the module docstring says when)."""

    def __init__(self, engine: AsyncEngine, table: str, *, first_after: int = FIRST_AFTER) -> None:
        self._engine = engine
        self._statement = text(f"ANALYZE (SKIP_LOCKED) {table}")
        self._added = 0
        self._next = first_after
        self.analysed = 0
        """How many ``ANALYZE`` statements ran (one that found the table locked passed)."""

    async def added(self, rows: int) -> None:
        """``rows`` more were committed; analyse the table if they reach the next mark."""
        if self._engine.dialect.name != "postgresql":
            return
        self._added += rows
        if self._added < self._next:
            return
        while self._next <= self._added:
            self._next *= 2
        try:
            async with self._engine.begin() as connection:
                await connection.execute(self._statement)
        except (DBAPIError, OSError) as error:
            # Statistics only make the plans better: the rows are committed whatever happens
            # here, and the next mark tries again.
            logger.warning("could not analyse after %d rows were added: %s", self._added, error)
            return
        self.analysed += 1
