"""A trace read out of the store's frame log, a page at a time, for the API's trace endpoints
and ``chargeyard trace export``.

The frame log holds both sides' frames in one table, each with its ``direction`` seen from the
side that wrote it: the gateway's rows (keyed by the charger id) from the station, ours
(keyed by the identity) from the central system. :class:`Seen` says which, so that a trace
always says ``cp_to_csms`` for what the station sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from enum import Enum

from chargeyard.store import Store
from chargeyard.store.models import Direction as StoredDirection
from chargeyard.trace.format import Direction, TraceHeader, TraceRecord, header_line, record_line

_PAGE = 1000


class Seen(Enum):
    """Whose frame log: the rows' ``outgoing`` is the station's (the gateway) or the central
    system's (the CSMS)."""

    FROM_STATION = StoredDirection.OUTGOING
    FROM_CSMS = StoredDirection.INCOMING

    def direction(self, stored: str) -> Direction:
        """The trace's direction of a row whose direction is ``stored``."""
        if stored == self.value:
            return Direction.STATION_TO_CSMS
        return Direction.CSMS_TO_STATION


async def stored_lines(
    store: Store,
    key: str,
    header: TraceHeader,
    seen: Seen,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AsyncIterator[bytes]:
    """The trace of the frames logged under ``key`` (a charger id or an identity), oldest
    first, as JSON lines: the header's, then one per frame (``since`` inclusive, ``until``
    exclusive)."""
    yield header_line(header)
    offset = 0
    while True:
        rows = await store.frames.list(key, since=since, until=until, limit=_PAGE, offset=offset)
        for row in rows:
            direction = seen.direction(row.direction)
            yield record_line(TraceRecord.of_text(direction, row.at, row.text, row.fault))
        if len(rows) < _PAGE:
            return
        offset += len(rows)
