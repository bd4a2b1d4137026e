"""The OpenAPI document's word on credentials (which part of the API takes which, in the
description, and on each operation as its route enforces it) and on the 422 answer's shape.

FastAPI declares an operation's security from the security dependencies of its route:
``/api/v1`` routes depend on ``X-API-Key`` (``deps.require_api_key``), ``/ocpp`` routes on a
bearer token (``auth.get_principal``). ``GET /metrics`` checks the key itself, and only when
the app's :class:`~chargeyard.metrics.Metrics` asks for it, so its declaration is made here,
each time the document is read, from that setting.

FastAPI declares every 422 as its validation error (``detail``: a list of problems). Ours
also answers 422 with a text ``detail`` when a request is valid JSON but not something the
charger's OCPP version can express (``app.py``'s error table), so the document declares
``detail`` as either (``UnprocessableResponse``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

API_KEY_SCHEME = "APIKeyHeader"  # FastAPI names a scheme after its class
UNPROCESSABLE = "UnprocessableResponse"
_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"
METRICS_PATH = "/metrics"

DESCRIPTION = """\
The chargeyard lab's HTTP API. Each part takes its own credential:

- **`/api/v1`**, the central system: commands to connected chargers over OCPP 1.6, 2.0.1 or
  2.1 (the same endpoint speaks each charger's version), chargers, transactions, id tags,
  webhooks. Header `X-API-Key`; `chargeyard apikey create` makes a key. The live event stream
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
        _declare_unprocessable(document)
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
