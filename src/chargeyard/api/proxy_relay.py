"""The server's side of the dashboard's Proxy view: requests to a running ``chargeyard proxy``'s
HTTP API (docs/proxy.md), made by the server on behalf of ``/api/v1/proxy``
(``v1/routes/proxy.py``).

The browser asks this server, signed in as for the rest of the dashboard; the server asks the
proxy with the proxy's token. So the browser needs no CORS and never holds that token, and the
proxy API may stay on 127.0.0.1 where the proxy runs beside the lab.

Only the one address configured (``--proxy-api``) is ever reached, at paths this module builds
from fixed templates: the relay is no open proxy. It follows no redirect and ignores the
environment's ``HTTP_PROXY`` (``trust_env=False``), so that nothing sends the token elsewhere.

A client per request, not one held open: the view asks every few seconds, a connection to a
neighbour costs a millisecond, and nothing then needs an owner that closes it. The TLS context
is the relay's, made once: a client that made its own would load the CA bundle each time
(about 50 ms, most of a relayed request).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from chargeyard.trust_store import system_trust

__all__ = [
    "PROXY_ACTION_PATTERN",
    "PROXY_API_PREFIX",
    "PROXY_FRAMES_KEPT",
    "ProxyDidNotAnswer",
    "ProxyRelay",
    "ProxyUnreachable",
    "Relayed",
    "proxy_api_problem",
]

PROXY_API_PREFIX = "/api/v1/proxy"
"""Where the proxy serves its API (``proxy/api.py``'s ``PREFIX``; a test holds them equal)."""

PROXY_ACTION_PATTERN = r"^[A-Za-z][A-Za-z0-9]{0,63}$"
"""An action as the proxy reads one in a hold's path (``proxy/api.py``; a test holds them equal)."""

PROXY_FRAMES_KEPT = 500
"""The latest frames the proxy keeps a charger (``proxy/watch.py``; a test holds them equal)."""

RELAY_TIMEOUT_S = 10.0
"""How long the proxy has to answer: it answers from memory, so only one that hangs takes it."""


class ProxyUnreachable(Exception):
    """The proxy cannot be reached, or answered as no proxy API would (the server answers 502)."""


class ProxyDidNotAnswer(Exception):
    """The proxy took more than :data:`RELAY_TIMEOUT_S` (the server answers 504)."""


@dataclass(frozen=True, slots=True)
class Relayed:
    """The proxy's answer, handed on as it came: its status, body and content type."""

    status: int
    body: bytes
    content_type: str


def proxy_api_problem(url: str) -> str | None:
    """Why ``url`` cannot be a proxy API's address, or None when it can: ``http(s)://host:port``
    with nothing after it (the paths are the relay's) and no credentials (the token has its
    own setting, never shown in a URL)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "not a URL"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "not an http:// or https:// URL"
    if parts.username is not None or parts.password is not None:
        return "a URL with credentials (give the proxy's token as --proxy-api-token)"
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return "a URL with a path, query or fragment (give the proxy API's address only)"
    return None


class ProxyRelay:
    """Requests to the proxy API at ``base`` (``http://127.0.0.1:9101``), with ``token`` as
    ``Authorization: Bearer`` when given."""

    def __init__(
        self, base: str, token: str | None = None, timeout_s: float = RELAY_TIMEOUT_S
    ) -> None:
        self.base = base
        self._token = token
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"ProxyRelay({self.base!r})"  # never the token

    async def get(self, *segments: str, query: Mapping[str, Any] | None = None) -> Relayed:
        """``GET`` the proxy API's path of ``segments`` (each percent-encoded whole)."""
        return await self._ask("GET", segments, query=query)

    async def put(self, *segments: str, body: Any) -> Relayed:
        return await self._ask("PUT", segments, body=body)

    async def delete(self, *segments: str) -> Relayed:
        return await self._ask("DELETE", segments)

    async def _ask(
        self,
        method: str,
        segments: tuple[str, ...],
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Relayed:
        """Raises:
        ProxyUnreachable: no connection, a refused token, or an answer no proxy API gives.
        ProxyDidNotAnswer: no answer within ``timeout_s``.
        """
        path = "/".join(quote(segment, safe="") for segment in segments)
        url = f"{self.base}{PROXY_API_PREFIX}/{path}"
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        params = {name: value for name, value in (query or {}).items() if value is not None}
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout_s,
                verify=system_trust(),
                follow_redirects=False,
                trust_env=False,
            ) as client:
                answer = await client.request(
                    method, url, params=params, json=body, headers=headers
                )
        except httpx.TimeoutException:
            raise ProxyDidNotAnswer(
                f"the proxy at {self.base} did not answer within {self.timeout_s:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise ProxyUnreachable(
                f"the proxy at {self.base} cannot be reached ({type(error).__name__}: {error});"
                " is chargeyard proxy running with --api-listen there?"
            ) from None
        if answer.status_code == 401:
            raise ProxyUnreachable(
                f"the proxy at {self.base} refused this server's token: give its --api-token"
                " as --proxy-api-token (CHARGEYARD_PROXY_API_TOKEN)"
            )
        if answer.status_code >= 500 or 300 <= answer.status_code < 400:
            raise ProxyUnreachable(
                f"the proxy at {self.base} answered {answer.status_code} to {method}"
                f" {PROXY_API_PREFIX}/{path}"
            )
        return Relayed(
            answer.status_code,
            answer.content,
            answer.headers.get("Content-Type", "application/json"),
        )
