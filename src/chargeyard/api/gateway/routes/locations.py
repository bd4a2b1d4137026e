"""``/ocpp/locations``: the organization's sites (CRUD), and ``/ocpp/templates/locations``:
ready-made site layouts.

Every query names the caller's organization (``auth.Principal.organization_id``): another
tenant's location is "not found" (404), whether read, changed or deleted. Viewers read;
operators and admins also write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.exceptions import RequestValidationError

from chargeyard.api.deps import SettingsDep, StoreDep
from chargeyard.api.gateway.auth import ReaderDep, WriterDep
from chargeyard.api.gateway.routes.catalog import CatalogDep
from chargeyard.api.gateway.schemas.common import (
    DEFAULT_LIMIT,
    PageLimit,
    PageNumber,
    error_responses,
    page_slice,
)
from chargeyard.api.gateway.schemas.locations import (
    LocationCreateRequest,
    LocationListResponse,
    LocationResponse,
    LocationUpdateRequest,
)
from chargeyard.api.gateway.schemas.templates import (
    LocationTemplateListResponse,
    LocationTemplateResponse,
    SdkLocationTemplate,
    TemplateFilters,
)
from chargeyard.api.gateway.sdk_templates import offers, sdk_template
from chargeyard.api.gateway.site_templates import SiteType, site_templates
from chargeyard.api.ocpp_version import read_version
from chargeyard.store import NotFoundError

router = APIRouter(prefix="/ocpp", tags=["Locations"])

# Ids are printable ASCII; anything else (a NUL byte PostgreSQL cannot even compare) is 422.
LocationId = Annotated[
    str,
    Path(description="A location's id, e.g. loc-456", max_length=64, pattern=r"^[\x21-\x7e]+$"),
]


@router.get(
    "/locations",
    summary="List locations",
    responses=error_responses(401, 403, 404),
)
async def list_locations(
    principal: ReaderDep,
    store: StoreDep,
    page: PageNumber = 1,
    limit: PageLimit = DEFAULT_LIMIT,
) -> LocationListResponse:
    organization = principal.organization_id
    rows = await store.locations.list(organization, limit=limit, offset=(page - 1) * limit)
    return LocationListResponse(
        data=[LocationResponse.of(row) for row in rows],
        total=await store.locations.count(organization),
        page=page,
        limit=limit,
    )


@router.post(
    "/locations",
    summary="Create location",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 403, 404, 409),
)
async def create_location(
    principal: WriterDep, store: StoreDep, body: LocationCreateRequest
) -> LocationResponse:
    coordinates = body.coordinates
    row = await store.locations.create(
        principal.organization_id,
        body.name,
        slug=body.slug,
        address=body.address,
        city=body.city,
        country=body.country,
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
        timezone=body.timezone,
        owner_name=body.owner_name,
        public=body.public,
        status=body.status,
    )
    return LocationResponse.of(row)


@router.get(
    "/locations/{location_id}",
    summary="Get location",
    responses=error_responses(401, 403, 404),
)
async def get_location(
    principal: ReaderDep, store: StoreDep, location_id: LocationId
) -> LocationResponse:
    row = await store.locations.get(principal.organization_id, location_id)
    if row is None:
        raise NotFoundError("location", location_id)
    return LocationResponse.of(row)


@router.put(
    "/locations/{location_id}",
    summary="Update location",
    description="A partial update: only the fields present change.",
    responses=error_responses(401, 403, 404, 409),
)
async def update_location(
    principal: WriterDep, store: StoreDep, location_id: LocationId, body: LocationUpdateRequest
) -> LocationResponse:
    changes: dict[str, Any] = body.changes()
    row = await store.locations.update(principal.organization_id, location_id, **changes)
    return LocationResponse.of(row)


@router.delete(
    "/locations/{location_id}",
    summary="Delete location",
    description="Its chargers stay, without a location.",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def delete_location(principal: WriterDep, store: StoreDep, location_id: LocationId) -> None:
    await store.locations.delete(principal.organization_id, location_id)


@router.get(
    "/templates/locations",
    summary="List site templates",
    description="Ready-made site layouts built from catalog models, filtered by current type "
    "(`type`), by an OCPP version all their chargers speak and by a connector type all their "
    "models have. Each is in `data`, and again in OCPPLab's shape in `templates`, whose `body`"
    " is ready to POST to `/ocpp/location`. chargeyard has no OCPI part: a template's "
    "`cpo_name`, `cpo_slug`, `party_id` and `ocpi_version` are empty, and `ocpi_version` is "
    "only echoed in `filters`.",
    tags=["Templates"],
    responses=error_responses(401, 403, 404),
)
async def list_location_templates(
    _: ReaderDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    site_type: Annotated[SiteType | None, Query(alias="type")] = None,
    ocpp_version: Annotated[
        str | None,
        Query(description='"1.6", "2.0.1", "2.1", or as a subprotocol: "ocpp1.6"', max_length=16),
    ] = None,
    connector_type: Annotated[
        str | None,
        Query(description="A connector type every model has, e.g. cCCS2 or Type2", max_length=64),
    ] = None,
    ocpi_version: Annotated[
        str | None, Query(description="Echoed only: chargeyard has no OCPI part", max_length=16)
    ] = None,
    include_all: Annotated[bool | None, Query(description="Echoed only")] = None,
    page: PageNumber = 1,
    limit: PageLimit = DEFAULT_LIMIT,
) -> LocationTemplateListResponse:
    version = None
    if ocpp_version is not None:
        try:
            version = read_version(ocpp_version).name
        except ValueError:
            # A validation problem like the others (422 with loc/msg/type), as documented.
            problem = {
                "loc": ("query", "ocpp_version"),
                "msg": f"unknown OCPP version {ocpp_version!r}: use 1.6, 2.0.1 or 2.1",
                "type": "value_error",
            }
            raise RequestValidationError([problem]) from None
    sites = [
        site
        for site in site_templates(catalog, site_type=site_type, ocpp_version=version)
        if offers(site, connector_type)
    ]
    shown = page_slice(sites, page, limit)
    ws_url = settings.ocpp_url.rstrip("/")
    return LocationTemplateListResponse(
        data=[LocationTemplateResponse.of(site, version) for site in shown],
        total=len(sites),
        page=page,
        limit=limit,
        count=len(shown),
        filters=TemplateFilters(
            ocpp_version=ocpp_version,
            ocpi_version=ocpi_version,
            connector_type=connector_type,
            include_all=include_all,
        ),
        templates=[
            SdkLocationTemplate.model_validate(sdk_template(site, version, connector_type, ws_url))
            for site in shown
        ],
    )
