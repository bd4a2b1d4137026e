"""``/ocpp/catalog``: the brands and models of charge station the fleet is built from
(``station/catalog``), read-only, for every role. The catalog itself, ``GET /ocpp/catalog``,
answers its brands, as ``/ocpp/catalog/brands`` does; a brand's models are at
``/ocpp/catalog/brands/{brand}/models`` and, as OCPPLab's SDK asks for them, at
``/ocpp/catalog/{brand}/models`` (the same answers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status

from chargeyard.api.gateway.auth import ReaderDep
from chargeyard.api.gateway.schemas.catalog import (
    BrandListResponse,
    BrandResponse,
    CatalogModelDetailResponse,
    CatalogModelListResponse,
    CatalogModelResponse,
)
from chargeyard.api.gateway.schemas.common import (
    DEFAULT_LIMIT,
    PageLimit,
    PageNumber,
    error_responses,
    page_slice,
)
from chargeyard.station.catalog import Catalog, CatalogError, StationTemplate, load_catalog

router = APIRouter(prefix="/ocpp/catalog", tags=["Catalog"])


async def get_catalog() -> Catalog:
    return load_catalog()  # read once per process; ``async def``: no thread hop (api/deps.py)


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
BrandSlug = Annotated[str, Path(description="A brand's slug, e.g. abb", max_length=128)]
ModelSlug = Annotated[str, Path(description="A model's slug, e.g. terra-54", max_length=128)]


def _not_found(error: CatalogError) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(error))


@router.get(
    "",
    summary="The catalog: its brands",
    description="The same page as `GET /ocpp/catalog/brands`.",
    responses=error_responses(401, 403, 404),
)
@router.get(
    "/brands",
    summary="List brands",
    responses=error_responses(401, 403, 404),
)
async def list_brands(
    _: ReaderDep, catalog: CatalogDep, page: PageNumber = 1, limit: PageLimit = DEFAULT_LIMIT
) -> BrandListResponse:
    brands = catalog.brands()
    return BrandListResponse(
        data=[BrandResponse.of(brand) for brand in page_slice(brands, page, limit)],
        total=len(brands),
        page=page,
        limit=limit,
    )


@router.get(
    "/brands/{brand}/models",
    summary="List a brand's models",
    responses=error_responses(401, 403, 404),
)
@router.get(
    "/{brand}/models",
    summary="List a brand's models (OCPPLab SDK path)",
    description="The same page as `GET /ocpp/catalog/brands/{brand}/models`.",
    operation_id="list-models-sdk",
    responses=error_responses(401, 403, 404),
)
async def list_models(
    _: ReaderDep,
    catalog: CatalogDep,
    brand: BrandSlug,
    page: PageNumber = 1,
    limit: PageLimit = DEFAULT_LIMIT,
) -> CatalogModelListResponse:
    try:
        models: list[StationTemplate] = catalog.models(brand)
    except CatalogError as error:
        raise _not_found(error) from None
    return CatalogModelListResponse(
        data=[CatalogModelResponse.of(model) for model in page_slice(models, page, limit)],
        total=len(models),
        page=page,
        limit=limit,
    )


@router.get(
    "/brands/{brand}/models/{model}",
    summary="Get a model",
    responses=error_responses(401, 403, 404),
)
@router.get(
    "/{brand}/models/{model}",
    summary="Get a model (OCPPLab SDK path)",
    description="The same model as `GET /ocpp/catalog/brands/{brand}/models/{model}`.",
    operation_id="get-model-sdk",
    responses=error_responses(401, 403, 404),
)
async def get_model(
    _: ReaderDep, catalog: CatalogDep, brand: BrandSlug, model: ModelSlug
) -> CatalogModelDetailResponse:
    try:
        template = catalog.model(brand, model)
    except CatalogError as error:
        raise _not_found(error) from None
    return CatalogModelDetailResponse.of(template)
