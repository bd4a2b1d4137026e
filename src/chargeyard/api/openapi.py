"""The OpenAPI document's word on credentials (which part of the API takes which, in the
description, and on each operation as its route enforces it), on the 422 answer's shape, and
on the answers every ``/api/v1`` operation may give for its key's role and organization.

FastAPI declares an operation's security from the security dependencies of its route:
``/api/v1`` routes depend on ``X-API-Key`` (``deps.require_api_key``), ``/ocpp`` routes on a
bearer token (``auth.get_principal``). ``GET /metrics`` checks the key itself, and only when
the app's :class:`~chargeyard.metrics.Metrics` asks for it, so its declaration is made here,
each time the document is read, from that setting.

FastAPI declares every 422 as its validation error (``detail``: a list of problems). Ours
also answers 422 with a text ``detail`` when a request is valid JSON but not something the
charger's OCPP version can express (``app.py``'s error table), so the document declares
``detail`` as either (``UnprocessableResponse``).

The operations whose credential may name another organization in ``X-Organization-Id``
(``api/tenant.py``, ``gateway/auth.py``) read it from the request in their dependencies;
``api/organization_header.py`` lists the header on each of them. Every ``/api/v1`` operation
may answer 403 (the key's role does not allow the request, or the key may not name another
organization) and 404 (the organization a platform key names does not exist, or the row the
path names is not the organization's): declared on each, where its route did not already.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from chargeyard.api import organization_header
from chargeyard.api.error_answers import declare_error_models

API_KEY_SCHEME = "APIKeyHeader"  # FastAPI names a scheme after its class
UNPROCESSABLE = "UnprocessableResponse"
_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"
METRICS_PATH = "/metrics"
API_V1_PREFIX = "/api/v1/"

DESCRIPTION = """\
The chargeyard lab's HTTP API. Each part takes its own credential:

- **`/api/v1`**, the central system: commands to connected chargers over OCPP 1.6, 2.0.1 or
  2.1 (the same endpoint speaks each charger's version), chargers, transactions, id tags,
  webhooks. Header `X-API-Key`; `chargeyard apikey create` makes a key. A key belongs to an
  organization and sees its chargers, id tags and webhooks only; a platform key may act in
  another by naming it in `X-Organization-Id`. The live event stream
  `/api/v1/events` (a WebSocket, not listed here) takes the same key, as the header or as the
  `apiKey` query parameter.
- **`/ocpp`**, the simulator gateway: locations and simulated chargers, their commands and
  logs. Header `Authorization: Bearer <token>`, a JWT naming an organization and roles;
  `chargeyard token create` signs one with the lab's secret.
- **`/metrics`**, Prometheus' scrape endpoint: no credential, unless the server was set to
  ask for `X-API-Key` (then its operation below says so).
- **`/dashboard/`** and this page need none; the dashboard asks for the key and the token
  above (a local `chargeyard up` fills them in).

Use **Authorize** to enter a key and a token; each operation sends the one it needs.
"""


def install(app: FastAPI) -> None:
    """Have ``app``'s document declare ``GET /metrics``'s security as the app enforces it
    at the time the document is read."""
    build: Callable[[], dict[str, Any]] = app.openapi  # FastAPI's, which caches the document

    def openapi() -> dict[str, Any]:
        document = build()
        declare_error_models(document)
        organization_header.declare(app, document)
        _declare_unprocessable(document)
        _declare_tenancy(document)
        operation = document.get("paths", {}).get(METRICS_PATH, {}).get("get")
        if operation is not None:
            _declare_metrics_security(app, operation)
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def _declare_unprocessable(document: dict[str, Any]) -> None:
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    if UNPROCESSABLE in schemas:
        return  # FastAPI's cached document, already declared
    schemas[UNPROCESSABLE] = {
        "title": UNPROCESSABLE,
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {
                "title": "Detail",
                "anyOf": [
                    {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}},
                    {"type": "string"},
                ],
                "description": "Each problem of an invalid request (location, message, type),"
                " or, for a request the charger's OCPP version cannot express, what is wrong",
            }
        },
    }
    for item in document.get("paths", {}).values():
        for operation in item.values():
            response = operation.get("responses", {}).get("422", {})
            media = response.get("content", {}).get("application/json", {})
            if media.get("schema", {}).get("$ref") == _FASTAPI_VALIDATION:
                media["schema"] = {"$ref": f"#/components/schemas/{UNPROCESSABLE}"}


_TENANCY_ANSWERS = {
    "403": "The key's role does not allow this, or X-Organization-Id names another"
    " organization and the key is not a platform key",
    "404": "Not found in the organization (X-Organization-Id: no such organization)",
}


def _declare_tenancy(document: dict[str, Any]) -> None:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for path, item in document.get("paths", {}).items():
        if not path.startswith(API_V1_PREFIX):
            continue
        for operation in item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for code, description in _TENANCY_ANSWERS.items():
                responses.setdefault(code, {"description": description, "content": error})


def _declare_metrics_security(app: FastAPI, operation: dict[str, Any]) -> None:
    metrics = getattr(app.state, "metrics", None)
    required = metrics is not None and bool(metrics.require_api_key)
    operation["security"] = [{API_KEY_SCHEME: []}] if required else []
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if required:  # the answer of /api/v1's routes to a missing key, in the same shape
        responses["401"] = {
            "description": "Missing or invalid API key",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
            },
        }
    else:
        responses.pop("401", None)
