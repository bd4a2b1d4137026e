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
became of a queued command (the hosted product only ever says "queued").
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from chargeyard.api.gateway.schemas.common import GatewayRequest, Timestamp
from chargeyard.gateway.commands import CommandSpec, ConnectorPayload, EmptyPayload
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

    @model_validator(mode="after")
    def _exactly_one_target(self) -> CommandTarget:
        if (self.charger_id is None) == (self.location_id is None):
            raise ValueError("provide either charger_id or location_id, not both (nor neither)")
        if self.charger_ids is not None and self.location_id is None:
            raise ValueError("charger_ids is only valid with location_id")
        if self.charger_ids is not None and not self.charger_ids:
            raise ValueError("charger_ids must name at least one charger (null: all of them)")
        return self


class ConnectorCommandEvent(ConnectorPayload):
    """Command payload for connector-scoped actions."""


class UnifiedConnectorRequest(GatewayRequest):
    """Request for plug / unplug / unlock / EV-energy commands."""

    model_config = ConfigDict(json_schema_extra={"examples": [UNPLUG_EXAMPLE_REQUEST]})

    target: CommandTarget
    event: ConnectorCommandEvent


class QueuedCommandResponse(BaseModel):
    """Queued command payload returned by simulator action endpoints."""

    id: str
    event_type: str
    ocpp_version: str
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


class CommandOutcomeResponse(BaseModel):
    """A command and what became of it: ``queued`` until the fleet takes it, then
    ``succeeded`` with the station's ``result`` or ``failed`` with the ``error``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "f7e8d9c0b1a2",
                    "charger_id": "dep-789",
                    "event_type": "unplug",
                    "ocpp_version": "ocpp1.6",
                    "payload": {"evse_id": 2, "connector_id": 1},
                    "status": "succeeded",
                    "result": {"evse_id": 2, "connector_id": 1, "status": "Available"},
                    "error": None,
                    "created_at": "2026-04-02T09:15:00Z",
                    "updated_at": "2026-04-02T09:15:01Z",
                }
            ]
        }
    )

    id: str
    charger_id: str
    event_type: str
    ocpp_version: str
    payload: dict[str, Any]
    status: CommandStatus
    result: dict[str, Any] | None = Field(
        description="What the station did (succeeded); for a failed start-session, authorize "
        "or start-transaction, what is known (the authorization, the transaction id)"
    )
    error: str | None = Field(description="Why it was not applied (failed)")
    created_at: Timestamp = Field(description="When the API queued it")
    updated_at: Timestamp = Field(description="When its status last changed")

    @classmethod
    def of(cls, row: Command) -> CommandOutcomeResponse:
        return cls(
            id=row.id,
            charger_id=row.charger_id,
            event_type=row.event_type,
            ocpp_version=row.ocpp_version,
            payload=row.payload,
            status=CommandStatus(row.status),
            result=row.result,
            error=row.error,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def request_model(spec: CommandSpec) -> type[BaseModel]:
    """The body of ``POST /ocpp/commands/{spec.path}``: ``{target, event}``."""
    if spec.payload is ConnectorPayload:
        return UnifiedConnectorRequest
    name = "".join(word.capitalize() for word in re.split(r"[-/]", spec.path)) + "Request"
    event: Any = (spec.payload, ...)
    if spec.payload is EmptyPayload:
        event = (EmptyPayload, Field(default_factory=EmptyPayload))  # nothing to say
    return create_model(
        name,
        __base__=GatewayRequest,
        __doc__=f"Request for the {spec.path} command: {spec.summary.lower()}.",
        target=(CommandTarget, ...),
        event=event,
    )
