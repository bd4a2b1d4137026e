"""``/chargers/{chargeBoxId}/frames``: the OCPP frames the central system exchanged with one
charger (the store's frame log, written by ``csms/frames.py``), newest first.

The dashboard's frame log reads it: once in full, then every couple of seconds with
``after=<newest id seen>`` for just what is new. Frames are written in short batches
(``store/frame_log.py``), so a frame shows up here a few tens of milliseconds after it passed.

A frame longer than ``settings.max_listed_chars`` is listed cut and marked ``truncated`` (the
database cuts it: a page never carries megabytes); ``/frames/{frameId}`` reads one whole.
The router's tenant dependency answers 404 for another organization's charger
(``api/tenant.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from chargeyard.api.deps import SettingsDep, StoreDep, require_tenant
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.api.v1.schemas import ErrorResponse
from chargeyard.api.v1.schemas.charger_frames import FrameLogOut, FrameOut
from chargeyard.store import NotFoundError

MAX_FRAMES = 500
# Frame ids are 64-bit integers (BigIntPK); a larger ``after`` cannot be compared by SQLite.
MAX_FRAME_ID = 2**63 - 1

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing or invalid API key"},
    404: {"model": ErrorResponse, "description": "Unknown chargeBoxId"},
}

router = APIRouter(tags=["Chargers"], dependencies=[Depends(require_tenant)], responses=_ERRORS)


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
