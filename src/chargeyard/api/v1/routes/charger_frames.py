"""``/chargers/{chargeBoxId}/frames``: the OCPP frames the central system exchanged with one
charger (the store's frame log, written by ``csms/frames.py``), newest first.

The dashboard's frame log reads it: once in full, then every couple of seconds with
``after=<newest id seen>`` for just what is new. Frames are written in short batches
(``store/frame_log.py``), so a frame shows up here a few tens of milliseconds after it passed.

A frame longer than ``settings.max_listed_chars`` is listed cut and marked ``truncated`` (the
database cuts it: a page never carries megabytes); ``/frames/{frameId}`` reads one whole.
The router's tenant dependency answers 404 for another organization's charger
(``api/tenant.py``).

``/trace`` exports the whole log, oldest first, as a trace (the JSON lines of docs/traces.md,
``trace/stored.py``), which ``chargeyard replay`` plays against any central system.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.responses import StreamingResponse

from chargeyard.api.deps import SettingsDep, StoreDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.schemas import ErrorResponse
from chargeyard.api.v1.schemas.charger_frames import FrameLogOut, FrameOut
from chargeyard.store import NotFoundError
from chargeyard.trace import MEDIA_TYPE, TraceHeader
from chargeyard.trace.stored import Seen, stored_lines

MAX_FRAMES = 500
# Frame ids are 64-bit integers (BigIntPK); a larger ``after`` cannot be compared by SQLite.
MAX_FRAME_ID = 2**63 - 1

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error_answer(ErrorResponse, "Missing or invalid API key"),
    404: error_answer(ErrorResponse, "Unknown chargeBoxId"),
}

router = APIRouter(
    prefix=API_PREFIX, tags=["Chargers"], dependencies=[Depends(require_tenant)], responses=_ERRORS
)


@router.get("/chargers/{chargeBoxId}/frames", summary="OCPP frame log")
async def list_frames(
    store: StoreDep,
    settings: SettingsDep,
    charge_box_id: Annotated[str, Path(alias="chargeBoxId", pattern=LOOKUP_TEXT)],
    action: Annotated[
        str | None,
        Query(
            max_length=64, pattern=LOOKUP_TEXT, description="Only this action's CALLs and answers"
        ),
    ] = None,
    after: Annotated[
        int | None,
        Query(
            ge=0, le=MAX_FRAME_ID, description="Only frames recorded after the frame with this id"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_FRAMES, description="Frames at most")] = 100,
) -> FrameLogOut:
    """The frames exchanged with the charger, newest first (direction seen from the central
    system, the action, the raw OCPP-J text and when it passed). A frame longer than the
    API's listing limit (`CHARGEYARD_API_MAX_LISTED_CHARS`, 8,192 characters by default) is
    cut and marked `truncated`: read it whole at `/frames/{frameId}`."""
    rows = await store.frames.newest(
        charge_box_id,
        action=action,
        after_id=after,
        limit=limit,
        cut_at=settings.max_listed_chars,
    )
    return FrameLogOut(
        chargeBoxId=charge_box_id, frames=[FrameOut.of(row) for row in rows], count=len(rows)
    )


@router.get("/chargers/{chargeBoxId}/frames/{frameId}", summary="One OCPP frame, whole")
async def get_frame(
    store: StoreDep,
    charge_box_id: Annotated[str, Path(alias="chargeBoxId", pattern=LOOKUP_TEXT)],
    frame_id: Annotated[int, Path(alias="frameId", ge=0, le=MAX_FRAME_ID)],
) -> FrameOut:
    """One frame exchanged with the charger, whole (a list shows a long one cut); 404 when
    the charger has no frame with this id."""
    frame = await store.frames.get(charge_box_id, frame_id)
    if frame is None:
        raise NotFoundError("frame", frame_id, f"of charger {charge_box_id}")
    return FrameOut.of(frame)


@router.get(
    "/chargers/{chargeBoxId}/trace",
    summary="OCPP frame log as a trace",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
            "description": "A header line, then one line per frame, oldest first",
        },
        409: error_answer(ErrorResponse, "The charger never said its OCPP version"),
    },
)
async def export_trace(
    store: StoreDep,
    charge_box_id: Annotated[str, Path(alias="chargeBoxId", pattern=LOOKUP_TEXT)],
) -> StreamingResponse:
    """Every frame exchanged with the charger, oldest first, as a trace
    (`application/x-ndjson`: a header line naming the format, the OCPP version and the
    identity, then one line per frame with its direction seen from the station, its time and
    the frame). `chargeyard replay` plays it against any CSMS. 409 when the charger never
    connected, so that its OCPP version is unknown."""
    station = await store.stations.get(charge_box_id)
    if station is None:
        raise NotFoundError("charger", charge_box_id)
    if station.ocpp_version is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"charger {charge_box_id} never connected: its OCPP version is unknown",
        )
    header = TraceHeader(station.ocpp_version, charge_box_id, "csms", datetime.now(UTC))
    return StreamingResponse(
        stored_lines(store, charge_box_id, header, Seen.FROM_CSMS),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_file_name(charge_box_id)}"'},
    )


def _file_name(identity: str) -> str:
    """The trace's file name: the identity, its characters outside a safe set replaced."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in identity) + ".trace.jsonl"
