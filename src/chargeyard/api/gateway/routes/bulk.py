"""``/ocpp/locations/{location_id}/chargers``: a location's chargers in bulk — created by a
background job (``202`` at once, then ``GET .../jobs/{job_id}``), listed, changed and deleted.

A thousand chargers are created in one transaction and started together
(``gateway/provisioning.py``); the request itself only validates and stores the job. Another
organization's location, charger or job is 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Response, status
from pydantic import StringConstraints

from chargeyard.api.deps import StoreDep
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.chargers_shared import (
    NO_ANSWER,
    UNAVAILABLE,
    BuiltInCsmsDep,
    OptionalHostDep,
    ProvisionerDep,
    charger_response,
    invalid,
    live_statuses,
    resolve_template,
)
from chargeyard.api.gateway.removal import BuiltInCentralDep, delete_chargers
from chargeyard.api.gateway.routes.catalog import CatalogDep
from chargeyard.api.gateway.routes.chargers import update_values
from chargeyard.api.gateway.schemas.bulk import (
    BULK_CREATE_EXAMPLES,
    MAX_BULK_CHARGERS,
    BulkChargerItem,
    BulkJobAccepted,
    BulkJobResponse,
    BulkJobResults,
    BulkUpdateRequest,
    BulkUpdateResponse,
)
from chargeyard.api.gateway.schemas.chargers import (
    ChargerListResponse,
    ChargerUpdateRequest,
    ProvisioningError,
)
from chargeyard.api.gateway.schemas.common import (
    DEFAULT_LIMIT,
    PageLimit,
    PageNumber,
    error_responses,
)
from chargeyard.api.shapes import LOOKUP_TEXT
from chargeyard.fleet.fleet import numbered_identities
from chargeyard.gateway.provisioning import BulkBatch
from chargeyard.station.catalog import Catalog
from chargeyard.store import NotFoundError, Store
from chargeyard.store.models import SimulatedCharger

router = APIRouter(prefix="/ocpp/locations", tags=["Bulk chargers"])

LocationId = Annotated[
    str,
    Path(description="A location's id, e.g. loc-456", max_length=64, pattern=r"^[\x21-\x7e]+$"),
]
# No stored id holds a control character, and PostgreSQL refuses a query with a NUL byte in it:
# such an id is 422, as in every other lookup (shapes.LOOKUP_TEXT).
ChargerId = Annotated[str, StringConstraints(pattern=LOOKUP_TEXT)]
ChargerIds = Annotated[
    list[ChargerId] | None,
    Query(
        description="Charger ids (dep-...), repeated or comma-separated",
        max_length=MAX_BULK_CHARGERS,
    ),
]

_PAGE = 1000  # the store's largest page
# Numbered identities read <prefix>-0001 ... <prefix>-5000 (MAX_BULK_CHARGERS has 4 digits).
BULK_IDENTITY_DIGITS = 4


def status_url(location_id: str, job_id: str) -> str:
    return f"/ocpp/locations/{location_id}/chargers/jobs/{job_id}"


def _split(ids: Sequence[str] | None) -> list[str] | None:
    if ids is None:
        return None
    return [part for value in ids for part in value.split(",") if part]


async def _require_location(store: Store, organization_id: str, location_id: str) -> None:
    if await store.locations.get(organization_id, location_id) is None:
        raise NotFoundError("location", location_id)


async def _targets(
    store: Store, organization_id: str, location_id: str, charger_ids: list[str] | None
) -> list[SimulatedCharger]:
    """The location's chargers (those of ``charger_ids``: each must be one, else 404)."""
    found: list[SimulatedCharger] = []
    while True:
        rows = await store.chargers.list(
            organization_id,
            location_id=location_id,
            charger_ids=charger_ids,
            limit=_PAGE,
            offset=len(found),
        )
        found.extend(rows)
        if len(rows) < _PAGE:
            break
    if charger_ids is not None:
        missing = set(charger_ids) - {charger.id for charger in found}
        if missing:
            first = sorted(missing)[0]
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"charger {first!r} not found at location {location_id!r}",
            )
    return found


def _identities(item: BulkChargerItem) -> list[str]:
    if item.charger_ids is not None:
        return list(item.charger_ids)
    prefix = item.template.identity_prefix or f"CP-{secrets.token_hex(3)}"
    return numbered_identities(prefix, item.count, width=BULK_IDENTITY_DIGITS)


def _batches(catalog: Catalog, location_id: str, items: list[BulkChargerItem]) -> list[BulkBatch]:
    if sum(item.count for item in items) > MAX_BULK_CHARGERS:
        raise invalid(("body",), f"at most {MAX_BULK_CHARGERS} chargers per request")
    batches: list[BulkBatch] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        template = item.template
        _, kind = resolve_template(
            catalog,
            template.brand_slug,
            template.model_slug,
            template.connector_type,
            template.ocpp_version,
            loc=("body", index, "template"),
        )
        config: dict[str, Any] = {"connector_type": kind}
        if template.template_name is not None:
            config["charge_point_name"] = template.template_name
        if template.password is not None:
            config["password"] = template.password
        identities = _identities(item)
        repeated = seen.intersection(identities)
        if repeated:
            raise invalid(
                ("body", index), f"identity {sorted(repeated)[0]} is asked for more than once"
            )
        seen.update(identities)
        chargers = [
            {
                "identity": identity,
                "ocpp_version": template.ocpp_version,
                "csms_url": template.ws_url,
                "location_id": location_id,
                "template": f"{template.brand_slug}/{template.model_slug}",
                "config": config,
            }
            for identity in identities
        ]
        batches.append(BulkBatch(chargers, item.start))
    return batches


@router.post(
    "/{location_id}/chargers",
    summary="Create chargers in bulk",
    description="Validates the templates (422 names an unknown brand, model, connector type "
    "or version), stores a job and answers at once; the chargers are created (and started, "
    "unless `start` is false) in the background. Follow `status_url`. An identity already "
    "used in the organization is reported in the job's `results.failures`.",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**error_responses(401, 403, 404), **UNAVAILABLE},
)
async def create_chargers(
    principal: WriterDep,
    store: StoreDep,
    catalog: CatalogDep,
    provisioner: ProvisionerDep,
    location_id: LocationId,
    body: Annotated[
        list[BulkChargerItem],
        Body(min_length=1, max_length=100, openapi_examples=BULK_CREATE_EXAMPLES),
    ],
) -> BulkJobAccepted:
    await _require_location(store, principal.organization_id, location_id)
    batches = _batches(catalog, location_id, body)
    request = {
        "items": len(body),
        "chargers": sum(len(batch.chargers) for batch in batches),
    }
    job = await provisioner.create_chargers(
        principal.organization_id, location_id, batches, request
    )
    return BulkJobAccepted(
        job_id=job.id,
        status=job.status,
        status_url=status_url(location_id, job.id),
        workflow_run_id=job.workflow_run_id,
    )


@router.get(
    "/{location_id}/chargers/jobs/{job_id}",
    summary="Get bulk job",
    responses=error_responses(401, 403, 404),
)
async def get_job(
    principal: ReaderDep,
    store: StoreDep,
    location_id: LocationId,
    job_id: Annotated[str, Path(max_length=64, pattern=r"^[\x21-\x7e]+$")],
) -> BulkJobResponse:
    job = await store.jobs.get(principal.organization_id, job_id)
    if job is None or job.location_id != location_id:
        raise NotFoundError("job", job_id)
    results = job.results or {}
    return BulkJobResponse(
        job_id=job.id,
        job_type=job.job_type,
        status=job.status,
        error=None if job.error is None else ProvisioningError(**job.error),
        results=BulkJobResults(
            created=results.get("created", 0),
            failed=results.get("failed", 0),
            charger_ids=results.get("charger_ids", []),
            failures=results.get("failures", []),
        ),
        provisioned_at=job.provisioned_at,
    )


@router.get(
    "/{location_id}/chargers",
    summary="List a location's chargers",
    responses=error_responses(401, 403, 404),
)
async def list_location_chargers(
    principal: ReaderDep,
    store: StoreDep,
    host: OptionalHostDep,
    location_id: LocationId,
    charger_ids: ChargerIds = None,
    page: PageNumber = 1,
    limit: PageLimit = DEFAULT_LIMIT,
) -> ChargerListResponse:
    organization = principal.organization_id
    await _require_location(store, organization, location_id)
    ids = _split(charger_ids)
    rows = await store.chargers.list(
        organization,
        location_id=location_id,
        charger_ids=ids,
        limit=limit,
        offset=(page - 1) * limit,
    )
    live = await live_statuses(host, organization, rows)
    return ChargerListResponse(
        data=[charger_response(row, live.get(row.id)) for row in rows],
        total=await store.chargers.count(organization, location_id=location_id, charger_ids=ids),
        page=page,
        limit=limit,
    )


@router.put(
    "/{location_id}/chargers",
    summary="Update a location's chargers in bulk",
    description="The same partial change for the chargers named (`charger_ids`; null: every "
    "charger of the location). Takes effect at each one's next start or restart. 404 when a "
    "named charger is not at the location (nothing changes).",
    responses=error_responses(401, 403, 404, 409),
)
async def update_location_chargers(
    principal: WriterDep,
    store: StoreDep,
    catalog: CatalogDep,
    built_in: BuiltInCsmsDep,
    location_id: LocationId,
    body: BulkUpdateRequest,
) -> BulkUpdateResponse:
    organization = principal.organization_id
    await _require_location(store, organization, location_id)
    chargers = await _targets(store, organization, location_id, body.charger_ids)
    change = ChargerUpdateRequest.model_validate(
        body.model_dump(exclude_unset=True, exclude={"charger_ids"})
    )
    planned = [(charger, update_values(catalog, charger, change)) for charger in chargers]
    for charger, values in planned:
        if values:
            await store.chargers.update(organization, charger.id, **values, built_in=built_in)
    return BulkUpdateResponse(
        updated_count=len(planned), charger_ids=[charger.id for charger, _ in planned]
    )


@router.delete(
    "/{location_id}/chargers",
    summary="Delete a location's chargers in bulk",
    description="Switches off and deletes the chargers named in `charger_ids` (required), "
    "each as `DELETE /ocpp/chargers/{charger_id}` does. 404 when one is not at the location "
    "(nothing is deleted).",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**error_responses(401, 403, 404), **NO_ANSWER},
)
async def delete_location_chargers(
    principal: WriterDep,
    store: StoreDep,
    host: OptionalHostDep,
    central: BuiltInCentralDep,
    location_id: LocationId,
    charger_ids: Annotated[
        list[ChargerId],
        Query(
            description="Charger ids (dep-...), repeated or comma-separated",
            max_length=MAX_BULK_CHARGERS,
        ),
    ],
) -> None:
    organization = principal.organization_id
    await _require_location(store, organization, location_id)
    ids = _split(charger_ids) or []
    if not ids:
        raise invalid(("query", "charger_ids"), "name at least one charger")
    chargers = await _targets(store, organization, location_id, ids)
    await delete_chargers(store, host, central, organization, chargers)
