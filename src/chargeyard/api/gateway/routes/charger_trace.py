"""``/ocpp/chargers/{charger_id}/trace``: the charger's frames (the gateway's frame log, as
``/logs`` lists them) exported as a trace, the JSON lines of docs/traces.md, streamed a page of
frames at a time. Viewers may read it; another organization's charger is 404."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import ReaderDep
from chargeyard.api.gateway.chargers_shared import ChargerIdPath, invalid
from chargeyard.api.gateway.schemas.common import error_responses
from chargeyard.store import NotFoundError
from chargeyard.trace import MEDIA_TYPE, TraceHeader
from chargeyard.trace.stored import Seen, stored_lines

router = APIRouter(prefix="/ocpp/chargers", tags=["Chargers"])

_TRACE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
        "description": "A header line, then one line per frame, oldest first",
    },
    **error_responses(401, 403, 404),
}


@router.get(
    "/{charger_id}/trace",
    summary="Export charger trace",
    description="The OCPP frames the charger's station sent and received, oldest first, as a "
    "trace (`application/x-ndjson`: a header line naming the format, the OCPP version and the "
    "identity, then one line per frame with its direction, time and frame; docs/traces.md). "
    "`chargeyard replay` plays it against any CSMS. `start_date` inclusive, `end_date` "
    "exclusive.",
    response_class=StreamingResponse,
    responses=_TRACE,
)
async def export_charger_trace(
    principal: ReaderDep,
    store: StoreDep,
    charger_id: ChargerIdPath,
    start_date: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    end_date: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
) -> StreamingResponse:
    for name, moment in (("start_date", start_date), ("end_date", end_date)):
        if moment is not None and moment.tzinfo is None:
            raise invalid(("query", name), "needs a time zone, e.g. 2026-04-02T09:15:00Z")
    charger = await store.chargers.get(principal.organization_id, charger_id)
    if charger is None:
        raise NotFoundError("charger", charger_id)
    header = TraceHeader(
        charger.ocpp_version,
        charger.identity,
        "gateway",
        datetime.now(UTC),
        {"chargerId": charger.id},
    )
    lines = stored_lines(
        store, charger.id, header, Seen.FROM_STATION, since=start_date, until=end_date
    )
    filename = "".join(c if c.isalnum() or c in "-_." else "_" for c in charger.identity)
    return StreamingResponse(
        lines,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.trace.jsonl"'},
    )
