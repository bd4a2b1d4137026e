"""``/ocpp/locations`` (CRUD, paging, validation, conflicts, tenant isolation) and
``/ocpp/templates/locations`` (site layouts from the catalog)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from chargeyard.api.gateway.site_templates import LAYOUTS, resolve
from chargeyard.api.tokens import Role
from chargeyard.station.catalog import load_catalog
from chargeyard.store import Store
from tests.api.gateway_lab import as_role, gateway_client

LOCATIONS = "/ocpp/locations"
TEMPLATES = "/ocpp/templates/locations"
A = as_role(Role.OPERATOR, org="org-a")
B = as_role(Role.OPERATOR, org="org-b")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# The hosted product's own example (docs: Create location).
PARIS: dict[str, Any] = {
    "name": "La Defense Charging Hub",
    "address": "14 Rue de la Paix",
    "city": "Paris",
    "country": "FR",
    "coordinates": {"latitude": 48.8566, "longitude": 2.3522},
    "timezone": "Europe/Paris",
    "owner_name": "VINCI Autoroutes",
    "public": True,
}


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(store) as client:
        yield client


async def _create(client: httpx.AsyncClient, body: dict[str, Any], headers: Any = A) -> Any:
    response = await client.post(LOCATIONS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# -- create and read -----------------------------------------------------------------------


async def test_create_answers_201_with_the_whole_location(client: httpx.AsyncClient) -> None:
    created = await _create(client, PARIS)
    assert re.fullmatch(r"loc-[0-9a-f]{12}", created["id"])
    assert created["slug"] == "la-defense-charging-hub"
    assert TIMESTAMP.match(created["created_at"])
    assert created["updated_at"] == created["created_at"]
    assert created == {
        "id": created["id"],
        "slug": created["slug"],
        **PARIS,
        "status": "active",
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    fetched = await client.get(f"{LOCATIONS}/{created['id']}", headers=A)
    assert (fetched.status_code, fetched.json()) == (200, created)


async def test_create_with_only_a_name_takes_the_defaults(client: httpx.AsyncClient) -> None:
    created = await _create(client, {"name": "Gare de l'Est", "country": "fr"})
    assert created["slug"] == "gare-de-l-est"
    assert {key: created[key] for key in created if key not in ("id", "slug")} | {
        "created_at": None,
        "updated_at": None,
    } == {
        "name": "Gare de l'Est",
        "address": None,
        "city": None,
        "country": "FR",
        "coordinates": None,
        "timezone": "UTC",
        "owner_name": None,
        "public": False,
        "status": "active",
        "created_at": None,
        "updated_at": None,
    }


async def test_a_made_slug_gets_a_suffix_only_when_the_name_s_slug_is_taken(
    client: httpx.AsyncClient,
) -> None:
    first = await _create(client, {"name": "Depot"})
    second = await _create(client, {"name": "Depot"})
    assert first["slug"] == "depot"
    assert re.fullmatch(r"depot-[0-9a-f]{4}", second["slug"])
    # Another organization's slugs do not count.
    theirs = await _create(client, {"name": "Depot"}, headers=B)
    assert theirs["slug"] == "depot"
    unnamed = await _create(client, {"name": "東京"})  # nothing ASCII to make a slug of
    assert unnamed["slug"] == "location"


async def test_a_slug_is_unique_per_organization(client: httpx.AsyncClient) -> None:
    await _create(client, {"name": "Depot", "slug": "depot"})
    again = await client.post(LOCATIONS, json={"name": "Other", "slug": "depot"}, headers=A)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "location slug 'depot' is already used in this organization"},
    )
    theirs = await _create(client, {"name": "Depot", "slug": "depot"}, headers=B)
    assert theirs["slug"] == "depot"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "a\nb"}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "X", "slug": "Not A Slug"}, "slug"),
        ({"name": "X", "slug": "-depot"}, "slug"),
        ({"name": "X", "country": "XX"}, "country"),
        ({"name": "X", "country": "FRA"}, "country"),
        ({"name": "X", "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"name": "X", "timezone": "europe/paris"}, "timezone"),
        ({"name": "X", "coordinates": {"latitude": 90.5, "longitude": 0}}, "coordinates"),
        ({"name": "X", "coordinates": {"latitude": 0, "longitude": -180.1}}, "coordinates"),
        ({"name": "X", "coordinates": {"latitude": 10}}, "coordinates"),
        ({"name": "X", "status": "demolished"}, "status"),
        ({"name": "X", "public": "perhaps"}, "public"),
        ({"name": "X", "colour": "red"}, "colour"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post(LOCATIONS, json=body, headers=A)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert [problem["loc"][:2] for problem in problems] == [["body", field]]


async def test_the_edges_of_the_globe_are_valid(client: httpx.AsyncClient) -> None:
    pole = {"latitude": -90, "longitude": 180}
    created = await _create(client, {"name": "South Pole", "coordinates": pole})
    assert created["coordinates"] == {"latitude": -90.0, "longitude": 180.0}


# -- list ----------------------------------------------------------------------------------


async def test_list_pages_by_name(client: httpx.AsyncClient) -> None:
    for name in ("Echo", "Alpha", "Delta", "Charlie", "Bravo"):
        await _create(client, {"name": name})
    first = (await client.get(LOCATIONS, headers=A)).json()
    assert [row["name"] for row in first["data"]] == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert (first["total"], first["page"], first["limit"]) == (5, 1, 50)
    third = (await client.get(LOCATIONS, params={"page": 3, "limit": 2}, headers=A)).json()
    assert ([row["name"] for row in third["data"]], third["total"]) == (["Echo"], 5)
    past = (await client.get(LOCATIONS, params={"page": 4, "limit": 2}, headers=A)).json()
    assert (past["data"], past["total"]) == ([], 5)
    for params in ({"limit": 101}, {"limit": 0}, {"page": 0}):
        assert (await client.get(LOCATIONS, params=params, headers=A)).status_code == 422


# -- update --------------------------------------------------------------------------------


async def test_put_changes_only_the_fields_sent(client: httpx.AsyncClient) -> None:
    created = await _create(client, PARIS)
    path = f"{LOCATIONS}/{created['id']}"
    response = await client.put(path, json={"name": "La Defense Hub", "public": False}, headers=A)
    assert response.status_code == 200
    updated = response.json()
    assert updated == {
        **created,
        "name": "La Defense Hub",
        "public": False,
        "updated_at": updated["updated_at"],
    }
    assert updated["updated_at"] >= created["updated_at"]
    assert (await client.get(path, headers=A)).json() == updated


async def test_put_null_clears_optional_fields_and_is_refused_for_the_others(
    client: httpx.AsyncClient,
) -> None:
    created = await _create(client, PARIS)
    path = f"{LOCATIONS}/{created['id']}"
    cleared = await client.put(
        path, json={"coordinates": None, "owner_name": None, "country": None}, headers=A
    )
    assert cleared.status_code == 200
    body = cleared.json()
    assert (body["coordinates"], body["owner_name"], body["country"]) == (None, None, None)
    assert body["city"] == "Paris"

    refused = await client.put(path, json={"name": None, "timezone": None}, headers=A)
    assert refused.status_code == 422
    assert "may not be null: name, timezone" in refused.json()["detail"][0]["msg"]

    moved = await client.put(
        path, json={"coordinates": {"latitude": 1.5, "longitude": -2.5}}, headers=A
    )
    assert moved.json()["coordinates"] == {"latitude": 1.5, "longitude": -2.5}
    invalid = await client.put(path, json={"timezone": "Nowhere/Special"}, headers=A)
    assert invalid.status_code == 422


async def test_put_to_a_slug_in_use_is_409(client: httpx.AsyncClient) -> None:
    await _create(client, {"name": "One", "slug": "one"})
    two = await _create(client, {"name": "Two", "slug": "two"})
    path = f"{LOCATIONS}/{two['id']}"
    taken = await client.put(path, json={"slug": "one"}, headers=A)
    assert taken.status_code == 409
    same = await client.put(path, json={"slug": "two", "name": "Two bis"}, headers=A)
    assert (same.status_code, same.json()["slug"]) == (200, "two")


# -- delete and not found ------------------------------------------------------------------


async def test_delete_then_everything_is_404(client: httpx.AsyncClient) -> None:
    created = await _create(client, {"name": "Gone soon"})
    path = f"{LOCATIONS}/{created['id']}"
    deleted = await client.delete(path, headers=A)
    assert (deleted.status_code, deleted.content) == (204, b"")
    expected = {"detail": f"location {created['id']!r} not found"}
    for response in (
        await client.get(path, headers=A),
        await client.put(path, json={"name": "Back"}, headers=A),
        await client.delete(path, headers=A),
    ):
        assert (response.status_code, response.json()) == (404, expected)


async def test_another_organizations_location_does_not_exist(
    client: httpx.AsyncClient, store: Store
) -> None:
    ours = await _create(client, PARIS, headers=A)
    path = f"{LOCATIONS}/{ours['id']}"
    expected = {"detail": f"location {ours['id']!r} not found"}
    for response in (
        await client.get(path, headers=B),
        await client.put(path, json={"name": "Stolen"}, headers=B),
        await client.delete(path, headers=B),
    ):
        assert (response.status_code, response.json()) == (404, expected)
    listed = (await client.get(LOCATIONS, headers=B)).json()
    assert (listed["data"], listed["total"]) == ([], 0)
    # Untouched for its owner.
    assert (await client.get(path, headers=A)).json() == ours
    # An admin of B does not see it either, even naming org-a; a platform operator does.
    admin_b = as_role(Role.ADMIN, org="org-b")
    assert (await client.get(path, headers=admin_b)).status_code == 404
    named = await client.get(path, headers={**admin_b, "X-Organization-Id": "org-a"})
    assert named.status_code == 403
    platform = as_role(Role.PLATFORM, org="org-b")
    in_a = await client.get(path, headers={**platform, "X-Organization-Id": "org-a"})
    assert (in_a.status_code, in_a.json()) == (200, ours)


# -- site templates ------------------------------------------------------------------------


def test_every_layout_resolves_against_the_shipped_catalog() -> None:
    catalog = load_catalog()
    for layout in LAYOUTS:
        site = resolve(layout, catalog)
        assert site.ocpp_versions, layout.id


async def test_site_templates_are_built_from_catalog_models(client: httpx.AsyncClient) -> None:
    response = await client.get(TEMPLATES, headers=A)
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["limit"]) == (len(LAYOUTS), 1, 50)
    urban = next(site for site in body["data"] if site["id"] == "urban-fast-charging-dc")
    assert urban == {
        "id": "urban-fast-charging-dc",
        "name": "Urban fast charging (DC)",
        "description": "A city-centre fast-charging site for taxis and ride-hailing.",
        "type": "DC",
        "ocpp_versions": ["ocpp2.0.1", "ocpp1.6"],
        "chargers": [
            {
                "brand_slug": "abb",
                "model_slug": "terra-54",
                "model_name": "Terra 54 CJ",
                "connector_type": "cCCS2",
                "ocpp_version": "ocpp2.0.1",
                "count": 2,
                "max_power_kw": 50.0,
            },
            {
                "brand_slug": "tritium",
                "model_slug": "pkm150",
                "model_name": "PKM150",
                "connector_type": "cCCS2",
                "ocpp_version": "ocpp2.0.1",
                "count": 2,
                "max_power_kw": 150.0,
            },
        ],
        "charger_count": 4,
        "total_power_kw": 400.0,
    }
    # Every model a template names is one the catalog serves.
    for site in body["data"]:
        for charger in site["chargers"]:
            path = f"/ocpp/catalog/brands/{charger['brand_slug']}/models/{charger['model_slug']}"
            model = (await client.get(path, headers=A)).json()
            assert charger["connector_type"] in model["connector_types"]


@pytest.mark.parametrize(
    ("params", "ids"),
    [
        ({"type": "AC"}, ["small-office-ac", "retail-car-park-ac", "residential-garage-ac"]),
        ({"type": "DC"}, ["highway-dc-hub", "urban-fast-charging-dc"]),
        ({"type": "AC-DC"}, ["mixed-depot", "supermarket-ac-dc"]),
        (
            {"ocpp_version": "2.0.1"},
            [
                "retail-car-park-ac",
                "highway-dc-hub",
                "urban-fast-charging-dc",
                "mixed-depot",
            ],
        ),
        ({"type": "AC", "ocpp_version": "OCPP2.0.1"}, ["retail-car-park-ac"]),
        ({"ocpp_version": "2.1"}, []),
    ],
)
async def test_site_templates_filter_by_type_and_ocpp_version(
    client: httpx.AsyncClient, params: dict[str, str], ids: list[str]
) -> None:
    body = (await client.get(TEMPLATES, params=params, headers=A)).json()
    assert [site["id"] for site in body["data"]] == ids
    assert body["total"] == len(ids)
    currents = {"AC": {"AC"}, "DC": {"DC"}, "AC-DC": {"AC", "DC"}}
    catalog = load_catalog()
    for site in body["data"]:
        models = [catalog.model(c["brand_slug"], c["model_slug"]) for c in site["chargers"]]
        assert {model.current_type.value for model in models} == currents[site["type"]]
        if "ocpp_version" in params:
            wanted = "ocpp" + params["ocpp_version"].lower().removeprefix("ocpp")
            assert {c["ocpp_version"] for c in site["chargers"]} == {wanted}


async def test_site_templates_in_ocpp_16(client: httpx.AsyncClient) -> None:
    body = (await client.get(TEMPLATES, params={"ocpp_version": "ocpp1.6"}, headers=A)).json()
    assert body["total"] == len(LAYOUTS)  # every shipped model speaks 1.6
    assert {c["ocpp_version"] for site in body["data"] for c in site["chargers"]} == {"ocpp1.6"}


@pytest.mark.parametrize(
    ("params", "loc"),
    [({"type": "DC-AC"}, ["query", "type"]), ({"ocpp_version": "3.0"}, ["query", "ocpp_version"])],
)
async def test_site_templates_reject_unknown_filters(
    client: httpx.AsyncClient, params: dict[str, str], loc: list[str]
) -> None:
    """422 in the documented validation shape (the fuzz test found a bare string detail)."""
    response = await client.get(TEMPLATES, params=params, headers=A)
    assert response.status_code == 422
    assert [problem["loc"] for problem in response.json()["detail"]] == [loc]


async def test_every_gateway_operation_documents_the_404_of_an_unknown_organization(
    client: httpx.AsyncClient, store: Store
) -> None:
    """A platform operator's X-Organization-Id naming no organization is 404 on any route
    (auth.py); the fuzz test found list, create and template routes that did not document
    it."""
    await store.organizations.create("org-a", organization_id="org-a")
    admin = {**as_role(Role.PLATFORM, org="org-a"), "X-Organization-Id": "org-nowhere"}
    for path in (LOCATIONS, TEMPLATES, "/ocpp/catalog/brands"):
        assert (await client.get(path, headers=admin)).status_code == 404, path
    document = (await client.get("/openapi.json")).json()
    for path, item in document["paths"].items():
        if path.startswith("/ocpp/"):
            for method, operation in item.items():
                assert "404" in operation["responses"], f"{method.upper()} {path}"


async def test_a_malformed_id_is_422_and_auth_comes_before_validation(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"{LOCATIONS}/loc%00x", headers=A)
    assert response.status_code == 422
    # Without a token, a caller learns nothing about its body or parameters.
    anonymous = await client.post(LOCATIONS, json={"name": ""})
    assert anonymous.status_code == 401
    anonymous = await client.get(LOCATIONS, params={"limit": 0})
    assert anonymous.status_code == 401
