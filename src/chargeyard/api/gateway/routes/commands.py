"""``/ocpp/commands``: act on chargers as a person at the station would (the
gateway API reference's commands), and see what became of it.

One ``POST /ocpp/commands/{path}`` per command of the catalogue
(:data:`~chargeyard.gateway.commands.COMMANDS`, the single table of commands): the routes are
generated from it, each with the path as its operationId. A route resolves its
``CommandTarget`` to chargers of the caller's organization (404 for an unknown charger or
location), then :func:`~chargeyard.gateway.dispatch.dispatch` has each charger's host
precheck it where the station runs, queues the command for those that can take it and lists
the others in ``failed`` with the reason, as it lists a ``charger_ids`` entry that is not in
the location; the answer is 202 either way. A host that does not answer the precheck in time
is a 504 for a command to one charger, and a ``failed`` entry per charger for a location's.
A path under ``/ocpp/commands/`` that names no command is 404.

``GET /ocpp/commands/catalog`` lists the commands, each with the schema of its ``event`` and
an example body; ``GET /ocpp/commands/{command_id}`` tells what became of one queued command,
in OCPPLab's words (``received``, ``deferred``, then ``applied``, ``rejected``, ``expired`` or
``failed``) and in chargeyard's (``state``: ``queued``, ``running``, ``succeeded``,
``failed``).
Operators and admins send commands; viewers read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Path, Response, status
from pydantic import BaseModel

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.chargers_shared import NO_ANSWER, host_answers
from chargeyard.api.gateway.deps import BusDep, HostDep
from chargeyard.api.gateway.dialects import PATH_ALIASES
from chargeyard.api.gateway.schemas.commands import (
    UNPLUG_EXAMPLE_RESPONSE,
    CommandDescription,
    CommandListResponse,
    CommandOutcomeResponse,
    LocationCommandResponse,
    request_model,
)
from chargeyard.api.gateway.schemas.common import (
    DEFAULT_LIMIT,
    PageLimit,
    PageNumber,
    error_responses,
    page_slice,
)
from chargeyard.api.gateway.targets import resolve_target
from chargeyard.gateway.commands import COMMANDS, COMMANDS_BY_PATH, CommandSpec
from chargeyard.gateway.controls import CONTROLS
from chargeyard.gateway.dispatch import dispatch
from chargeyard.store import NotFoundError

router = APIRouter(prefix="/ocpp", tags=["Commands"])

# Per path: the summary and description of its route, in the hosted product's words where
# its API reference has them (unplug-connector); a test checks every command has one.
DOCS: dict[str, tuple[str, str]] = {
    "plug-connector": (
        "Plug connector",
        "Simulate a physical cable plug-in (with an EV at its end) on the specified "
        "connector. The charger reports `Preparing` (1.6) or `Occupied` (2.0.1).",
    ),
    "unplug-connector": (
        "Unplug connector",
        "Simulate physical cable unplug on the specified connector. The charger returns to "
        "`Available` once the cable is removed. Targets a single charger, selected chargers "
        "in a location, or all chargers in a location.",
    ),
    "unlock-connector": (
        "Unlock connector",
        "Release the connector's cable lock, as the station's unlock button does.",
    ),
    "ev-requests-energy": (
        "EV requests energy",
        "The plugged EV draws energy again (`Charging` after `SuspendedEV`: the 1.6 status, "
        "the 2.0.1 charging state).",
    ),
    "ev-stops-energy": (
        "EV stops energy",
        "The plugged EV stops drawing energy while its transaction goes on (`SuspendedEV`: "
        "the 1.6 status, the 2.0.1 charging state).",
    ),
    "start-session": (
        "Start session",
        "A whole charging session as a driver has it: plug (unless a cable is in), present "
        "`id_tag`, charge, and stop after `duration_seconds` or once `target_energy_kwh` went "
        "into the EV, whichever comes first. Succeeds once the transaction started with the "
        "tag accepted (its `result` names the authorization and the `transaction_id`); "
        "otherwise fails with the OCPP reason and takes back what it did (the transaction is "
        "stopped, the cable it plugged unplugged).",
    ),
    "stop-session": (
        "Stop session",
        "Stop the connector's transaction, then unplug the cable.",
    ),
    "authorize": (
        "Authorize",
        "Present `id_tag` to the station's reader; the station authorizes it by its own "
        "rules (local list, cache, or an Authorize request to the central system). The "
        "outcome holds the authorization (status and source) and the transaction it started; "
        "a refused tag fails with the status.",
    ),
    "start-transaction": (
        "Start transaction",
        "Start a transaction on the station's own authority (a cable must be in); the outcome "
        "holds the central system's answer and the `transaction_id`.",
    ),
    "stop-transaction": (
        "Stop transaction",
        "End the connector's transaction now with `reason` (1.6 Reason, 2.0.1 "
        "ReasonEnumType; a charger whose version has no such reason is listed in `failed` "
        "with the allowed values); the cable stays in.",
    ),
    "power-update": (
        "Power update",
        "Change the power the EVSE may deliver (`power_w` null: back to its rating).",
    ),
    "inject-fault": (
        "Inject fault",
        "Make the connector fail with `error_code` (a 1.6 ChargePointErrorCode; a 2.0.1 "
        "charger also takes a fault ReasonEnumType); a running transaction ends as the "
        "station's OCPP version says.",
    ),
    "clear-fault": (
        "Clear fault",
        "Repair the connector: it reports its status from before the fault.",
    ),
    "set-configuration": (
        "Set configuration",
        "Change configuration keys (1.6) or device model variables (2.0.1, "
        "`Component.Variable`); the command's outcome holds each key's Accepted, Rejected "
        "or RebootRequired.",
    ),
    "cache/reset": (
        "Reset authorization cache",
        "Empty the station's authorization cache.",
    ),
    "local-auth-list": (
        "Install local authorization list",
        "Replace the station's local authorization list; `list_version` must be greater "
        "than the installed one.",
    ),
    "clear-local-list": (
        "Clear local authorization list",
        "Empty the station's local authorization list.",
    ),
    "proxy-message": (
        "Proxy message",
        "Send any station-to-central-system message as it is (validated against the "
        "version's schema); the command's outcome holds the central system's answer.",
    ),
}

# The simulator's controls carry their own words (gateway/controls/).
DOCS.update({control.spec.path: (control.title, control.description) for control in CONTROLS})

_ANY_TYPE: dict[str, Any] = {"application/json": {"schema": {"description": "Any type"}}}

# The API reference's responses, word for word; 503 is ours (a process without the fleet host).
_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "Command accepted and queued for the target charger(s)",
        "content": {"application/json": {"example": UNPLUG_EXAMPLE_RESPONSE}},
    },
    **error_responses(401, 403),
    404: {"description": "Charger or location not found", "content": _ANY_TYPE},
    422: {
        "description": "Invalid target — provide either charger_id or location_id, not both",
        "content": _ANY_TYPE,
    },
    500: {"description": "Internal server error", "content": _ANY_TYPE},
    **NO_ANSWER,
}

CommandId = Annotated[
    str,
    Path(description="A command's id, e.g. f7e8d9c0b1a2", max_length=32, pattern=r"^[\x21-\x7e]+$"),
]


def _command_route(spec: CommandSpec) -> Callable[..., Awaitable[Response]]:
    body_model = request_model(spec)

    async def send_command(
        principal: WriterDep, store: StoreDep, host: HostDep, bus: BusDep, body: Any
    ) -> Response:
        organization_id = principal.organization_id
        chargers, missing = await resolve_target(store, organization_id, body.target)
        event: BaseModel = body.event
        with host_answers():
            sent = await dispatch(
                store,
                bus,
                host.precheck,
                organization_id,
                chargers,
                spec.event_type,
                event,
                missing,
                # One charger: its host's silence is the answer (504); a location's lists
                # each charger in `failed` with the reason, as any refusal.
                unanswered_fails=not body.target.single,
            )
        # Already in the shape of LocationCommandResponse (the documented model; the tests
        # hold the answers to it): serialized once, not validated again item by item, which
        # costs tens of milliseconds for a location of a thousand chargers.
        return Response(
            orjson.dumps(sent.as_response()),
            status_code=status.HTTP_202_ACCEPTED,
            media_type="application/json",
        )

    # FastAPI reads the body's model from the annotation; this one is made per command.
    send_command.__annotations__["body"] = body_model
    send_command.__name__ = "send_" + spec.event_type
    return send_command


# Each command at its path, and at the path OCPPLab's SDK names it by (dialects.py).
_PATHS = [(spec.path, spec) for spec in COMMANDS.values()] + [
    (alias, COMMANDS_BY_PATH[path]) for alias, path in PATH_ALIASES.items()
]
for _path, _spec in _PATHS:
    _summary, _description = DOCS[_spec.path]
    if _path != _spec.path:
        _description += f" The same command as `{_spec.path}`, by the name OCPPLab's SDK uses."
    router.add_api_route(
        f"/commands/{_path}",
        _command_route(_spec),
        methods=["POST"],
        operation_id=_path.replace("/", "-"),
        summary=_summary,
        description=_description,
        status_code=status.HTTP_202_ACCEPTED,
        response_model=LocationCommandResponse,
        responses=_RESPONSES,
    )


@router.get(
    "/commands/catalog",
    operation_id="list-commands",
    summary="List commands",
    description="The commands of `POST /ocpp/commands/{path}`: each one's path, what it does, "
    "the JSON schema of its `event` and a whole example body. (`GET /ocpp/commands` lists "
    "the commands sent.)",
    responses=error_responses(401, 403, 404),
)
async def list_commands(
    _: ReaderDep, page: PageNumber = 1, limit: PageLimit = DEFAULT_LIMIT
) -> CommandListResponse:
    specs = list(COMMANDS.values())
    return CommandListResponse(
        data=[CommandDescription.of(spec) for spec in page_slice(specs, page, limit)],
        total=len(specs),
        page=page,
        limit=limit,
    )


@router.get(
    "/commands/{command_id}",
    operation_id="get-command",
    summary="Get command",
    description="A queued command and what became of it. `status`: `received` (the "
    "charger's host has it), `deferred` (applied while the station was offline: `applied` once "
    "it is online again), then `applied` (with the station's `result`), `rejected` (refused by "
    "the station or its central system, the reason in `detail`), `expired` (deferred, and the "
    "station was not followed until it was online again) or `failed` (an error, in `detail`). "
    "`state` says it in chargeyard's words: `queued`, `running`, `succeeded` or `failed`.",
    responses=error_responses(401, 403, 404),
)
async def get_command(
    principal: ReaderDep, store: StoreDep, command_id: CommandId
) -> CommandOutcomeResponse:
    if command_id in COMMANDS_BY_PATH or command_id in PATH_ALIASES:
        # A command's own path, asked with GET: a known path and the wrong method, not an
        # unknown command id (ids are 12 hex digits; a path is never one).
        raise HTTPException(
            status.HTTP_405_METHOD_NOT_ALLOWED, "Method Not Allowed", headers={"Allow": "POST"}
        )
    row = await store.commands.get(principal.organization_id, command_id)
    if row is None:
        raise NotFoundError("command", command_id)
    charger = await store.chargers.get(principal.organization_id, row.charger_id)
    return CommandOutcomeResponse.of(row, charger.identity if charger else "")


_KNOWN = ", ".join(COMMANDS_BY_PATH)


# Last, after every command and GET /commands/{command_id}: without it, a POST to a path that
# names no command would match that GET route's path and answer 405 as if the path existed.
@router.post("/commands/{name:path}", include_in_schema=False)
async def unknown_command(principal: ReaderDep, name: str) -> Response:
    raise HTTPException(
        status.HTTP_404_NOT_FOUND, f"no command {name!r} under /ocpp/commands (known: {_KNOWN})"
    )
