"""``GET /ocpp/commands``: the commands sent to the organization's chargers and what became of
each, newest first, by ``deployment_id`` or ``identity`` (neither: every charger's), at most
``limit`` (OCPPLab's command results, as its Python SDK's ``list_results`` reads them). Each item
is what ``GET /ocpp/commands/{command_id}`` answers. The catalogue of commands is at
``GET /ocpp/commands/catalog``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import ReaderDep
from chargeyard.api.gateway.routes.deployments import charger_named
from chargeyard.api.gateway.schemas.commands import (
    CommandOutcomeResponse,
    CommandResultListResponse,
)
from chargeyard.api.gateway.schemas.common import error_responses

router = APIRouter(prefix="/ocpp", tags=["Commands"])

Lookup = Annotated[str | None, Query(max_length=255, pattern=r"^[\x21-\x7e]+$")]


@router.get(
    "/commands",
    operation_id="list-command-results",
    summary="List command results",
    description="The commands sent, newest first, each as `GET /ocpp/commands/{command_id}` "
    "answers it: the charger's by `deployment_id` or `identity`, else every charger's.",
    responses=error_responses(401, 403, 404),
)
async def list_command_results(
    principal: ReaderDep,
    store: StoreDep,
    deployment_id: Lookup = None,
    identity: Lookup = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> CommandResultListResponse:
    organization = principal.organization_id
    charger = None
    if deployment_id is not None or identity is not None:
        charger = await charger_named(store, organization, deployment_id, identity)
    rows = await store.commands.list(
        organization, charger_id=None if charger is None else charger.id, limit=limit
    )
    identities = {} if charger is None else {charger.id: charger.identity}
    for charger_id in {row.charger_id for row in rows} - identities.keys():
        found = await store.chargers.get(organization, charger_id)
        identities[charger_id] = found.identity if found else ""
    return CommandResultListResponse(
        data=[CommandOutcomeResponse.of(row, identities[row.charger_id]) for row in rows]
    )
