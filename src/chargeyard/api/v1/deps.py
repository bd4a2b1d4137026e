"""The central system's own dependencies: ``LinkDep`` (the ``StationLink`` to the stations
connected to the central system, keeping every call in the command history as sent by the
request's API key through its endpoint, ``csms/command_journal.py``, and the Basic password a
call set once the station took it, ``csms/commands/basic_password.py``) and ``ChargerDep`` (the
path's chargeBoxId, a registered station, as a command target). ``api/deps.py`` has the ones
both APIs share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from chargeyard.api.deps import TenantDep, settings_of, store_of
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.csms.command_journal import Caller, EntryKeeper, JournaledLink
from chargeyard.csms.commands import Charger
from chargeyard.csms.commands.basic_password import PasswordKeepingLink
from chargeyard.csms.message_limits import StoredLimits
from chargeyard.csms.station_link import StationLink


def keeper_of(request: Request) -> EntryKeeper:
    """The app's one writer of command-history entries (``csms/command_journal.py``), made
    with its first request."""
    keeper: EntryKeeper | None = getattr(request.app.state, "command_keeper", None)
    if keeper is None:
        keeper = EntryKeeper(store_of(request).sent_commands)
        request.app.state.command_keeper = keeper
    return keeper


async def get_keeper(request: Request) -> EntryKeeper:
    return keeper_of(request)


KeeperDep = Annotated[EntryKeeper, Depends(get_keeper)]


async def get_link(request: Request, tenant: TenantDep) -> StationLink:
    # create_app keeps the link under the name ``registry``.
    link: StationLink = request.app.state.registry
    # The route's template, as the API documents it ("/api/v1/chargers/{chargeBoxId}/reset"),
    # not the path asked for: one endpoint reads the same for every charger.
    template = getattr(request.scope.get("route"), "path", None)
    endpoint = f"{request.method} {request.url.path if template is None else template}"
    api_key = tenant.api_key
    # A password a call sets is kept once the station took it, before the command answers.
    kept = PasswordKeepingLink(link, store_of(request).stations)
    return JournaledLink(
        kept, keeper_of(request), caller=Caller(api_key.id, api_key.name), endpoint=endpoint
    )


LinkDep = Annotated[StationLink, Depends(get_link)]


async def get_charger(
    request: Request,
    link: LinkDep,
    tenant: TenantDep,
    charge_box_id: Annotated[str, Path(alias="chargeBoxId", pattern=LOOKUP_TEXT)],
) -> Charger:
    """The path's station, which the tenant dependency found registered in the request's
    organization (UnknownStation, 404, otherwise), with the limits it reported on a
    request's items read from what the central system keeps of it (its reports, the command
    history: ``csms/message_limits.py``)."""
    limits = StoredLimits(store_of(request), keeper_of(request).settled)
    timeout = settings_of(request).command_timeout
    return Charger(link, charge_box_id, timeout, tenant.organization_id, limits=limits)


ChargerDep = Annotated[Charger, Depends(get_charger)]
