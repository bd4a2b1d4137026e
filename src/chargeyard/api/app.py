"""The application factory and the one place where domain errors become HTTP answers.

Every error answers ``{"detail": ...}``:

=====  ==============================================================================
401    missing or wrong ``X-API-Key`` (``deps.require_api_key``)
404    unknown chargeBoxId (:class:`UnknownStation`) or another missing row
409    a uniqueness rule (duplicate chargeBoxId, ...) (:class:`ConflictError`)
422    invalid body, with each problem's location and reason; a request the station's
       OCPP version cannot express (:class:`InvalidCommand`, :class:`OcppError`)
502    the station answered with a CALLERROR (its code and description), or an answer
       that breaks its schema
503    the station is registered but not connected
504    the station did not answer within ``settings.command_timeout``
=====  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from chargeyard import __version__
from chargeyard.api.routes import chargers_commands
from chargeyard.api.settings import ApiSettings
from chargeyard.csms.commands import InvalidCommand, StationAnsweredBadly, UnknownStation
from chargeyard.csms.registry import (
    Registry,
    StationDidNotAnswer,
    StationNotConnected,
    StationRefused,
)
from chargeyard.protocol import CallFailure, OcppError
from chargeyard.store import ConflictError, NotFoundError, Store

API_PREFIX = "/api/v1"

_DESCRIPTION = """\
The chargeyard central system's HTTP API. Commands reach connected chargers over OCPP 1.6,
2.0.1 or 2.1; the same endpoint speaks each charger's version. Every endpoint requires the
`X-API-Key` header.
"""


def _ocpp_error_detail(error: Exception) -> str:
    assert isinstance(error, OcppError)
    return f"not valid for the charger's OCPP version: {error.description or error.kind.value}"


# Domain error -> (HTTP status, how its detail reads). The first matching class wins, so
# subclasses come before their bases.
_ERROR_STATUS: Mapping[type[Exception], tuple[int, Callable[[Exception], str]]] = {
    UnknownStation: (status.HTTP_404_NOT_FOUND, str),
    NotFoundError: (status.HTTP_404_NOT_FOUND, str),
    ConflictError: (status.HTTP_409_CONFLICT, str),
    InvalidCommand: (status.HTTP_422_UNPROCESSABLE_CONTENT, str),
    OcppError: (status.HTTP_422_UNPROCESSABLE_CONTENT, _ocpp_error_detail),
    StationRefused: (status.HTTP_502_BAD_GATEWAY, str),
    StationAnsweredBadly: (status.HTTP_502_BAD_GATEWAY, str),
    CallFailure: (status.HTTP_502_BAD_GATEWAY, str),
    StationNotConnected: (status.HTTP_503_SERVICE_UNAVAILABLE, str),
    StationDidNotAnswer: (status.HTTP_504_GATEWAY_TIMEOUT, str),
}


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    for kind, (code, detail) in _ERROR_STATUS.items():
        if isinstance(error, kind):
            return JSONResponse({"detail": detail(error)}, status_code=code)
    raise error  # pragma: no cover - only registered for the classes above


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's detail (each problem's ``loc``, ``msg`` and ``type``) without echoing the
    input back."""
    assert isinstance(error, RequestValidationError)
    problems: list[dict[str, Any]] = [
        {"loc": list(problem["loc"]), "msg": problem["msg"], "type": problem["type"]}
        for problem in error.errors()
    ]
    return JSONResponse({"detail": problems}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def create_app(store: Store, registry: Registry, settings: ApiSettings | None = None) -> FastAPI:
    """The API over ``store`` (stations, keys, history) and ``registry`` (live connections).

    The caller owns both: it opens the store and runs the CSMS listener that fills the
    registry, and closes them after the app.
    """
    settings = settings or ApiSettings()
    app = FastAPI(
        title=settings.title,
        version=__version__,
        description=_DESCRIPTION,
        openapi_tags=[
            {
                "name": "Charger Commands",
                "description": "Send OCPP commands to connected chargers — reset, unlock, "
                "configure, update firmware, and more.",
            }
        ],
    )
    app.state.store = store
    app.state.registry = registry
    app.state.settings = settings
    for kind in _ERROR_STATUS:
        app.add_exception_handler(kind, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(chargers_commands.router, prefix=API_PREFIX)
    return app
