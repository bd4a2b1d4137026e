"""``/ocpp/logs``: the OCPP frames of the organization's chargers, across chargers (OCPPLab's
charger logs, as its Python SDK reads and deletes them).

``GET`` lists them oldest first, by ``deployment_id`` or ``identity`` (neither: every charger
of the organization), a date range (``date_start`` inclusive, ``date_end`` exclusive) and
``action`` (repeated: any of them), a ``page`` of ``page_size`` at a time. ``DELETE`` removes
what the same filters match (204). One charger's frames are also at
``/ocpp/chargers/{charger_id}/logs``, where a long frame is read whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from chargeyard.api.deps import SettingsDep, StoreDep
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.chargers_shared import invalid
from chargeyard.api.gateway.routes.deployments import charger_named
from chargeyard.api.gateway.schemas.common import Timestamp, error_responses
from chargeyard.gateway.frames import API_DIRECTIONS
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

router = APIRouter(prefix="/ocpp/logs", tags=["Logs"])

MAX_PAGE_SIZE = 1000
_PAGE = 1000  # the store's largest page

Lookup = Annotated[str | None, Query(max_length=255, pattern=r"^[\x21-\x7e]+$")]
Actions = Annotated[
    list[Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9]+$")]] | None,
    Query(description="OCPP actions, repeated: any of them (a reply carries its CALL's)"),
]
Moment = Annotated[datetime | None, Query(description="ISO 8601 with a time zone")]


class LogEntry(BaseModel):
    """One OCPP frame of a charger (OCPPLab's ChargerLogEntry, with chargeyard's fields)."""

    id: int = Field(description="Read it whole at /ocpp/chargers/{charger_id}/logs/{id}")
    charger_id: str
    identity: str
    direction: str = Field(description="cp_to_csms or csms_to_cp")
    action: str = Field(description="The OCPP action; empty for a reply to an unknown CALL")
    message: str = Field(description="The raw OCPP-J frame (its beginning when truncated)")
    truncated: bool
    message_length: int
    timestamp: Timestamp
    fault: str | None = Field(
        default=None,
        description="What a network fault (`POST /ocpp/chaos`) did to this frame on the wire:"
        " frame_dropped, frame_duplicated, frame_delayed, frame_reordered, answer_delayed,"
        " answer_withheld (the row is the network's, after the station's own row of the"
        " frame); null for every other frame",
    )


class LogListResponse(BaseModel):
    data: list[LogEntry]
    total: int = Field(description="All matching frames, not just this page")
    limit: int
    offset: int
    page: int
    page_size: int


async def _chargers(
    store: Store, organization_id: str, deployment_id: str | None, identity: str | None
) -> list[SimulatedCharger]:
    if deployment_id is not None or identity is not None:
        if deployment_id is not None and identity is not None:
            raise invalid(("query",), "name the charger by deployment_id or by identity (one)")
        return [await charger_named(store, organization_id, deployment_id, identity)]
    found: list[SimulatedCharger] = []
    while True:
        rows = await store.chargers.list(organization_id, limit=_PAGE, offset=len(found))
        found.extend(rows)
        if len(rows) < _PAGE:
            return found


def _check_moments(date_start: datetime | None, date_end: datetime | None) -> None:
    for name, moment in (("date_start", date_start), ("date_end", date_end)):
        if moment is not None and moment.tzinfo is None:
            raise invalid(("query", name), "needs a time zone, e.g. 2026-04-02T09:15:00Z")


@router.get(
    "",
    summary="List charger logs (across chargers)",
    responses=error_responses(401, 403, 404),
)
async def list_logs(
    principal: ReaderDep,
    store: StoreDep,
    settings: SettingsDep,
    deployment_id: Lookup = None,
    identity: Lookup = None,
    date_start: Moment = None,
    date_end: Moment = None,
    action: Actions = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> LogListResponse:
    _check_moments(date_start, date_end)
    chargers = await _chargers(store, principal.organization_id, deployment_id, identity)
    identities = {charger.id: charger.identity for charger in chargers}
    offset = (page - 1) * page_size
    frames, total = await store.frames.across(
        list(identities),
        since=date_start,
        until=date_end,
        actions=action or (),
        limit=page_size,
        offset=offset,
        cut_at=settings.max_listed_chars,
    )
    return LogListResponse(
        data=[
            LogEntry(
                id=frame.id,
                charger_id=frame.identity,
                identity=identities[frame.identity],
                direction=API_DIRECTIONS.get(frame.direction, str(frame.direction)),
                action=frame.action or "",
                message=frame.text,
                truncated=frame.truncated,
                message_length=frame.length,
                timestamp=frame.at,
                fault=frame.fault,
            )
            for frame in frames
        ],
        total=total,
        limit=page_size,
        offset=offset,
        page=page,
        page_size=page_size,
    )


@router.delete(
    "",
    summary="Delete charger logs",
    description="Deletes the frames the same filters as `GET /ocpp/logs` match (every frame "
    "of the organization's chargers when none is given).",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def delete_logs(
    principal: WriterDep,
    store: StoreDep,
    deployment_id: Lookup = None,
    identity: Lookup = None,
    date_start: Moment = None,
    date_end: Moment = None,
    action: Actions = None,
) -> None:
    _check_moments(date_start, date_end)
    chargers = await _chargers(store, principal.organization_id, deployment_id, identity)
    await store.frames.delete_across(
        [charger.id for charger in chargers],
        since=date_start,
        until=date_end,
        actions=action or (),
    )
