"""The dependencies both APIs share, as ``Annotated`` aliases: ``StoreDep``, ``SettingsDep``,
``OutboundDep`` (where the server's own connections may go), ``ApiKeyDep`` (the
``X-API-Key`` header, checked against the store; ``/api/v1`` and ``/metrics`` take it) and
``TenantDep`` (the organization an ``/api/v1`` request acts in, ``api/tenant.py``). The
central system's own (a station as a command target) are in ``api/v1/deps.py``, the gateway's
in ``api/gateway/deps.py``.

The dependencies are ``async def`` although they do not await: FastAPI runs a plain ``def``
dependency in its thread pool, and each such hop is a trip through the event loop's queue,
which under a thousand stations' traffic costs more than the request itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import APIKeyHeader

from chargeyard.api.settings import ApiSettings
from chargeyard.api.tenant import CHARGER_PATH_PARAMETER, ORGANIZATION_HEADER, Tenant, acting_tenant
from chargeyard.outbound import OutboundPolicy
from chargeyard.store import Store
from chargeyard.store.models import ApiKey, ApiKeyRole

_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="The key of the central system's API (/api/v1). `chargeyard apikey create`"
    " makes one; `chargeyard up` prints the demo's.",
)


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


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
    request: Request, store: StoreDep, key: Annotated[str | None, Depends(_api_key_header)]
) -> ApiKey:
    """The caller's key; 401 when it is missing or wrong (compared in constant time by the
    store, which also hashes for unknown prefixes), 403 when a viewer key asks for more than
    a read."""
    api_key = await store.api_keys.verify(key) if key else None
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


async def require_tenant(
    request: Request,
    store: StoreDep,
    api_key: ApiKeyDep,
    organization: Annotated[
        str | None,
        Header(
            alias=ORGANIZATION_HEADER,
            description="Platform keys only: act in this organization instead of the key's.",
        ),
    ] = None,
) -> Tenant:
    """The organization the request acts in (``api/tenant.py``), after checking that the
    charger its path names, if any, is that organization's (404 otherwise, as for a charger
    that does not exist)."""
    tenant = await acting_tenant(store, api_key, organization)
    charge_box_id = request.path_params.get(CHARGER_PATH_PARAMETER)
    if charge_box_id is not None:
        await tenant.require_charger(store, charge_box_id)
    return tenant


TenantDep = Annotated[Tenant, Depends(require_tenant)]
