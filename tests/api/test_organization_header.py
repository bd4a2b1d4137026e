"""``X-Organization-Id`` as the OpenAPI document shows it (``api/organization_header.py``): the
credential dependencies read it from the request, and the document lists it on exactly the
operations that depend on one of them, as FastAPI listed a header parameter. (What the header
does, a platform credential acting in another organization: tests/api/test_organizations.py,
tests/api/test_gateway_auth.py.)"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request

from chargeyard.api import ApiSettings
from chargeyard.api.organization_header import (
    ORGANIZATION_HEADER,
    declare,
    documents_organization_header,
    requested_organization,
)
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.store import Store
from tests.api.apps import api_app

KEYS = "Platform keys only: act in this organization instead of the key's."
TOKENS = "Platform operators' tokens only: act in this organization instead of the token's."


def _header(operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", []) if p["name"] == ORGANIZATION_HEADER]


async def test_every_operation_whose_credential_may_name_an_organization_lists_the_header(
    store: Store,
) -> None:
    with api_app(store, in_process_link(Registry()), ApiSettings()) as app:
        document = app.openapi()
        again = app.openapi()
    assert again == document  # a second read declares nothing twice

    described: dict[str, set[str]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            headers = _header(operation)
            if not headers:
                described.setdefault("none", set()).add(f"{method.upper()} {path}")
                continue
            assert len(headers) == 1
            assert operation["parameters"][-1] is headers[0]  # last, as FastAPI put it
            assert headers[0]["in"] == "header"
            assert headers[0]["required"] is False
            described.setdefault(headers[0]["description"], set()).add(path)

    # /api/v1 with a key, /ocpp with a token; the proxy's routes (an API key only: the proxy
    # is the lab's, no organization's) and the process's own (/health, /metrics) take none.
    assert {p for p in described[KEYS]} <= {
        p for p in document["paths"] if p.startswith("/api/v1/")
    }
    assert all(path.startswith("/ocpp") for path in described[TOKENS])
    assert len(described[KEYS]) > 40
    assert len(described[TOKENS]) > 60
    assert "GET /api/v1/proxy/holds" in described["none"]
    assert "GET /health" in described["none"]
    assert "GET /metrics" in described["none"]
    reset = document["paths"]["/api/v1/chargers/{chargeBoxId}/reset"]["post"]
    assert [p["name"] for p in reset["parameters"]] == ["chargeBoxId", ORGANIZATION_HEADER]


@documents_organization_header("Act elsewhere.")
async def _credential(request: Request) -> str | None:
    return requested_organization(request)


async def _tenant(organization: Annotated[str | None, Depends(_credential)]) -> str:
    return organization or "own"


async def _nested(organization: Annotated[str, Depends(_tenant)]) -> str:
    return organization


async def _plain() -> str:
    return "no credential"


async def test_a_route_is_documented_through_any_depth_of_dependencies_and_only_then() -> None:
    app = FastAPI()
    app.get("/nested")(_nested)
    app.post("/plain")(_plain)

    document = app.openapi()
    declare(app, document)
    declare(app, document)

    nested_operation = document["paths"]["/nested"]["get"]
    assert _header(nested_operation) == [
        {
            "name": ORGANIZATION_HEADER,
            "in": "header",
            "required": False,
            "schema": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": "Act elsewhere.",
                "title": ORGANIZATION_HEADER,
            },
            "description": "Act elsewhere.",
        }
    ]
    # Where FastAPI writes parameters: before the answers.
    assert list(nested_operation).index("parameters") < list(nested_operation).index("responses")
    assert "parameters" not in document["paths"]["/plain"]["post"]

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as client:
        assert (
            await client.get("/nested", headers={ORGANIZATION_HEADER: "org-x"})
        ).json() == "org-x"
        assert (await client.get("/nested")).json() == "own"
