"""``/ocpp/deployment-runtime-ops``: stop, restart or delete a charger or every charger of a
location (OCPPLab's runtime operations), and where chargers are in their deployment:
``/status`` (the stage now), ``/events`` (the timeline) and ``/diagnostics`` (one charger's
runtime over a window), read from what the gateway keeps (``gateway/stages.py``,
``gateway/diagnostics.py``).

One charger is acted on before the answer (200, its result); a location's chargers in the
background (202 at once: follow ``/status``), a charger that fails not stopping the others;
each failure is a line of that charger's log. Stop and restart are the runtime verbs of
``/ocpp/chargers/{id}/stop-charger`` and ``restart-charger``; delete is
``DELETE /ocpp/chargers/{id}``. Operators and admins act; viewers read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse

from chargeyard import loop_clock
from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway import diagnostics
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.background import BackgroundDep
from chargeyard.api.gateway.chargers_shared import (
    NO_ANSWER,
    UNAVAILABLE,
    OptionalHostDep,
    invalid,
    live_statuses,
)
from chargeyard.api.gateway.removal import BuiltInCentral, BuiltInCentralDep, delete_chargers
from chargeyard.api.gateway.routes.deployments import charger_named
from chargeyard.api.gateway.schemas.common import error_responses
from chargeyard.api.gateway.schemas.runtime_ops import (
    AcceptedResponse,
    DiagnosticsResponse,
    RuntimeOpResult,
    RuntimeOpsRequest,
    RuntimeOpsResponse,
    StageEventListResponse,
    StageEventResponse,
    StageStatusListResponse,
    StageStatusResponse,
)
from chargeyard.api.gateway.targets import all_of_location
from chargeyard.gateway.provisioning import charger_provisioning
from chargeyard.gateway.runtimes import ChargerRuntimeError, ChargerRuntimes, NoAnswer
from chargeyard.gateway.stages import OUTCOMES, StageEvent, attempts, current_stage, timeline
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import SimulatedCharger
from chargeyard.store.types import utc_now

router = APIRouter(prefix="/ocpp/deployment-runtime-ops", tags=["Deployment runtime ops"])

MAX_IDENTITIES = 100
DEFAULT_WINDOW = timedelta(minutes=15)
MAX_WINDOW = timedelta(hours=6)
_LINES = 1000  # the charger's log lines read for its stages


@router.post(
    "",
    summary="Stop, restart or delete a charger or a location's chargers",
    description="`deployment_id`: done before the answer, with the charger's result. "
    "`location_id`: every charger of the location, in the background (202 at once); follow "
    "`GET /ocpp/deployment-runtime-ops/status`. Background work does not survive a restart of "
    "the process.",
    responses={
        202: {"model": AcceptedResponse, "description": "A location's: running in background"},
        **error_responses(401, 403, 404),
        **UNAVAILABLE,
        **NO_ANSWER,
    },
)
async def operate(
    principal: WriterDep,
    store: StoreDep,
    host: OptionalHostDep,
    central: BuiltInCentralDep,
    background: BackgroundDep,
    body: RuntimeOpsRequest,
) -> Response:
    organization = principal.organization_id
    if body.action != "delete" and host is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the simulator gateway is not running in this process",
        )
    if body.deployment_id is not None:
        charger = await charger_named(store, organization, body.deployment_id, None)
        result = await _act(store, host, central, organization, body.action, charger)
        answer = RuntimeOpsResponse(
            action=body.action,
            target_type="deployment",
            deployment_id=charger.id,
            location_id=None,
            accepted_count=int(result.status == "accepted"),
            failed_count=int(result.status == "failed"),
            results=[result],
        )
        return JSONResponse(answer.model_dump(mode="json"))
    assert body.location_id is not None
    if await store.locations.get(organization, body.location_id) is None:
        raise NotFoundError("location", body.location_id)
    chargers = await all_of_location(store, organization, body.location_id)
    background.spawn(
        _act_on_all(store, host, central, organization, body.action, chargers),
        name=f"runtime-ops {body.action} {body.location_id}",
    )
    accepted = AcceptedResponse(
        detail=f"{body.action} of the {len(chargers)} chargers of location "
        f"{body.location_id} runs in the background"
    )
    return JSONResponse(accepted.model_dump(), status_code=status.HTTP_202_ACCEPTED)


async def _act(
    store: Store,
    host: ChargerRuntimes | None,
    central: BuiltInCentral,
    organization_id: str,
    action: str,
    charger: SimulatedCharger,
) -> RuntimeOpResult:
    response: dict[str, Any] | None = None
    try:
        if action == "delete":
            await delete_chargers(store, host, central, organization_id, [charger])
        else:
            assert host is not None
            verb = host.stop_charger if action == "stop" else host.restart_charger
            response = (await verb(organization_id, charger.id)).as_response()
    except (ChargerRuntimeError, NoAnswer, NotFoundError, HTTPException) as error:
        reason = error.detail if isinstance(error, HTTPException) else str(error)
        return RuntimeOpResult(
            deployment_id=charger.id, status="failed", response=None, error=str(reason)
        )
    return RuntimeOpResult(
        deployment_id=charger.id, status="accepted", response=response, error=None
    )


async def _act_on_all(
    store: Store,
    host: ChargerRuntimes | None,
    central: BuiltInCentral,
    organization_id: str,
    action: str,
    chargers: Sequence[SimulatedCharger],
) -> None:
    for charger in chargers:
        result = await _act(store, host, central, organization_id, action, charger)
        if result.status == "failed" and action != "delete":
            await store.charger_logs.append(
                organization_id,
                charger.id,
                f"runtime {action} failed: {result.error}",
                level="error",
            )


Identities = Annotated[
    list[Annotated[str, Query(max_length=255)]] | None,
    Query(description=f"A charger's identity (up to {MAX_IDENTITIES} times)"),
]


@router.get(
    "/status",
    summary="Where chargers are in their deployment",
    description="Each charger's stage now (queued, starting, connecting, registering, online, "
    "offline, stopped, not_deployed) with its outcome (in_progress, succeeded, failed, stuck) "
    "and what went wrong; `identity` up to 100 times (none: the organization's first 100 "
    "chargers); `events=true` with one identity adds its timeline.",
    responses=error_responses(401, 403, 404),
)
async def stage_status(
    principal: ReaderDep,
    store: StoreDep,
    host: OptionalHostDep,
    identity: Identities = None,
    events: bool = False,
) -> StageStatusListResponse:
    organization = principal.organization_id
    if identity is not None and len(identity) > MAX_IDENTITIES:
        raise invalid(("query", "identity"), f"at most {MAX_IDENTITIES} identities")
    if events and (identity is None or len(identity) != 1):
        raise invalid(("query", "events"), "events=true needs exactly one identity")
    if identity is None:
        chargers = list(await store.chargers.list(organization, limit=MAX_IDENTITIES))
    else:
        chargers = [await charger_named(store, organization, None, name) for name in identity]
    live = await live_statuses(host, organization, chargers)
    now = utc_now()
    items = []
    for charger in chargers:
        steps = await _timeline(store, charger)
        provisioning = await charger_provisioning(store, charger)
        lines = await store.charger_logs.list(organization, charger.id, limit=_LINES)
        stage = current_stage(
            charger,
            provisioning,
            live.get(charger.id),
            attempts(lines),
            steps[-1].at if steps else None,
            now,
        )
        items.append(
            StageStatusResponse(
                identity=stage.identity,
                attempt=stage.attempt,
                stage=stage.stage,
                outcome=stage.outcome,
                code=stage.code,
                hint=stage.hint,
                since=stage.since,
                events=[_event(step) for step in steps] if events else None,
            )
        )
    return StageStatusListResponse(items=items)


@router.get(
    "/events",
    summary="The deployment timeline",
    description="Stage changes, newest first: queued, starting, online, stopped, failures, "
    "and `recovered` (online again after a failure or a stop). `identity` for one charger's "
    "timeline (else the organization's first 100 chargers'); `outcome` failed, stuck, "
    "recovered, alerts (failed and stuck) or all; at most `limit`, no next page: narrow with "
    "`since`.",
    responses=error_responses(401, 403, 404),
)
async def stage_events(
    principal: ReaderDep,
    store: StoreDep,
    since: datetime | None = None,
    outcome: Literal["failed", "stuck", "recovered", "alerts", "all"] = "all",
    identity: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> StageEventListResponse:
    organization = principal.organization_id
    if since is not None and since.tzinfo is None:
        raise invalid(("query", "since"), "needs a time zone, e.g. 2026-04-02T09:15:00Z")
    if identity is None:
        chargers = list(await store.chargers.list(organization, limit=MAX_IDENTITIES))
    else:
        chargers = [await charger_named(store, organization, None, identity)]
    found: list[StageEvent] = []
    for charger in chargers:
        found += await _timeline(store, charger)
    keep = OUTCOMES.get(outcome)
    found = [
        event
        for event in found
        if (keep is None or event.outcome in keep) and (since is None or event.at >= since)
    ]
    found.sort(key=lambda event: event.at, reverse=True)
    return StageEventListResponse(events=[_event(event) for event in found[:limit]])


async def _timeline(store: Store, charger: SimulatedCharger) -> list[StageEvent]:
    organization = charger.organization_id
    provisioning = await charger_provisioning(store, charger)
    job_id = (charger.config or {}).get("job_id")
    job = None if job_id is None else await store.jobs.get(organization, str(job_id))
    lines = await store.charger_logs.list(organization, charger.id, limit=_LINES)
    boots, _ = await store.frames.matching(charger.id, action="BootNotification", limit=_LINES)
    return timeline(
        charger,
        None if job is None else job.created_at,
        provisioning,
        list(reversed(lines)),
        boots,
    )


def _event(event: StageEvent) -> StageEventResponse:
    return StageEventResponse(
        identity=event.identity,
        attempt=event.attempt,
        stage=event.stage,
        outcome=event.outcome,
        code=event.code,
        hint=event.hint,
        at=event.at,
    )


@router.get(
    "/diagnostics",
    summary="One charger's runtime over a window",
    description="Read-only: a verdict (connected, starting, stopped, csms_unreachable, "
    "csms_rejected, crash_loop, unknown), its station as its host runs it, and its host's log "
    "lines about it over the window (default the last 15 minutes, at most 6 hours; `level` "
    "the least level kept, `tail_lines` the last lines). `download=true`: the lines as plain "
    "text. The OCPP frames are at `GET /ocpp/logs`.",
    responses=error_responses(401, 403, 404),
)
async def charger_diagnostics(
    principal: ReaderDep,
    store: StoreDep,
    host: OptionalHostDep,
    deployment_id: Annotated[str, Query(max_length=64, pattern=r"^[\x21-\x7e]+$")],
    since: datetime | None = None,
    until: datetime | None = None,
    previous: bool = False,
    level: Literal["debug", "info", "warning", "error", "critical"] = "debug",
    tail_lines: Annotated[int, Query(ge=1, le=5000)] = 500,
    download: bool = False,
) -> Response:
    organization = principal.organization_id
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise invalid(("query", name), "needs a time zone, e.g. 2026-04-02T09:15:00Z")
    end = until or loop_clock.now()
    start = since or end - DEFAULT_WINDOW
    if start >= end:
        raise invalid(("query", "since"), "must be before until")
    if end - start > MAX_WINDOW:
        raise invalid(("query", "since"), "the window is at most 6 hours")
    charger = await charger_named(store, organization, deployment_id, None)
    live = (await live_statuses(host, organization, [charger])).get(charger.id)
    lines = await store.charger_logs.list(organization, charger.id, limit=5000)
    report: DiagnosticsResponse = diagnostics.report(
        charger, live, lines, start, end, level, tail_lines, previous=previous
    )
    if download:
        text = "".join(
            f"{line.ts} {line.level.upper()} {line.text}\n" for line in report.logs.lines
        )
        return PlainTextResponse(text)
    return JSONResponse(report.model_dump(mode="json"))
