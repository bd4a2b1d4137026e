"""``/id-tags``: the id tags the central system authorizes.

The CSMS answers Authorize (and 1.6 StartTransaction, 2.0.1 TransactionEvent) from this table
(``csms/context.py``), so a change here applies to the next tag a charger presents; a charger
may still hold the old answer in its authorization cache or local list (1.6 section 3.5).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from chargeyard.api.deps import StoreDep, TenantDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT, Limit, Offset, Page
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.schemas import ErrorResponse
from chargeyard.api.v1.schemas.id_tags import (
    IdTagCreate,
    IdTagDeleted,
    IdTagOut,
    IdTagStatus,
    IdTagUpdate,
)
from chargeyard.store import ConflictError, NotFoundError
from chargeyard.store.repositories import UNSET

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: error_answer(ErrorResponse, "Missing or invalid API key"),
}
# The routes that name one row in their path.
_UNKNOWN: dict[int | str, dict[str, Any]] = {
    404: error_answer(ErrorResponse, "Unknown id tag"),
}

router = APIRouter(
    prefix=API_PREFIX + "/id-tags",
    tags=["Id Tags"],
    dependencies=[Depends(require_tenant)],
    responses=_ERRORS,
)

# The routes take ``{idTag:path}``: a tag may hold a "/" (a 1.6 IdToken is any CiString20),
# which a client sends as %2F and the router sees decoded.
IdTagPath = Annotated[str, Path(alias="idTag", pattern=LOOKUP_TEXT)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create id tag",
    responses={409: error_answer(ErrorResponse, "The organization has the id tag already")},
)
async def create_id_tag(store: StoreDep, tenant: TenantDep, body: IdTagCreate) -> IdTagOut:
    """Add a tag the central system will answer Authorize for, to the organization's
    chargers (another organization may have the same tag for another driver)."""
    try:
        tag = await store.id_tags.create(
            body.idTag,
            organization_id=tenant.organization_id,
            status=body.status,
            expiry_date=body.expiryDate,
            parent_id_tag=body.parentIdTag,
            policy=body.policy,
            token_type=body.tokenType,
        )
    except ConflictError:
        raise ConflictError(f"id tag {body.idTag} already exists") from None
    return IdTagOut.of(tag)


@router.get("", summary="List id tags")
async def list_id_tags(
    store: StoreDep,
    tenant: TenantDep,
    status: Annotated[IdTagStatus | None, Query(description="Only tags with this status")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[IdTagOut]:
    """The organization's tags by idTag; ``total`` counts all that match."""
    mine = tenant.organization_id
    tags = await store.id_tags.list(status=status, limit=limit, offset=offset, organization_id=mine)
    total = await store.id_tags.count(status=status, organization_id=mine)
    return Page[IdTagOut](
        data=[IdTagOut.of(tag) for tag in tags], total=total, limit=limit, offset=offset
    )


@router.get("/{idTag:path}", summary="Get id tag", responses=_UNKNOWN)
async def get_id_tag(store: StoreDep, tenant: TenantDep, id_tag: IdTagPath) -> IdTagOut:
    tag = await store.id_tags.get(id_tag, organization_id=tenant.organization_id)
    if tag is None:
        raise NotFoundError("id tag", id_tag)
    return IdTagOut.of(tag)


@router.patch("/{idTag:path}", summary="Update id tag", responses=_UNKNOWN)
async def update_id_tag(
    store: StoreDep, tenant: TenantDep, id_tag: IdTagPath, body: IdTagUpdate
) -> IdTagOut:
    """Change a tag; absent fields stay, ``null`` clears (e.g. ``"expiryDate": null``)."""
    given = body.model_fields_set
    tag = await store.id_tags.update(
        id_tag,
        status=body.status if "status" in given else UNSET,
        expiry_date=body.expiryDate if "expiryDate" in given else UNSET,
        parent_id_tag=body.parentIdTag if "parentIdTag" in given else UNSET,
        token_type=body.tokenType if "tokenType" in given else UNSET,
        policy=body.policy if "policy" in given else UNSET,
        organization_id=tenant.organization_id,
    )
    return IdTagOut.of(tag)


@router.delete("/{idTag:path}", summary="Delete id tag", responses=_UNKNOWN)
async def delete_id_tag(store: StoreDep, tenant: TenantDep, id_tag: IdTagPath) -> IdTagDeleted:
    """Delete a tag: from now on Authorize answers Invalid for it."""
    await store.id_tags.delete(id_tag, organization_id=tenant.organization_id)
    return IdTagDeleted(message="Id tag deleted", idTag=id_tag)
