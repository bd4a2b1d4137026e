"""``/ocpp/catalog``: the station templates as the gateway serves them, paged, read-only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from chargeyard.api.tokens import Role
from chargeyard.station.catalog import load_catalog
from chargeyard.store import Store
from tests.api.gateway_lab import as_role, gateway_client

BRANDS = "/ocpp/catalog/brands"
VIEWER = as_role(Role.VIEWER)


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(store) as client:
        yield client


async def test_brands_are_listed_by_slug_with_their_model_counts(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(BRANDS, headers=VIEWER)
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {"id": "abb", "slug": "abb", "name": "ABB", "model_count": 5, "image_url": None},
            {"id": "alfen", "slug": "alfen", "name": "Alfen", "model_count": 2, "image_url": None},
            {
                "id": "alpitronic",
                "slug": "alpitronic",
                "name": "Alpitronic",
                "model_count": 2,
                "image_url": None,
            },
            {
                "id": "chargeyard",
                "slug": "chargeyard",
                "name": "chargeyard",
                "model_count": 3,
                "image_url": None,
            },
            {"id": "keba", "slug": "keba", "name": "KEBA", "model_count": 1, "image_url": None},
            {
                "id": "schneider-electric",
                "slug": "schneider-electric",
                "name": "Schneider Electric",
                "model_count": 1,
                "image_url": None,
            },
            {
                "id": "tritium",
                "slug": "tritium",
                "name": "Tritium",
                "model_count": 2,
                "image_url": None,
            },
            {
                "id": "wallbox",
                "slug": "wallbox",
                "name": "Wallbox",
                "model_count": 1,
                "image_url": None,
            },
        ],
        "total": 8,
        "page": 1,
        "limit": 50,
    }


async def test_the_catalog_itself_answers_its_brands(client: httpx.AsyncClient) -> None:
    catalog = await client.get("/ocpp/catalog", params={"limit": 3}, headers=VIEWER)
    brands = await client.get(BRANDS, params={"limit": 3}, headers=VIEWER)
    assert catalog.status_code == 200
    assert catalog.json() == brands.json()


async def test_brands_page_by_page(client: httpx.AsyncClient) -> None:
    pages = [
        (await client.get(BRANDS, params={"page": page, "limit": 3}, headers=VIEWER)).json()
        for page in (1, 2, 3, 4)
    ]
    assert [[brand["slug"] for brand in p["data"]] for p in pages] == [
        ["abb", "alfen", "alpitronic"],
        ["chargeyard", "keba", "schneider-electric"],
        ["tritium", "wallbox"],
        [],
    ]
    assert {(p["total"], p["limit"]) for p in pages} == {(8, 3)}
    assert [p["page"] for p in pages] == [1, 2, 3, 4]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": "x"}])
async def test_paging_out_of_range_is_422(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    response = await client.get(BRANDS, params=params, headers=VIEWER)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


async def test_a_brands_models_are_the_catalog_templates(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BRANDS}/abb/models", headers=VIEWER)
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["limit"]) == (5, 1, 50)
    assert [model["slug"] for model in body["data"]] == [
        "terra-ac-w22",
        "terra-dc-wallbox-24",
        "terra-54",
        "terra-184",
        "terra-360",
    ]
    assert body["data"][2] == {
        "id": "abb-terra-54",
        "slug": "terra-54",
        "name": "Terra 54 CJ",
        "brand_slug": "abb",
        "brand_id": "abb",
        "image_url": None,
        "connector_count": 2,
        "current_type": "DC",
        "supported_kw": [50.0],
        "supported_kwh": [50.0],
        "connector_types": ["cCCS2", "cG105"],
        "max_power_kw": 50.0,
        "evse_count": 1,
        "ocpp_versions": ["1.6", "2.0.1"],
        "vendor": "ABB",
        "model": "Terra 54 CJ",
        "firmware_version": "1.8.36",
        "data_transfer": [
            {"vendor_id": "chargeyard", "message_id": None, "answer": "echo", "data": None}
        ],
    }
    second = await client.get(
        f"{BRANDS}/abb/models", params={"page": 2, "limit": 2}, headers=VIEWER
    )
    assert [m["slug"] for m in second.json()["data"]] == ["terra-54", "terra-184"]


async def test_every_catalog_model_is_served(client: httpx.AsyncClient) -> None:
    catalog = load_catalog()
    for template in catalog.templates():
        path = f"{BRANDS}/{template.brand_slug}/models/{template.slug}"
        response = await client.get(path, headers=VIEWER)
        assert response.status_code == 200, path
        body = response.json()
        assert {key: body[key] for key in template.to_summary()} == template.to_summary()
        assert sum(len(evse["connectors"]) for evse in body["evses"]) == body["connector_count"]


async def test_a_model_with_its_hardware(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BRANDS}/abb/models/terra-54", headers=VIEWER)
    body = response.json()
    assert {key: body[key] for key in ("brand_name", "phases", "nominal_voltage")} == {
        "brand_name": "ABB",
        "phases": 3,
        "nominal_voltage": 400,
    }
    assert body["shared_power"] is False
    assert body["evses"] == [
        {
            "id": 1,
            "max_power_w": 50000,
            "connectors": [
                {
                    "id": 1,
                    "type": "cCCS2",
                    "label": "CCS2",
                    "max_current_a": 125,
                    "max_power_w": 50000,
                },
                {
                    "id": 2,
                    "type": "cG105",
                    "label": "CHAdeMO",
                    "max_current_a": 125,
                    "max_power_w": 50000,
                },
            ],
        }
    ]


async def test_unknown_brand_or_model_is_404(client: httpx.AsyncClient) -> None:
    brand = await client.get(f"{BRANDS}/acme/models", headers=VIEWER)
    assert brand.status_code == 404
    assert brand.json()["detail"].startswith("unknown brand 'acme'")
    model = await client.get(f"{BRANDS}/abb/models/terra-9000", headers=VIEWER)
    assert model.status_code == 404
    assert model.json()["detail"].startswith("brand 'abb' has no model 'terra-9000'")
    also = await client.get(f"{BRANDS}/acme/models/terra-54", headers=VIEWER)
    assert also.status_code == 404


async def test_the_catalog_needs_a_token(client: httpx.AsyncClient) -> None:
    for path in (BRANDS, f"{BRANDS}/abb/models", f"{BRANDS}/abb/models/terra-54"):
        response = await client.get(path)
        assert (response.status_code, response.json()) == (
            401,
            {"detail": "missing bearer token"},
        )
