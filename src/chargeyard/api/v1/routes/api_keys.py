"""``/api-keys``: the keys of ``/api/v1``, managed by an organization's admin for that
organization, or by a platform key in the organization it acts in (``api/tenant.py``;
``chargeyard apikey`` does the same from the command line). Only a platform key makes another
platform key: an organization's admin cannot raise itself above its organization. A key is
shown once, when it is made; revoking one stops it at once in this process and within a
minute in the others (``store/repositories/api_keys.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status

from chargeyard.api.deps import StoreDep, TenantDep, require_admin_key
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from chargeyard.api.v1.schemas.commands import ErrorResponse
from chargeyard.store.models import ApiKey, ApiKeyRole

router = APIRouter(
    prefix=API_PREFIX + "/api-keys",
    tags=["API Keys"],
    dependencies=[Depends(require_admin_key)],
    responses={
        401: error_answer(ErrorResponse, "Missing or invalid API key"),
        403: error_answer(ErrorResponse, "Not an admin or platform key"),
    },
)
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: error_answer(ErrorResponse, "Unknown API key id")}


def _view(api_key: ApiKey) -> dict[str, Any]:
    return {
        "id": api_key.id,
        "organizationId": api_key.organization_id,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "role": api_key.role,
        "createdAt": api_key.created_at,
        "lastUsedAt": api_key.last_used_at,
    }


@router.get("", summary="List API keys")
async def list_api_keys(store: StoreDep, tenant: TenantDep) -> list[ApiKeyOut]:
    """The organization's keys, oldest first, without the key itself (which is not kept)."""
    keys = await store.api_keys.list(organization_id=tenant.organization_id)
    return [ApiKeyOut.model_validate(_view(api_key)) for api_key in keys]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create API key",
    responses={403: error_answer(ErrorResponse, "A platform key by a non-platform key")},
)
async def create_api_key(store: StoreDep, tenant: TenantDep, body: ApiKeyCreate) -> ApiKeyCreated:
    """A new key of the organization with its role; the answer holds the key, shown this
    once."""
    if body.role == ApiKeyRole.PLATFORM and tenant.api_key.role != ApiKeyRole.PLATFORM:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"API key {tenant.api_key.name!r} is an admin of its organization: only a platform"
            " key makes a platform key",
        )
    api_key, plaintext = await store.api_keys.create(
        body.name, body.role, organization_id=tenant.organization_id
    )
    return ApiKeyCreated.model_validate({**_view(api_key), "key": plaintext})


@router.delete(
    "/{keyId}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke API key",
    responses=_UNKNOWN,
)
async def revoke_api_key(
    store: StoreDep,
    tenant: TenantDep,
    key_id: Annotated[str, Path(alias="keyId", pattern=LOOKUP_TEXT)],
) -> None:
    """Revoke one of the organization's keys: it is refused from now on (in another process
    of a cluster, within a minute)."""
    await store.api_keys.delete(key_id, organization_id=tenant.organization_id)
