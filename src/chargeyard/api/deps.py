"""The dependencies both APIs share, as ``Annotated`` aliases: ``StoreDep``, ``SettingsDep``,
``OutboundDep`` (where the server's own connections may go), ``ApiKeyDep`` (the
``X-API-Key`` header, checked against the store; ``/api/v1`` and ``/metrics`` take it) and
``TenantDep`` (the organization an ``/api/v1`` request acts in, ``api/tenant.py``). The
central system's own (a station as a command target) are in ``api/v1/deps.py``, the gateway's
in ``api/gateway/deps.py``.

The dependencies are ``async def`` although they do not await: FastAPI runs a plain ``def``
dependency in its thread pool, and each such hop is a trip through the event loop's queue,
which under a thousand stations' traffic costs more than the request itself.

A dependency that needs the app's store or settings reads them with :func:`store_of` and
:func:`settings_of` rather than depending on ``StoreDep``: FastAPI analyses every
sub-dependency again for each route (twice per route in a process), and these sit under
nearly every route, so each level they add is paid hundreds of times at start; a route's own
parameters use the aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader
from starlette.requests import HTTPConnection

from chargeyard.api.organization_header import documents_organization_header, requested_organization
from chargeyard.api.settings import ApiSettings
from chargeyard.api.tenant import CHARGER_PATH_PARAMETER, Tenant, acting_tenant
from chargeyard.outbound import OutboundPolicy
from chargeyard.store import Store
from chargeyard.store.models import ApiKey, ApiKeyRole

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="The key of the central system's API (/api/v1). `chargeyard apikey create`"
    " makes one; `chargeyard up` prints the demo's.",
)


def store_of(connection: HTTPConnection) -> Store:
    """The app's store, for a dependency (a route takes ``StoreDep``)."""
    store: Store = connection.app.state.store
    return store


def settings_of(connection: HTTPConnection) -> ApiSettings:
    """The app's settings, for a dependency (a route takes ``SettingsDep``)."""
    settings: ApiSettings = connection.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    return store_of(request)


async def get_settings(request: Request) -> ApiSettings:
    return settings_of(request)


async def get_outbound(request: Request) -> OutboundPolicy | None:
    outbound: OutboundPolicy | None = request.app.state.outbound
    return outbound


StoreDep = Annotated[Store, Depends(get_store)]
OutboundDep = Annotated[OutboundPolicy | None, Depends(get_outbound)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]


# The methods a viewer key may use: what reads. Every other request of /api/v1 sends a command
# to a station or writes (chargers, id tags, webhooks, API keys).
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_ADMINS = frozenset({ApiKeyRole.ADMIN, ApiKeyRole.PLATFORM})


async def require_api_key(
    request: Request, key: Annotated[str | None, Depends(_api_key_header)]
) -> ApiKey:
    """The caller's key; 401 when it is missing or wrong (compared in constant time by the
    store, which also hashes for unknown prefixes), 403 when a viewer key asks for more than
    a read."""
    api_key = await store_of(request).api_keys.verify(key) if key else None
    if api_key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid API key",
            headers={"WWW-Authenticate": "X-API-Key"},
        )
    if api_key.role == ApiKeyRole.VIEWER and request.method not in _READS:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"API key {api_key.name!r} is a viewer key: it reads, and sends no commands or changes",
        )
    return api_key


async def require_admin_key(api_key: Annotated[ApiKey, Depends(require_api_key)]) -> ApiKey:
    """The caller's key, if it is an admin (or platform) key; 403 otherwise."""
    if api_key.role not in _ADMINS:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"API key {api_key.name!r} is a {api_key.role} key: only an admin key manages API keys",
        )
    return api_key


ApiKeyDep = Annotated[ApiKey, Depends(require_api_key)]


@documents_organization_header("Platform keys only: act in this organization instead of the key's.")
async def require_tenant(request: Request, api_key: ApiKeyDep) -> Tenant:
    """The organization the request acts in (``api/tenant.py``; ``X-Organization-Id``, read
    as ``api/organization_header.py`` says), after checking that the charger its path names,
    if any, is that organization's (404 otherwise, as for a charger that does not exist)."""
    store = store_of(request)
    tenant = await acting_tenant(store, api_key, requested_organization(request))
    charge_box_id = request.path_params.get(CHARGER_PATH_PARAMETER)
    if charge_box_id is not None:
        await tenant.require_charger(store, charge_box_id)
    return tenant


TenantDep = Annotated[Tenant, Depends(require_tenant)]
