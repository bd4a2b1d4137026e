"""The ``/api/v1`` operations as the app's route table has them, for the matrices that ask
every one of them as each kind of caller (``test_api_key_roles.py``, ``test_organizations.py``):
the HTTP routes and the WebSocket stream, which the OpenAPI document leaves out. Read from the
routes, so that a route added later is in the matrices without a test naming it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute

from chargeyard.api.v1 import API_PREFIX
from tests.api.asgi_websocket import AsgiWebSocket

WEBSOCKET = "WEBSOCKET"
"""The method of a WebSocket route in the matrices."""
READS = frozenset({"GET", "HEAD", WEBSOCKET})
"""What a viewer key may do: read (the event stream is a read)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One method of one route: ``template`` as the route declares it (``{chargeBoxId}``...),
    ``query`` the names of its query parameters."""

    method: str
    template: str
    query: tuple[str, ...] = ()

    def path(self, fill: Callable[[str], str]) -> str:
        """The template with each path parameter ``fill(name)``."""
        return re.sub(r"\{([^}]+)\}", lambda match: fill(match.group(1)), self.template)

    def names(self, parameters: frozenset[str]) -> bool:
        """Whether the path names one of ``parameters``."""
        return any(f"{{{name}}}" in self.template for name in parameters)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def operations(app: FastAPI) -> list[Operation]:
    """Every ``/api/v1`` operation of the app's route table, in its order."""
    found: list[Operation] = []
    for route in app.routes:
        if isinstance(route, APIWebSocketRoute) and route.path_format.startswith(f"{API_PREFIX}/"):
            found.append(Operation(WEBSOCKET, route.path_format))
        elif isinstance(route, APIRoute) and route.path_format.startswith(f"{API_PREFIX}/"):
            query = tuple(str(p.alias) for p in route.dependant.query_params)
            found += [Operation(m, route.path_format, query) for m in sorted(route.methods)]
    return found


def app_of(client: httpx.AsyncClient) -> FastAPI:
    """The app an in-process client (``httpx.ASGITransport``) drives."""
    transport: Any = client._transport
    app: FastAPI = transport.app
    return app


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any
    text: str


async def ask(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: Mapping[str, str],
    query: Mapping[str, str] | None = None,
) -> Answer:
    """Ask the operation as a caller with ``headers``: an HTTP request (a write with an empty
    JSON body), or the WebSocket handshake (101 when accepted, its first message the body)."""
    if method == WEBSOCKET:
        query_string = str(httpx.QueryParams(query or {}))
        async with AsgiWebSocket(
            app_of(client), path, query=query_string, headers=headers
        ) as websocket:
            if websocket.status == 101:
                first = await websocket.receive()
                return Answer(101, first, str(first))
            return Answer(websocket.status, websocket.json(), websocket.body.decode())
    body = None if method in READS or method == "DELETE" else {}
    response = await client.request(method, path, headers=headers, json=body, params=query)
    parsed = response.json() if response.content else None
    return Answer(response.status_code, parsed, response.text)
