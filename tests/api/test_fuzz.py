"""The API fuzzed against its own OpenAPI document (schemathesis): every operation the
document lists, ``/api/v1`` and ``/ocpp`` alike, answers only statuses it documents, with the
content type and body schema it documents, and never a 500. Operations added later are fuzzed
without touching this file (the list is read from the app's document at collection).

The app runs over a fresh store, SQLite, and PostgreSQL too when ``CHARGEYARD_TEST_POSTGRES_URL``
names a server (as in CI): a NUL byte or a 64-bit integer that SQLite takes is a 500 there.
PostgreSQL's run sends the first of the requests drawn for SQLite again (drawing them is most
of the fuzz's cost), each seeded row's id swapped for its own.
The store is seeded with a station, an id tag, a webhook and a location; generated path
parameters are sometimes swapped for their ids, so that the success paths run too, not only
the 404s. No station is connected, so commands answer 503 (404 for an unknown chargeBoxId).

Every request carries a valid API key and an admin bearer token (the 401s and 403s have
their own tests); positive and negative cases are mixed. Schemathesis' ``from_fixture`` pytest
integration does not run on pytest 9 (it reads ``Function._nodeid``), so each operation is a
plain parametrized test driving ``as_strategy`` with ``@given``. Schemathesis serves the app
from its own event-loop thread, so the store is opened there, in the app's lifespan.
"""

from __future__ import annotations

import asyncio
import copy
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core import NotSet
from schemathesis.generation import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import make_url

from chargeyard.api import create_app
from chargeyard.api.tokens import Role
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.store import Store
from tests.api.gateway_lab import bearer, gateway_settings, token
from tests.store.conftest import POSTGRES_ENV, SKIP_POSTGRES

pytestmark = pytest.mark.slow

ORG = "org-fuzz"
STATION = "CP-FUZZ"
ID_TAG = "TAG-FUZZ"
BRAND = "alfen"
# Examples per operation, half of them outside the document's schemas: each run meets every
# operation's refusals and, through the seeded ids, its success path, and the runs of the
# suite draw other examples each time. With some 215 operations the whole fuzz takes about
# thirty seconds of CPU alone, most of it schemathesis drawing the examples: the suite's
# costliest file. PostgreSQL's run is there for what only it refuses, so it needs fewer, and
# it replays the first of the requests drawn for SQLite (``DRAWN``) rather than drawing its
# own. A deeper run:
#     CHARGEYARD_FUZZ_EXAMPLES=500 pytest tests/api/test_fuzz.py
MAX_EXAMPLES = {"sqlite": 8, "postgresql": 4}
# 502/503/504 are the gateway answers of a command (app.py); status_code_conformance still
# requires each operation to document the ones it gives. Any other 5xx is a server error.
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", 502, 503, 504]}}}
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class Drawn:
    """One request hypothesis drew for an operation, to send again on another backend."""

    method: str
    path_parameters: dict[str, Any] | None
    headers: dict[str, Any] | None
    cookies: dict[str, Any] | None
    query: dict[str, Any] | None
    body: Any
    media_type: str | None
    meta: Any


DRAWN: dict[str, list[Drawn]] = {}
"""The requests drawn for each operation (``"METHOD /path"``) on the backend fuzzed first."""


@dataclass(frozen=True)
class Seeded:
    """What was seeded: the credentials, and the ids of known rows by the name of the path
    parameter that addresses them."""

    headers: dict[str, str]
    known: dict[str, str]


async def _seed(database_url: str) -> Seeded:
    async with await Store.open(database_url) as store:
        _, key = await store.api_keys.create("fuzz")
        await store.organizations.create(ORG, organization_id=ORG)
        await store.stations.register(STATION)
        await store.id_tags.create(ID_TAG)
        webhook = await store.webhooks.create("https://hooks.example/fuzz", ["*"])
        location = await store.locations.create(ORG, "Fuzz Hub")
    # A platform operator's token: every /ocpp route lets it through, X-Organization-Id
    # included.
    headers = {"X-API-Key": key, **bearer(token(ORG, [Role.PLATFORM]))}
    known = {
        "chargeBoxId": STATION,
        "idTag": ID_TAG,
        "webhookId": webhook.id,
        "location_id": location.id,
        "brand": BRAND,
    }
    return Seeded(headers, known)


def _fuzzed_app(database_url: str) -> FastAPI:
    """The app, with a lifespan that opens the store in the event loop that serves it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with await Store.open(database_url) as store:
            app.state.store = store
            yield

    # The store is only opened by the lifespan; the routes read it from app.state.
    app = create_app(None, in_process_link(Registry()), gateway_settings())  # type: ignore[arg-type]
    app.router.lifespan_context = lifespan
    return app


_FUZZED_METHODS = {"GET", "PUT", "POST", "PATCH", "DELETE"}
BODY_TOO_LARGE = 413
BODY_LIMIT_SETTING = "CHARGEYARD_API_MAX_BODY_BYTES"


def _operations() -> list[str]:
    """Every operation the document lists, as ``"METHOD /path"``: read at collection from the
    app's own routes (those in its document), so routes added later are fuzzed too. (Not from
    the document itself: building it costs every test process a second at collection;
    :func:`test_every_operation_of_the_document_is_fuzzed` checks the two agree.)"""
    app = create_app(None, in_process_link(Registry()), gateway_settings())  # type: ignore[arg-type]
    return [
        f"{method} {route.path_format}"
        for route in app.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in sorted(route.methods & _FUZZED_METHODS)
    ]


def test_every_operation_of_the_document_is_fuzzed() -> None:
    document = create_app(None, in_process_link(Registry()), gateway_settings()).openapi()  # type: ignore[arg-type]
    documented = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in _FUZZED_METHODS
    }
    operations = _operations()
    assert len(operations) == len(set(operations))
    assert set(operations) == documented


async def _postgres(admin_url: str, statement: str) -> None:
    dsn = make_url(admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def seeded_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Seeded]]:
    """A fresh database of each backend, seeded, for the module's tests (what the fuzzed
    requests create stays for the next operations, as in a real deployment)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/db.sqlite"
        yield url, asyncio.run(_seed(url))
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(SKIP_POSTGRES)
    name = f"chargeyard_fuzz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        yield url, asyncio.run(_seed(url))
    finally:
        asyncio.run(_postgres(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def fuzzed(seeded_database: tuple[str, Seeded]) -> Iterator[tuple[Any, Seeded]]:
    """The loaded schema and what was seeded. The app's lifespan (the store) starts with the
    first request of each test; schemathesis' pytest plugin ends it after the test."""
    database_url, seeded = seeded_database
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", _fuzzed_app(database_url), config=CONFIG
    )

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Half the time, address the seeded rows instead of random ids."""
        known = {name: seeded.known[name] for name in path_parameters or {} if name in seeded.known}
        if not known:
            return st.just(path_parameters)
        return st.sampled_from([path_parameters, {**path_parameters, **known}])

    try:
        yield schema, seeded
    finally:
        shutdown_lifespans()  # closes the store


def _answers_as_documented(case: Any, seeded: Seeded) -> None:
    response = case.call(headers=seeded.headers)
    if response.status_code == BODY_TOO_LARGE:
        # A body over the limit is refused before any route (body_limit.py), for every
        # operation alike; each route's document keeps to what the route itself answers.
        assert BODY_LIMIT_SETTING in response.json()["detail"]
        return
    case.validate_response(response, checks=CHECKS, headers=seeded.headers)


def _replayed(drawn: Drawn, operation: Any, seeded: Seeded, first: Seeded) -> Any:
    """``drawn`` as a case of ``operation`` (another backend's schema): a seeded row's id on
    the first backend becomes the same row's id on this one."""
    swapped = {value: seeded.known[name] for name, value in first.known.items()}
    path_parameters = drawn.path_parameters and {
        name: swapped.get(value, value) if isinstance(value, str) else value
        for name, value in drawn.path_parameters.items()
    }
    return operation.Case(
        method=drawn.method,
        path_parameters=path_parameters,
        headers=drawn.headers,
        cookies=drawn.cookies,
        query=drawn.query,
        body=drawn.body,
        media_type=drawn.media_type,
        _meta=drawn.meta,
    )


SEEDED_FIRST: dict[str, Seeded] = {}
"""What was seeded on the backend whose requests are replayed, once it ran."""


@pytest.mark.parametrize("label", _operations())
def test_api_answers_as_its_openapi_document_says(
    fuzzed: tuple[Any, Seeded], backend: str, label: str
) -> None:
    schema, seeded = fuzzed
    operation = schema.find_operation_by_label(label)
    examples = int(os.environ.get("CHARGEYARD_FUZZ_EXAMPLES", MAX_EXAMPLES[backend]))
    # Fewer than asked were drawn only where the operation's requests ran out: all of them.
    drawn = DRAWN.get(label) if backend != "sqlite" else None
    if drawn:
        first = SEEDED_FIRST["sqlite"]
        for request in drawn[:examples]:
            _answers_as_documented(_replayed(request, operation, seeded, first), seeded)
        return
    if backend == "sqlite":
        SEEDED_FIRST["sqlite"] = seeded
        DRAWN[label] = []
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,  # a failure prints its seed; no example database in the checkout
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_as_documented(case: Any) -> None:
        if backend == "sqlite":
            DRAWN[label].append(
                Drawn(
                    case.method,
                    copy.deepcopy(case.path_parameters),
                    copy.deepcopy(case.headers),
                    copy.deepcopy(case.cookies),
                    copy.deepcopy(case.query),
                    case.body if isinstance(case.body, NotSet) else copy.deepcopy(case.body),
                    case.media_type,
                    case._meta,
                )
            )
        _answers_as_documented(case, seeded)

    answers_as_documented()
