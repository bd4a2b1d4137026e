"""``/ocpp/chargers/{charger_id}/start-charger``, ``/stop-charger``, ``/restart-charger``
(the gateway API reference's runtime endpoints) and ``/logs``: a charger's runtime and the
OCPP frames it exchanged.

``/logs`` lists oldest first by default (``order=desc``: newest first, for the recent frames
without an offset); a frame longer than ``settings.max_listed_chars`` is listed cut and marked
``truncated``, and ``/logs/{log_id}`` reads one whole.

The routes ask :class:`~chargeyard.gateway.runtimes.ChargerRuntimes`, which asks over the bus
the fleet host that holds the charger (:class:`~chargeyard.gateway.host.FleetHost`,
``provider`` ``local``, ``runtime_kind`` ``asyncio_task``); one that does not answer in time
is a 504. The desired state is stored, so a process restart resumes every charger wanted
running. Operators and admins act; viewers read the logs. Another organization's charger is
404.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status

from chargeyard.api.deps import SettingsDep, StoreDep
from chargeyard.api.error_answers import error_answer
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.chargers_shared import (
    NO_ANSWER,
    UNAVAILABLE,
    ChargerIdPath,
    host_answers,
    invalid,
)
from chargeyard.api.gateway.deps import HostDep
from chargeyard.api.gateway.schemas.chargers import (
    ChargerLogEntry,
    ChargerLogListResponse,
    ChargerRuntimeResponse,
)
from chargeyard.api.gateway.schemas.common import HttpErrorResponse, error_responses
from chargeyard.gateway.frames import API_DIRECTIONS
from chargeyard.gateway.runtimes import ChargerRuntimeError, RuntimeReport
from chargeyard.store.models import Frame
from chargeyard.store.payload_cap import stored_extent
from chargeyard.store.repositories.frames import ListedFrame

router = APIRouter(prefix="/ocpp/chargers", tags=["Chargers"])

MAX_LOG_LIMIT = 1000
# Frame ids are 64-bit integers (BigIntPK).
MAX_FRAME_ID = 2**63 - 1

_STOP_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(401, 403, 404),
    **UNAVAILABLE,
    **NO_ANSWER,
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_STOP_RESPONSES,
    409: error_answer(
        HttpErrorResponse,
        "The charger cannot run as defined (unknown template or OCPP version, "
        "no ws_url); fix it with PUT /ocpp/chargers/{charger_id}",
    ),
}


async def _answer(work: Awaitable[RuntimeReport]) -> ChargerRuntimeResponse:
    """The runtime report in the API reference's shape; 409 when the charger cannot run as
    defined, 504 when its host does not answer in time."""
    try:
        with host_answers():
            report = await work
    except ChargerRuntimeError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, f"the charger cannot run: {error}") from None
    return ChargerRuntimeResponse(**report.as_response())


@router.post(
    "/{charger_id}/start-charger",
    summary="Start charger runtime",
    description="Want the charger running and start its station (it connects to its ws_url "
    "and boots). Starting a running charger changes nothing.",
    responses=_RESPONSES,
)
async def start_charger(
    principal: WriterDep, host: HostDep, charger_id: ChargerIdPath
) -> ChargerRuntimeResponse:
    return await _answer(host.start_charger(principal.organization_id, charger_id))


@router.post(
    "/{charger_id}/stop-charger",
    summary="Stop charger runtime",
    description="Request the runtime infrastructure provider to stop the selected charger "
    "deployment: its station goes offline and keeps its state for the next start.",
    responses=_STOP_RESPONSES,
)
async def stop_charger(
    principal: WriterDep, host: HostDep, charger_id: ChargerIdPath
) -> ChargerRuntimeResponse:
    return await _answer(host.stop_charger(principal.organization_id, charger_id))


@router.post(
    "/{charger_id}/restart-charger",
    summary="Restart charger runtime",
    description="Power-cycle the station (it boots again); a charger whose definition "
    "changed since it started is rebuilt, a stopped one is started.",
    responses=_RESPONSES,
)
async def restart_charger(
    principal: WriterDep, host: HostDep, charger_id: ChargerIdPath
) -> ChargerRuntimeResponse:
    return await _answer(host.restart_charger(principal.organization_id, charger_id))


@router.get(
    "/{charger_id}/logs",
    summary="List charger logs",
    description="The OCPP frames the charger's station sent (`cp_to_csms`) and received "
    "(`csms_to_cp`), oldest first (`order=desc`: newest first); `start_date` inclusive, "
    "`end_date` exclusive; `event` keeps one action (a reply carries its CALL's action). A "
    "frame longer than the API's listing limit (`CHARGEYARD_API_MAX_LISTED_CHARS`, 8,192 "
    "characters by default) is cut and marked `truncated`: read it whole at "
    "`/logs/{log_id}`.",
    responses=error_responses(401, 403, 404),
)
async def list_charger_logs(
    principal: ReaderDep,
    store: StoreDep,
    settings: SettingsDep,
    charger_id: ChargerIdPath,
    start_date: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    end_date: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
    event: Annotated[
        str | None,
        Query(
            description="An OCPP action, e.g. StatusNotification",
            max_length=64,
            pattern=r"^[A-Za-z0-9]+$",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG_LIMIT)] = MAX_LOG_LIMIT,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    order: Annotated[
        Literal["asc", "desc"],
        Query(description="asc: oldest first; desc: newest first (the recent frames at once)"),
    ] = "asc",
) -> ChargerLogListResponse:
    for name, moment in (("start_date", start_date), ("end_date", end_date)):
        if moment is not None and moment.tzinfo is None:
            raise invalid(("query", name), "needs a time zone, e.g. 2026-04-02T09:15:00Z")
    frames, total = await store.charger_logs.listing(
        principal.organization_id,
        charger_id,
        since=start_date,
        until=end_date,
        action=event,
        newest_first=order == "desc",
        limit=limit,
        offset=offset,
        cut_at=settings.max_listed_chars,
    )
    return ChargerLogListResponse(
        data=[_log_entry(frame) for frame in frames], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{charger_id}/logs/{log_id}",
    summary="Get one charger log entry",
    description="One OCPP frame of the charger's log, whole (a list shows a long one cut); "
    "404 when the charger has no log entry with this id.",
    responses=error_responses(401, 403, 404),
)
async def get_charger_log(
    principal: ReaderDep,
    store: StoreDep,
    charger_id: ChargerIdPath,
    log_id: Annotated[int, Path(ge=0, le=MAX_FRAME_ID)],
) -> ChargerLogEntry:
    frame = await store.charger_logs.frame(principal.organization_id, charger_id, log_id)
    return _log_entry(frame)


def _log_entry(frame: ListedFrame | Frame) -> ChargerLogEntry:
    if isinstance(frame, Frame):  # read whole
        truncated, length = stored_extent(frame.text)
    else:
        truncated, length = frame.truncated, frame.length
    return ChargerLogEntry(
        id=frame.id,
        direction=API_DIRECTIONS.get(frame.direction, str(frame.direction)),
        action=frame.action,
        message=frame.text,
        truncated=truncated,
        message_length=length,
        timestamp=frame.at,
        fault=frame.fault,
    )
