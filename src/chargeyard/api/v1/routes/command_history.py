"""The command history: every OCPP call the API sent, across chargers (``/commands``) or for
one (``/chargers/{chargeBoxId}/commands``), newest first, filtered and paged.

Thin: the pages come from ``chargeyard.csms.commands.command_history``; the calls are kept by
the link every command route goes through (``api/v1/deps.py``, ``csms/command_journal.py``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime

from chargeyard.api.deps import StoreDep, TenantDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT, Limit, Offset
from chargeyard.api.tenant import Tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import KeeperDep
from chargeyard.api.v1.schemas import ErrorResponse
from chargeyard.api.v1.schemas.command_history import CommandPage, CommandView, Outcome
from chargeyard.csms.command_journal import EntryKeeper
from chargeyard.csms.commands import command_history
from chargeyard.store import Store
from chargeyard.store.models import CallOutcome
from chargeyard.store.repositories import CommandQuery


def _errors(*answers: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    return {
        status: error_answer(ErrorResponse, description)
        for status, description in ((401, "Missing or invalid API key"), *answers)
    }


router = APIRouter(
    prefix=API_PREFIX, tags=["Command History"], dependencies=[Depends(require_tenant)]
)

ActionQuery = Annotated[
    str | None,
    Query(description="Only this OCPP action, e.g. Reset", max_length=64, pattern=LOOKUP_TEXT),
]
StatusQuery = Annotated[
    str | None,
    Query(
        description="Only answers with this status (Accepted, Rejected, ...) or CALLERRORs with"
        " this code",
        max_length=64,
        pattern=LOOKUP_TEXT,
    ),
]
OutcomeQuery = Annotated[Outcome | None, Query(description="Only calls that ended so")]
SinceQuery = Annotated[
    AwareDatetime | None,
    Query(alias="from", description="Sent at or after this time (ISO 8601 with a zone)"),
]
UntilQuery = Annotated[
    AwareDatetime | None,
    Query(alias="to", description="Sent before this time (ISO 8601 with a zone)"),
]


async def _filters(
    action: ActionQuery = None,
    status: StatusQuery = None,
    outcome: OutcomeQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
) -> CommandQuery:
    """The filters both listings take, from their query."""
    return CommandQuery(
        action=action,
        status=status,
        outcome=None if outcome is None else CallOutcome(outcome),
        since=since,
        until=until,
    )


FiltersDep = Annotated[CommandQuery, Depends(_filters)]


async def _page(
    store: Store,
    keeper: EntryKeeper,
    tenant: Tenant,
    query: CommandQuery,
    limit: int,
    offset: int,
) -> CommandPage:
    query = replace(query, organization_id=tenant.organization_id)
    if query.charge_box_id is not None:
        await tenant.require_charger(store, query.charge_box_id)
    await keeper.settled()  # the calls whose answers went out are listed
    result = await command_history.history(store.sent_commands, query, limit=limit, offset=offset)
    return CommandPage.model_validate(result)


@router.get(
    "/commands",
    summary="Command history",
    responses=_errors((404, "Unknown chargeBoxId")),
)
async def list_commands(
    store: StoreDep,
    keeper: KeeperDep,
    tenant: TenantDep,
    filters: FiltersDep,
    charge_box_id: Annotated[
        str | None,
        Query(alias="chargeBoxId", description="Only this charger's", pattern=LOOKUP_TEXT),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> CommandPage:
    """Every OCPP call the API sent to a charger of the organization (the commands, the raw
    calls, remote start and stop), newest first: who sent it, the request, the answer or the
    error, and how long it took."""
    query = replace(filters, charge_box_id=charge_box_id)
    return await _page(store, keeper, tenant, query, limit, offset)


@router.get(
    "/chargers/{chargeBoxId}/commands",
    summary="Command history of a charger",
    responses=_errors((404, "Unknown chargeBoxId")),
)
async def charger_commands(
    store: StoreDep,
    keeper: KeeperDep,
    tenant: TenantDep,
    filters: FiltersDep,
    charge_box_id: Annotated[str, Path(alias="chargeBoxId", pattern=LOOKUP_TEXT)],
    limit: Limit = 20,
    offset: Offset = 0,
) -> CommandPage:
    """The OCPP calls the API sent to this charger, newest first (the filters of
    `GET /commands`)."""
    query = replace(filters, charge_box_id=charge_box_id)
    return await _page(store, keeper, tenant, query, limit, offset)


@router.get(
    "/commands/{commandId}",
    summary="One command",
    responses=_errors((404, "Unknown command")),
)
async def get_command(
    store: StoreDep,
    keeper: KeeperDep,
    tenant: TenantDep,
    command_id: Annotated[str, Path(alias="commandId", max_length=32, pattern=LOOKUP_TEXT)],
) -> CommandView:
    """One command of the history (one just sent included)."""
    await keeper.settled()
    return CommandView.model_validate(
        await command_history.command(
            store.sent_commands, command_id, organization_id=tenant.organization_id
        )
    )
