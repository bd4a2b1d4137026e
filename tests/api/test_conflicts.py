"""No answer of the API carries a database's words.

Every write a client can make clash (an identity, a slug, a chargeBoxId, an id tag already
used) answers 409 with what clashes, on SQLite and on PostgreSQL, twice: once as the
repository's own check catches it, and once as the database's constraint does (what a
concurrent writer that won the race meets; the repository's checks are skipped for that).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from chargeyard.api.tokens import Role
from chargeyard.bus import InMemoryBus
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.store import Store
from chargeyard.store.conflicts import CLASHES
from chargeyard.store.repositories import chargers, organizations
from tests.api.apps import api_app
from tests.api.gateway_lab import as_role, gateway_settings
from tests.stack_lab import new_host
from tests.store.conftest import (  # noqa: F401 - the storage tests' fixtures, both backends
    backend,
    database_url,
    migrated_postgres,
    migrated_source,
    postgres_databases,
    sqlite_template,
    store,
)

ORG = "org-a"
# Words of SQLite's, PostgreSQL's and the drivers' messages, and of the schema.
DATABASE_WORDS = (
    "constraint",
    "unique",
    "sqlite",
    "psycopg",
    "asyncpg",
    "duplicate key",
    "integrity",
    "violates",
    "simulated_chargers",
    "organization_id",
    "charge_box_id",
    "id_tags",
)


@dataclass
class Client:
    http: httpx.AsyncClient

    async def send(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, path, json=body)

    async def made(self, method: str, path: str, body: Any) -> dict[str, Any]:
        response = await self.send(method, path, body)
        assert response.status_code in (200, 201, 202), response.text
        made: dict[str, Any] = response.json()
        return made


@pytest.fixture
async def client(store: Store) -> AsyncIterator[Client]:  # noqa: F811 - the imported fixture
    await store.organizations.create(ORG, organization_id=ORG)
    _, key = await store.api_keys.create("tests")
    bus = InMemoryBus()
    async with new_host(store, bus) as host:
        headers = {"X-API-Key": key, **as_role(Role.ADMIN, ORG)}
        with api_app(
            store, in_process_link(Registry()), gateway_settings(), host=host, bus=bus
        ) as app:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://api.test", headers=headers
            ) as http:
                yield Client(http)
    await bus.close()


def _charger(identity: str) -> dict[str, Any]:
    return {
        "identity": identity,
        "brand_slug": "alfen",
        "model_slug": "eve-single-pro-line",
        "connector_type": "sType2",
        "ws_url": "ws://127.0.0.1:9/ocpp",
        "ocpp_version": "ocpp1.6",
        "start": False,
    }


async def _charger_created_twice(client: Client) -> httpx.Response:
    await client.made("POST", "/ocpp/chargers", _charger("CP-1"))
    return await client.send("POST", "/ocpp/chargers", _charger("CP-1"))


async def _charger_renamed_to_a_taken_identity(client: Client) -> httpx.Response:
    await client.made("POST", "/ocpp/chargers", _charger("CP-1"))
    other = await client.made("POST", "/ocpp/chargers", _charger("CP-2"))
    return await client.send("PUT", f"/ocpp/chargers/{other['charger_id']}", {"identity": "CP-1"})


async def _location_slug_taken(client: Client) -> httpx.Response:
    await client.made("POST", "/ocpp/locations", {"name": "Depot", "slug": "depot"})
    return await client.send("POST", "/ocpp/locations", {"name": "Other", "slug": "depot"})


async def _location_renamed_to_a_taken_slug(client: Client) -> httpx.Response:
    await client.made("POST", "/ocpp/locations", {"name": "Depot", "slug": "depot"})
    other = await client.made("POST", "/ocpp/locations", {"name": "Airport", "slug": "airport"})
    return await client.send("PUT", f"/ocpp/locations/{other['id']}", {"slug": "depot"})


async def _station_registered_twice(client: Client) -> httpx.Response:
    await client.made("POST", "/api/v1/chargers", {"chargeBoxId": "CP-1"})
    return await client.send("POST", "/api/v1/chargers", {"chargeBoxId": "CP-1"})


async def _id_tag_created_twice(client: Client) -> httpx.Response:
    await client.made("POST", "/api/v1/id-tags", {"idTag": "TAG-1"})
    return await client.send("POST", "/api/v1/id-tags", {"idTag": "TAG-1"})


Clash = Callable[[Client], Awaitable[httpx.Response]]
# Each write that can clash: how to make it clash, and the words its 409 must carry.
CLASHING_WRITES: dict[str, tuple[Clash, str]] = {
    "POST /ocpp/chargers": (_charger_created_twice, "identity"),
    "PUT /ocpp/chargers/{charger_id}": (_charger_renamed_to_a_taken_identity, "identity"),
    "POST /ocpp/locations": (_location_slug_taken, "slug"),
    "PUT /ocpp/locations/{location_id}": (_location_renamed_to_a_taken_slug, "slug"),
    "POST /api/v1/chargers": (_station_registered_twice, "CP-1"),
    "POST /api/v1/id-tags": (_id_tag_created_twice, "TAG-1"),
}


def _assert_clash_in_own_words(response: httpx.Response, words: str) -> None:
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert words in detail
    leaked = [word for word in DATABASE_WORDS if word in response.text.lower()]
    assert leaked == [], response.text


@pytest.mark.parametrize("write", sorted(CLASHING_WRITES))
async def test_a_clash_is_409_in_the_api_s_words(client: Client, write: str) -> None:
    clash, words = CLASHING_WRITES[write]
    _assert_clash_in_own_words(await clash(client), words)


@pytest.mark.parametrize("write", sorted(CLASHING_WRITES))
async def test_a_clash_the_database_decides_is_409_in_the_api_s_words(
    client: Client, write: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nothing_taken(*args: object) -> None:
        return None

    async def never_taken(*args: object) -> bool:
        return False

    # As if another writer had committed between the repository's check and its own commit.
    monkeypatch.setattr(chargers, "_check_identity_free", nothing_taken)
    monkeypatch.setattr(organizations, "_slug_taken", never_taken)
    clash, words = CLASHING_WRITES[write]
    response = await clash(client)
    _assert_clash_in_own_words(response, words)


def test_no_sentence_of_the_store_speaks_of_the_database() -> None:
    for sentence in CLASHES.values():
        assert [word for word in DATABASE_WORDS if word in sentence.lower()] == []
