"""``/api-keys``: the keys of ``/api/v1``, managed with an admin key (``chargeyard apikey``
does the same from the command line). A key is shown once, when it is made; revoking one
stops it at once in this process and within a minute in the others (``store/repositories/
api_keys.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status

from chargeyard.api.deps import StoreDep, require_admin_key
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.api.v1.schemas.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from chargeyard.api.v1.schemas.commands import ErrorResponse
from chargeyard.store.models import ApiKey

router = APIRouter(
    prefix="/api-keys",
    tags=["API Keys"],
    dependencies=[Depends(require_admin_key)],
    responses={
        401: {"model": ErrorResponse, "description": "Missing or invalid API key"},
        403: {"model": ErrorResponse, "description": "Not an admin key"},
    },
)
_UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown API key id"}
}


def _view(api_key: ApiKey) -> dict[str, Any]:
    return {
        "id": api_key.id,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "role": api_key.role,
        "createdAt": api_key.created_at,
        "lastUsedAt": api_key.last_used_at,
    }


@router.get("", summary="List API keys")
async def list_api_keys(store: StoreDep) -> list[ApiKeyOut]:
    """Every key, oldest first, without the key itself (which is not kept)."""
    return [ApiKeyOut.model_validate(_view(api_key)) for api_key in await store.api_keys.list()]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create API key")
async def create_api_key(store: StoreDep, body: ApiKeyCreate) -> ApiKeyCreated:
    """A new key with its role; the answer holds the key, shown this once."""
    api_key, plaintext = await store.api_keys.create(body.name, body.role)
    return ApiKeyCreated.model_validate({**_view(api_key), "key": plaintext})


@router.delete(
    "/{keyId}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke API key",
    responses=_UNKNOWN,
)
async def revoke_api_key(
    store: StoreDep, key_id: Annotated[str, Path(alias="keyId", pattern=LOOKUP_TEXT)]
) -> None:
    """Revoke a key: it is refused from now on (in another process of a cluster, within a
    minute)."""
    await store.api_keys.delete(key_id)
