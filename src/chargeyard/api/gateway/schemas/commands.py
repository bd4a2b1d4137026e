"""Bodies of ``/ocpp/commands/...``, named, described and shaped as the gateway API
reference's "Unplug connector" has them (``CommandTarget``, ``ConnectorCommandEvent``,
``UnifiedConnectorRequest``, ``QueuedCommandResponse``, ``LocationQueuedCommandResult``,
``LocationCommandFailure``, ``LocationCommandResponse``; ``HttpErrorResponse`` is shared,
``common.py``).

OpenAPI names a component after its class, so the classes carry the reference's names. The request
of a command whose payload is one connector (plug, unplug, unlock, EV energy, stop-session,
clear-fault) is the reference's ``UnifiedConnectorRequest``; every other command gets
``{target, event}`` with its own payload model, named after its path (``start-session`` ->
``StartSessionRequest``), by :func:`request_model`.

Beyond the reference: ``GET /ocpp/commands/{id}`` answers :class:`CommandOutcomeResponse`, what
became of a queued command in OCPPLab's words (its SDK's CommandResultResponse), and ``GET
/ocpp/commands/catalog`` lists the commands with the schema of each one's ``event`` and an
example body (:data:`EVENT_EXAMPLES`, which the OpenAPI document shows too).
"""

from __future__ import annotations

import functools
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator
from pydantic.json_schema import SkipJsonSchema

from chargeyard.api.gateway.dialects import command_body
from chargeyard.api.gateway.schemas.common import GatewayPage, GatewayRequest, Timestamp
from chargeyard.api.ocpp_version import OcppVersion
from chargeyard.gateway.commands import CommandSpec, ConnectorPayload, EmptyPayload
from chargeyard.gateway.controls import CONTROLS
from chargeyard.store.models import Command, CommandStatus

# The API reference's example (Unplug queued for one targeted charger), request and response.
UNPLUG_EXAMPLE_REQUEST: dict[str, Any] = {
    "target": {"charger_id": "dep-789"},
    "event": {"evse_id": 2, "connector_id": 1},
}
UNPLUG_EXAMPLE_RESPONSE: dict[str, Any] = {
    "targeted_count": 1,
    "queued_count": 1,
    "failed_count": 0,
    "results": [
        {
            "charger_id": "dep-789",
            "identity": "CP-CHARGER-789",
            "command": {
                "id": "f7e8d9c0b1a2",
                "event_type": "unplug",
                "ocpp_version": "ocpp1.6",
                "payload": {"evse_id": 2, "connector_id": 1},
            },
        }
    ],
    "failed": [],
}


# One event per command, as a user would first send it: the listing, the OpenAPI document and
# docs/api.md show these (a test posts each to a running charger).
EVENT_EXAMPLES: dict[str, dict[str, Any]] = {
    "plug-connector": {"evse_id": 1, "connector_id": 1},
    "unplug-connector": {"evse_id": 1, "connector_id": 1},
    "unlock-connector": {"evse_id": 1, "connector_id": 1},
    "ev-requests-energy": {"evse_id": 1, "connector_id": 1},
    "ev-stops-energy": {"evse_id": 1, "connector_id": 1},
    "start-session": {
        "evse_id": 1,
        "connector_id": 1,
        "id_tag": "04A1B2C3D4",
        "duration_seconds": 600,
        "target_energy_kwh": 5,
    },
    "stop-session": {"evse_id": 1, "connector_id": 1},
    "authorize": {"id_tag": "04A1B2C3D4", "evse_id": 1},
    "start-transaction": {"evse_id": 1, "connector_id": 1, "id_tag": "04A1B2C3D4"},
    "stop-transaction": {"evse_id": 1, "connector_id": 1, "reason": "Local"},
    "power-update": {"evse_id": 1, "connector_id": 1, "power_w": 3700},
    "inject-fault": {"evse_id": 1, "connector_id": 1, "error_code": "GroundFailure"},
    "clear-fault": {"evse_id": 1, "connector_id": 1},
    "set-configuration": {"configuration": [{"key": "HeartbeatInterval", "value": "120"}]},
    "cache/reset": {},
    "local-auth-list": {
        "list_version": 2,
        "entries": [{"id_tag": "04A1B2C3D4", "expiry_date": "2027-01-01T00:00:00Z"}],
    },
    "clear-local-list": {},
    "proxy-message": {"action": "Heartbeat", "ocpp_version": "1.6", "payload": {}},
    # The simulator's controls (gateway/controls/), each with its own example.
    **{control.spec.path: control.example for control in CONTROLS},
}


def example_request(path: str, target: dict[str, Any] | None = None) -> dict[str, Any]:
    """A whole body of ``POST /ocpp/commands/{path}``: ``target`` (one charger by default) and
    the command's example event."""
    return {"target": target or {"charger_id": "dep-123"}, "event": EVENT_EXAMPLES[path]}


# Ids are printable ASCII (``dep-…``, ``loc-…``); anything else, such as a NUL byte that
# PostgreSQL cannot even compare, is refused as invalid (422) rather than looked up.
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]


class CommandTarget(BaseModel):
    """Target for a unified command.

    Provide exactly one of ``charger_id`` or ``location_id``.
    ``charger_ids`` is an optional subset filter — only valid with ``location_id``.

    Examples::

        {"charger_id": "dep-123"}
        {"location_id": "loc-456"}
        {"location_id": "loc-456", "charger_ids": ["dep-1", "dep-2"]}"""

    model_config = ConfigDict(extra="forbid")

    charger_id: Id | None = Field(None, description="Target a single charger by deployment ID.")
    location_id: Id | None = Field(
        None, description="Target all or selected chargers in a location."
    )
    charger_ids: list[Id] | None = Field(
        None,
        description="Subset of chargers within the location. Null = all chargers. "
        "Only valid with location_id.",
    )
    # OCPPLab's SDK names one charger by deployment_id (charger_id's value) or by its OCPP
    # identity (dialects.py). Taken, but kept out of the schema: the reference's stands.
    deployment_id: SkipJsonSchema[Id | None] = None
    identity: SkipJsonSchema[
        Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$")] | None
    ] = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> CommandTarget:
        if self.deployment_id is not None:
            if self.charger_id not in (None, self.deployment_id):
                raise ValueError("charger_id and deployment_id name one charger: give one of them")
            self.charger_id = self.deployment_id
        named = [self.charger_id, self.identity, self.location_id]
        if sum(value is not None for value in named) != 1:
            raise ValueError(
                "provide either charger_id or location_id, not both (nor neither); "
                "deployment_id or identity may name the charger instead of charger_id"
            )
        if self.charger_ids is not None and self.location_id is None:
            raise ValueError("charger_ids is only valid with location_id")
        if self.charger_ids is not None and not self.charger_ids:
            raise ValueError("charger_ids must name at least one charger (null: all of them)")
        return self

    @property
    def single(self) -> bool:
        """It names one charger (not a location)."""
        return self.location_id is None


class CommandRequest(GatewayRequest):
    """A command's body in either dialect (``api/gateway/dialects.py``): ``path`` is the
    command's in the catalogue (None: the connector commands', which need no renaming)."""

    command_path: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _catalogue_words(cls, data: Any) -> Any:
        return command_body(cls.command_path, data)


class ConnectorCommandEvent(ConnectorPayload):
    """Command payload for connector-scoped actions."""


class UnifiedConnectorRequest(CommandRequest):
    """Request for plug / unplug / unlock / EV-energy commands."""

    model_config = ConfigDict(json_schema_extra={"examples": [UNPLUG_EXAMPLE_REQUEST]})

    target: CommandTarget
    event: ConnectorCommandEvent


class QueuedCommandResponse(BaseModel):
    """Queued command payload returned by simulator action endpoints."""

    id: str
    event_type: str
    ocpp_version: OcppVersion
    payload: dict[str, Any] = Field(description="Command payload sent to the simulator queue.")


class LocationQueuedCommandResult(BaseModel):
    """One queued command result item for a location-scoped command request."""

    charger_id: str
    identity: str
    command: QueuedCommandResponse


class LocationCommandFailure(BaseModel):
    """Failed charger result returned by location command endpoints."""

    identity: str | None = None
    error: str


class LocationCommandResponse(BaseModel):
    """Response body returned by location-scoped charger command endpoints."""

    model_config = ConfigDict(json_schema_extra={"examples": [UNPLUG_EXAMPLE_RESPONSE]})

    targeted_count: int
    queued_count: int
    failed_count: int
    results: list[LocationQueuedCommandResult]
    failed: list[LocationCommandFailure]


CommandStatusWord = Literal["received", "deferred", "applied", "rejected", "expired", "failed"]
"""What became of a command in OCPPLab's words (its CommandResultResponse.status)."""
CommandState = Literal["queued", "running", "succeeded", "failed"]
"""What became of a command in chargeyard's words."""

_STATUS_WORDS: dict[CommandStatus, CommandStatusWord] = {
    # The row exists once the charger's host took it (its precheck): the charger has it.
    CommandStatus.QUEUED: "received",
    CommandStatus.RUNNING: "received",
    CommandStatus.SUCCEEDED: "applied",
    CommandStatus.DEFERRED: "deferred",
    CommandStatus.EXPIRED: "expired",
    CommandStatus.REJECTED: "rejected",
    CommandStatus.FAILED: "failed",
}
_STATES: dict[CommandStatus, CommandState] = {
    CommandStatus.QUEUED: "queued",
    CommandStatus.RUNNING: "running",
    # The station did it, whenever its central system hears of it.
    CommandStatus.SUCCEEDED: "succeeded",
    CommandStatus.DEFERRED: "succeeded",
    CommandStatus.EXPIRED: "succeeded",
    CommandStatus.REJECTED: "failed",
    CommandStatus.FAILED: "failed",
}
FINAL_STATUSES: frozenset[CommandStatusWord] = frozenset(
    {"applied", "rejected", "expired", "failed"}
)
"""The statuses a command keeps (``received`` and ``deferred`` move on)."""


def status_word(status: CommandStatus) -> CommandStatusWord:
    """A stored status in OCPPLab's words."""
    return _STATUS_WORDS[status]


def state_word(status: CommandStatus) -> CommandState:
    """A stored status in chargeyard's words."""
    return _STATES[status]


class CommandOutcomeResponse(BaseModel):
    """A command and what became of it, in the shape of OCPPLab's CommandResultResponse (so
    that its SDK reads it): ``status`` is

    * ``received``: the charger's host has it (it checked the command could be applied before
      it was queued) and is applying it;
    * ``deferred``: applied at the station while it was offline (not connected, or not
      Accepted by its central system): what it reports waits for the connection, and the
      command becomes ``applied`` once the station is online again;
    * ``applied``: applied at the station while online, with the station's ``result``;
    * ``rejected``: refused by the station (its state, its OCPP version) or by its central
      system (a tag refused, a CALLERROR), with the reason in ``detail``;
    * ``expired``: deferred, and the gateway stopped following the station (stopped for good,
      removed, or the gateway itself stopped) before it was online again;
    * ``failed``: an error kept it from being applied (the charger not running, no answer in
      time), with the reason in ``detail``.

    ``state`` says the same in chargeyard's words: ``queued``, ``running``, then
    ``succeeded`` (the station did it: applied, deferred or expired) or ``failed`` (rejected
    or failed). ``error`` is ``detail``'s older name, ``command_id`` the id's, and
    ``deployment_id`` the charger's id; ``enqueued_at`` and ``received_at`` are when the API
    queued it (the host had checked it just before)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "f7e8d9c0b1a2",
                    "command_id": "f7e8d9c0b1a2",
                    "charger_id": "dep-789",
                    "deployment_id": "dep-789",
                    "identity": "CP-CHARGER-789",
                    "event_type": "unplug",
                    "ocpp_version": "ocpp1.6",
                    "payload": {"evse_id": 2, "connector_id": 1},
                    "status": "applied",
                    "state": "succeeded",
                    "result": {"evse_id": 2, "connector_id": 1, "status": "Available"},
                    "error": None,
                    "detail": None,
                    "created_at": "2026-04-02T09:15:00Z",
                    "enqueued_at": "2026-04-02T09:15:00Z",
                    "received_at": "2026-04-02T09:15:00Z",
                    "updated_at": "2026-04-02T09:15:01Z",
                }
            ]
        }
    )

    id: str
    command_id: str = Field(description="The same as id")
    charger_id: str
    deployment_id: str = Field(description="The same as charger_id")
    identity: str = Field(description="The charger's OCPP identity")
    event_type: str
    ocpp_version: OcppVersion
    payload: dict[str, Any]
    status: CommandStatusWord = Field(description="OCPPLab's words (see above)")
    state: CommandState = Field(description="chargeyard's words (see above)")
    result: dict[str, Any] | None = Field(
        description="What the station did (applied, deferred, expired); for a start-session, "
        "authorize or start-transaction not applied, what is known (the authorization, the "
        "transaction id)"
    )
    error: str | None = Field(description="The same as detail")
    detail: str | None = Field(description="Why it was not applied (rejected, failed)")
    created_at: Timestamp = Field(description="When the API queued it")
    enqueued_at: Timestamp = Field(description="The same as created_at")
    received_at: Timestamp = Field(description="The same as created_at")
    updated_at: Timestamp = Field(description="When its status last changed")

    @classmethod
    def of(cls, row: Command, identity: str) -> CommandOutcomeResponse:
        return cls(
            id=row.id,
            command_id=row.id,
            charger_id=row.charger_id,
            deployment_id=row.charger_id,
            identity=identity,
            event_type=row.event_type,
            ocpp_version=row.ocpp_version,
            payload=row.payload,
            status=status_word(CommandStatus(row.status)),
            state=state_word(CommandStatus(row.status)),
            result=row.result,
            error=row.error,
            detail=row.error,
            created_at=row.created_at,
            enqueued_at=row.created_at,
            received_at=row.created_at,
            updated_at=row.updated_at,
        )


class CommandResultListResponse(BaseModel):
    """A charger's latest commands, newest first (OCPPLab's CommandResultListResponse)."""

    data: list[CommandOutcomeResponse]


class CommandDescription(BaseModel):
    """A command of ``POST /ocpp/commands/{path}``: what it does and the body it takes."""

    path: str = Field(examples=["start-session"], description="Under /ocpp/commands/")
    method: str = Field(examples=["POST"])
    event_type: str = Field(
        examples=["start_session"], description="What a queued command of it is called"
    )
    summary: str
    event: dict[str, Any] = Field(description="The JSON schema of the body's `event`")
    example: dict[str, Any] = Field(description="A whole body: `target` and `event`")

    @classmethod
    def of(cls, spec: CommandSpec) -> CommandDescription:
        return cls(
            path=spec.path,
            method="POST",
            event_type=spec.event_type,
            summary=spec.summary,
            event=spec.payload.model_json_schema(),
            example=example_request(spec.path),
        )


class CommandListResponse(GatewayPage[CommandDescription]):
    """A page of the commands, in the order of the catalogue."""


@functools.cache
def request_model(spec: CommandSpec) -> type[BaseModel]:
    """The body of ``POST /ocpp/commands/{spec.path}``: ``{target, event}`` (or the SDK's
    ``{target, payload}``: ``dialects.py``)."""
    if spec.payload is ConnectorPayload:
        return UnifiedConnectorRequest
    name = "".join(word.capitalize() for word in re.split(r"[-/]", spec.path)) + "Request"
    event: Any = (spec.payload, ...)
    if spec.payload is EmptyPayload:
        event = (EmptyPayload, Field(default_factory=EmptyPayload))  # nothing to say
    # Swagger UI fills "Try it out" with the first example: a body that works, where one made
    # from the schema alone names both targets and is refused.
    base = type(
        f"_{name}",
        (CommandRequest,),
        {
            "model_config": ConfigDict(
                json_schema_extra={"examples": [example_request(spec.path)]}
            ),
            "command_path": spec.path,
        },
    )
    return create_model(
        name,
        __base__=base,
        __doc__=f"Request for the {spec.path} command: {spec.summary.lower()}.",
        target=(CommandTarget, ...),
        event=event,
    )
