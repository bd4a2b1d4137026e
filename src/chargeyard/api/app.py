"""The application factory and the one place where domain errors become HTTP answers.

Every error answers ``{"detail": ...}``:

=====  ==============================================================================
401    missing or wrong ``X-API-Key`` (``deps.require_api_key``)
403    a viewer key asking for more than a read, a key that is not an admin's managing keys
404    unknown chargeBoxId (:class:`UnknownStation`) or another missing row
409    a uniqueness rule (duplicate chargeBoxId, ...) (:class:`ConflictError`, in the
       store's words, never the database's); a command to a station whose boot was
       answered Rejected (:class:`StationRejected`)
413    a request body over ``settings.max_body_bytes`` (``body_limit.py``, before it is
       parsed); a command whose OCPP frame would be over the station's frame limit
       (:class:`FrameTooLarge`: nothing is sent)
422    invalid body, with each problem's location and reason; a request the station's
       OCPP version cannot express (:class:`InvalidCommand`, :class:`OcppError`)
502    the station answered with a CALLERROR (its code and description), or an answer
       that breaks its schema; the recording proxy of ``/api/v1/proxy`` cannot be reached
       or refused the server's token
503    the station is registered but not connected; the path to the stations' nodes
       (Redis, when the central system runs as several processes) cannot be reached; the
       node holding the station went away before answering (:class:`StationNodeGone`,
       with ``Retry-After``)
504    the station did not answer within ``settings.command_timeout``; the recording
       proxy did not answer in time
=====  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.routing import Match

from chargeyard import __version__
from chargeyard.api import dashboard, docs, health, metrics, openapi
from chargeyard.api.body_limit import BodyLimit
from chargeyard.api.gateway.prefixes import EvchargerPrefix
from chargeyard.api.gateway.routes import ROUTERS as GATEWAY_ROUTERS
from chargeyard.api.proxy_relay import ProxyDidNotAnswer, ProxyRelay, ProxyUnreachable
from chargeyard.api.routers import serve_router
from chargeyard.api.settings import ApiSettings
from chargeyard.api.signin import SignIn
from chargeyard.api.v1.routes import ROUTERS as CSMS_ROUTERS
from chargeyard.bus import BusUnreachable, CommandBus
from chargeyard.csms.authority import CertificateAuthority
from chargeyard.csms.commands import InvalidCommand, StationAnsweredBadly, UnknownStation
from chargeyard.csms.events import EventHub
from chargeyard.csms.registry import (
    StationDidNotAnswer,
    StationNotConnected,
    StationRefused,
    StationRejected,
)
from chargeyard.csms.station_calls import StationNodeGone, StationsUnreachable
from chargeyard.csms.station_link import StationLink
from chargeyard.csms.webhook_delivery import ReceiverUnreachable
from chargeyard.gateway.runtimes import ChargerRuntimes
from chargeyard.outbound import OutboundPolicy
from chargeyard.protocol import CallErrorReply, CallFailure, FrameTooLarge, OcppError
from chargeyard.store import ConflictError, NotFoundError, Store


def _frame_too_large_detail(error: Exception) -> str:
    assert isinstance(error, FrameTooLarge)
    return f"not sent to the charger: {error.description} (CHARGEYARD_MAX_FRAME_BYTES)"


def _ocpp_error_detail(error: Exception) -> str:
    assert isinstance(error, OcppError)
    return f"not valid for the charger's OCPP version: {error.description or error.kind.value}"


# Domain error -> (HTTP status, how its detail reads). The first matching class wins, so
# subclasses come before their bases.
_ERROR_STATUS: Mapping[type[Exception], tuple[int, Callable[[Exception], str]]] = {
    UnknownStation: (status.HTTP_404_NOT_FOUND, str),
    NotFoundError: (status.HTTP_404_NOT_FOUND, str),
    ConflictError: (status.HTTP_409_CONFLICT, str),
    StationRejected: (status.HTTP_409_CONFLICT, str),
    InvalidCommand: (status.HTTP_422_UNPROCESSABLE_CONTENT, str),
    FrameTooLarge: (status.HTTP_413_CONTENT_TOO_LARGE, _frame_too_large_detail),
    OcppError: (status.HTTP_422_UNPROCESSABLE_CONTENT, _ocpp_error_detail),
    StationRefused: (status.HTTP_502_BAD_GATEWAY, str),
    StationAnsweredBadly: (status.HTTP_502_BAD_GATEWAY, str),
    CallFailure: (status.HTTP_502_BAD_GATEWAY, str),
    ReceiverUnreachable: (status.HTTP_502_BAD_GATEWAY, str),
    ProxyUnreachable: (status.HTTP_502_BAD_GATEWAY, str),
    StationNotConnected: (status.HTTP_503_SERVICE_UNAVAILABLE, str),
    StationNodeGone: (status.HTTP_503_SERVICE_UNAVAILABLE, str),
    StationsUnreachable: (status.HTTP_503_SERVICE_UNAVAILABLE, str),
    BusUnreachable: (status.HTTP_503_SERVICE_UNAVAILABLE, str),
    StationDidNotAnswer: (status.HTTP_504_GATEWAY_TIMEOUT, str),
    ProxyDidNotAnswer: (status.HTTP_504_GATEWAY_TIMEOUT, str),
}


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    for kind, (code, detail) in _ERROR_STATUS.items():
        if isinstance(error, kind):
            body = {"detail": detail(error), **_station_error(error)}
            return JSONResponse(body, code, headers=_retry_after(error))
    raise error  # pragma: no cover - only registered for the classes above


def _retry_after(error: Exception) -> dict[str, str] | None:
    """When to try again, for an error that passes by itself (RFC 9110 section 10.2.3)."""
    if isinstance(error, StationNodeGone):
        return {"Retry-After": str(StationNodeGone.RETRY_AFTER_S)}
    return None


def _station_error(error: Exception) -> dict[str, str]:
    """A station's CALLERROR, code and description apart (StationErrorResponse)."""
    if isinstance(error, StationRefused | CallErrorReply):
        return {"errorCode": error.code, "errorDescription": error.description}
    return {}


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's detail (each problem's ``loc``, ``msg`` and ``type``) without echoing the
    input back."""
    assert isinstance(error, RequestValidationError)
    problems: list[dict[str, Any]] = [
        {"loc": list(problem["loc"]), "msg": problem["msg"], "type": problem["type"]}
        for problem in error.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


# What FastAPI answers (400) when a JSON body cannot even be decoded to text (not UTF-8, RFC
# 8259 section 8.1); a body that decodes but is not JSON is its own 422 "json_invalid".
_UNREADABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, error: Exception) -> Response:
    """An undecodable body is an invalid body like any other: 422 in the validation shape
    (the error table above), not FastAPI's 400. Every other HTTPException as FastAPI answers
    it."""
    assert isinstance(error, HTTPException)
    if error.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # Starlette names only the methods of the first route whose path matched; a path
        # served by several routes (GET and POST /webhooks) allows all of theirs (RFC 9110
        # section 15.5.6: Allow lists the target resource's methods).
        allowed = _allowed_methods(request)
        if not allowed:
            # Matched only by a route that catches the rest (a trailing slash after a
            # command's path): no resource is there to allow anything.
            return JSONResponse({"detail": "Not Found"}, status.HTTP_404_NOT_FOUND)
        return JSONResponse(
            {"detail": f"{request.method} is not allowed here; allowed: {', '.join(allowed)}"},
            status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
            headers={"Allow": ", ".join(allowed)},
        )
    if error.status_code == status.HTTP_400_BAD_REQUEST and error.detail == _UNREADABLE_BODY:
        problem = {"loc": ["body"], "msg": "body is not UTF-8 JSON", "type": "json_invalid"}
        return JSONResponse(
            {"detail": [problem]}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    return await http_exception_handler(request, error)


_METHODS = frozenset({"delete", "get", "patch", "post", "put"})


def _allowed_methods(request: Request) -> list[str]:
    """The methods the API documents for this path: those of the documented routes whose path
    is this very one, else those of every documented route it fits, matched as the router
    matches (``/ocpp/chargers/{charger_id}``, an id tag's ``{idTag:path}``). Documented
    routes only: one that only catches what other routes do not (an unknown command's POST)
    is not a method of the resource."""
    routes = [
        route
        for route in request.app.routes
        if isinstance(route, APIRoute)
        and route.include_in_schema
        and route.matches(request.scope)[0] is not Match.NONE
    ]
    own = [route for route in routes if route.path == request.url.path]
    methods = {method for route in own or routes for method in route.methods or ()}
    return sorted(method for method in methods if method.lower() in _METHODS)


def create_app(
    store: Store,
    registry: StationLink,
    settings: ApiSettings | None = None,
    events: EventHub | None = None,
    dashboard_sign_in: SignIn | None = None,
    host: ChargerRuntimes | None = None,
    bus: CommandBus | None = None,
    outbound: OutboundPolicy | None = None,
    authority: CertificateAuthority | None = None,
) -> FastAPI:
    """The API over ``store`` (stations, keys, history), ``registry`` (live connections) and
    ``events`` (what the CSMS publishes: the live stream and webhooks read it).

    The caller owns them: it opens the store and runs the CSMS listener that fills the
    registry and publishes the events, and closes them after the app.
    ``host`` runs the gateway's durable simulated chargers and ``bus`` carries commands to it
    (``/ocpp/chargers``, ``/ocpp/commands``); without them those routes answer 503.
    ``dashboard_sign_in`` hands the dashboard its credentials in exchange for the secret of
    a sign-in link (a local start's; ``api/signin.py``); without it the user types them.
    ``outbound`` limits where the server's own connections go (a webhook's test event;
    ``outbound.py``); None: anywhere. ``authority`` issues the client certificates of the
    gateway's chargers made at security profile 3 (none: they are refused).
    """
    settings = settings or ApiSettings()
    app = FastAPI(
        title=settings.title,
        version=__version__,
        description=openapi.DESCRIPTION,
        # Served by docs.install from the package: FastAPI's own pages load from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {
                "name": "Chargers",
                "description": "Register the chargers allowed to connect, see what they "
                "reported (vendor, firmware, connectors) and whether they are online.",
            },
            {
                "name": "Charger Commands",
                "description": "Send OCPP commands to connected chargers — reset, unlock, "
                "configure, update firmware, and more; or any OCPP action, raw.",
            },
            {
                "name": "Charger Commands (OCPP 2.0.1)",
                "description": "The 2.0.1 operations without a 1.6 counterpart (device model,"
                " monitoring, display messages, ...), each body its request as OCPP 2.0.1"
                " writes it; a report that follows is returned with the answer.",
            },
            {
                "name": "Charger Commands (OCPP 2.1)",
                "description": "The 2.1 operations a central system sends that are neither"
                " tariffs, payments nor DER control (periodic event streams, priority"
                " charging, dynamic schedules, battery swaps), each body its request as OCPP"
                " 2.1 writes it; a 1.6 or 2.0.1 charger answers 422.",
            },
            {
                "name": "Command History",
                "description": "Every OCPP call the API sent: who sent it, the request, the "
                "answer or the error, and how long it took.",
            },
            {
                "name": "Transactions",
                "description": "Start and stop charging remotely; list transactions with "
                "their meter readings, energy and duration.",
            },
            {
                "name": "Id Tags",
                "description": "The id tags (RFID cards, tokens) the central system "
                "authorizes, with status, expiry and parent.",
            },
            {
                "name": "Webhooks",
                "description": "Subscribe a URL to the central system's events; each "
                "delivery is signed (HMAC-SHA256), retried with back-off and logged.",
            },
            {
                "name": "API Keys",
                "description": "The keys of this API and their roles (viewer, operator,"
                " admin), managed with an admin key.",
            },
            {
                "name": "Recording proxy",
                "description": "A running `chargeyard proxy`'s chargers, frames and holds,"
                " relayed from its own API (`--proxy-api`); admin and platform keys only.",
            },
            {
                "name": "Events",
                "description": "The live event stream over WebSocket (`/api/v1/events`).",
            },
        ],
    )
    app.state.store = store
    app.state.registry = registry
    app.state.settings = settings
    app.state.events = events if events is not None else EventHub()
    app.state.host = host
    app.state.bus = bus
    app.state.outbound = outbound
    app.state.authority = authority
    app.state.proxy_relay = (
        None
        if settings.proxy_api is None
        else ProxyRelay(
            settings.proxy_api,
            None
            if settings.proxy_api_token is None
            else settings.proxy_api_token.get_secret_value(),
        )
    )
    for kind in _ERROR_STATUS:
        app.add_exception_handler(kind, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(EvchargerPrefix)  # the gateway again under /evcharger (OCPPLab SDK 0.3)
    # Each router carries its whole prefix: /api/v1 and the API key, or the simulator
    # gateway's /ocpp and Bearer auth.
    for router in (*CSMS_ROUTERS, *GATEWAY_ROUTERS):
        serve_router(app, router)
    serve_router(app, metrics.router)  # GET /metrics, for Prometheus
    serve_router(app, health.router)  # /health, /health/live, /health/ready
    dashboard.install(app, dashboard_sign_in)
    docs.install(app)  # /docs, with no request leaving the server
    openapi.install(app)
    return app
