"""The simulator gateway under ``/evcharger`` as well as ``/ocpp``.

OCPPLab's Python SDK calls the gateway ``/ocpp/...`` up to its 0.2 line and
``/evcharger/...`` from 0.3 on, the same API under another name. :class:`EvchargerPrefix`
serves the second from the first: a request under ``/evcharger`` is routed as the same request
under ``/ocpp`` (same routes, credentials, answers and errors), so the two can never drift
apart. The OpenAPI document lists the ``/ocpp`` paths only; docs/api.md says so.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

OCPP_PREFIX = "/ocpp"
EVCHARGER_PREFIX = "/evcharger"


class EvchargerPrefix:
    """Plain ASGI middleware: ``/evcharger`` and ``/evcharger/...`` are routed as
    ``/ocpp`` and ``/ocpp/...``; every other path passes as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            rest = path[len(EVCHARGER_PREFIX) :]
            if path.startswith(EVCHARGER_PREFIX) and rest[:1] in ("", "/"):
                scope = dict(scope)
                scope["path"] = OCPP_PREFIX + rest
                raw: bytes | None = scope.get("raw_path")
                if raw is not None and raw.startswith(EVCHARGER_PREFIX.encode()):
                    scope["raw_path"] = OCPP_PREFIX.encode() + raw[len(EVCHARGER_PREFIX) :]
        await self.app(scope, receive, send)
