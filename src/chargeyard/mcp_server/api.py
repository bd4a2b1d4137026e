"""chargeyard's two REST APIs as the tools call them, over HTTP only: ``/api/v1`` with the
user's API key, ``/ocpp`` with the user's bearer token. The tools hold no credentials of their
own, so an agent reaches exactly what the key or token reaches, and whatever the API refuses
comes back to the agent as a tool error carrying the API's own ``detail``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from mcp.server.mcpserver.exceptions import ToolError

# A CSMS command waits for the station's answer up to the API's command timeout (30 s by
# default, docs/api.md), and a CSMS command through a cluster a little longer.
REQUEST_TIMEOUT_S = 60.0
# A refusal's text as the agent reads it: an HTML error page of a proxy is cut, not pasted.
_MAX_ERROR_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the user gave ``chargeyard mcp``: either may be missing, and the tools of that
    API then say so when called."""

    api_key: str | None = None
    token: str | None = None


class ApiRefused(ToolError):
    """The API answered with an error status: the tool's error, in the API's words."""

    def __init__(self, status: int, detail: object) -> None:
        self.status = status
        self.detail = detail
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        super().__init__(f"the API answered {status}: {text}")


class LabApi:
    """The lab at ``base_url`` (``http://HOST:PORT``), called with ``credentials``.

    Each call opens its own HTTP client: a tool call is a few requests at most, and nothing
    is left open between calls or after the server stops.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout_s: float = REQUEST_TIMEOUT_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self._timeout_s = timeout_s
        self._transport = transport

    async def csms(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """``method`` on ``/api/v1{path}`` with the API key; the answer's JSON.

        Raises:
            ToolError: no API key was given, the API could not be reached, or it refused
                (:class:`ApiRefused`).
        """
        key = self.credentials.api_key
        if not key:
            raise ToolError(
                "this tool calls the CSMS API (/api/v1), which needs an API key: start"
                " `chargeyard mcp` with --api-key or CHARGEYARD_API_KEY"
            )
        return await self._call(method, f"/api/v1{path}", {"X-API-Key": key}, body, params)

    async def gateway(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """``method`` on ``/ocpp{path}`` with the bearer token; the answer's JSON.

        Raises:
            ToolError: no token was given, the API could not be reached, or it refused
                (:class:`ApiRefused`).
        """
        token = self.credentials.token
        if not token:
            raise ToolError(
                "this tool calls the simulator gateway (/ocpp), which needs a bearer token:"
                " start `chargeyard mcp` with --token or CHARGEYARD_TOKEN"
                " (`chargeyard token create` makes one)"
            )
        headers = {"Authorization": f"Bearer {token}"}
        return await self._call(method, f"/ocpp{path}", headers, body, params)

    async def _call(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: Any,
        params: dict[str, Any] | None,
    ) -> Any:
        query = {name: value for name, value in (params or {}).items() if value is not None}
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=self._timeout_s, transport=self._transport
        ) as client:
            try:
                response = await client.request(
                    method, path, headers=headers, json=body, params=query
                )
            except httpx.HTTPError as error:
                raise ToolError(
                    f"chargeyard's API at {self.base_url} did not answer {method} {path}:"
                    f" {str(error) or type(error).__name__}"
                ) from None
        if response.is_success:
            return response.json() if response.content else {}
        raise ApiRefused(response.status_code, _detail(response))


def _detail(response: httpx.Response) -> object:
    """The ``detail`` of an error answer (``{"detail": ...}`` from both APIs), else its text."""
    try:
        answer = response.json()
    except ValueError:
        return response.text[:_MAX_ERROR_CHARS] or response.reason_phrase
    if isinstance(answer, dict) and "detail" in answer:
        return answer["detail"]
    return answer
