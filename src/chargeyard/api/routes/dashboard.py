"""The dashboard: plain ES modules and CSS from ``chargeyard/web`` (shipped in the package, no
build step), served under ``/dashboard/``; ``/`` leads there.

``/dashboard/config.json`` pre-fills the dashboard's settings on a local start: it answers the
credentials the app was created with (``create_app(..., dashboard_credentials=...)``, which
``chargeyard up`` sets for its demo organization) and ``{}`` otherwise, so that a deployment
never hands its secrets to whoever opens the page. The browser keeps what it got, or what the
user typed, in ``localStorage``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

DASHBOARD_PATH = "/dashboard"


class DashboardCredentials(BaseModel):
    """What the dashboard signs in with: the ``X-API-Key`` of ``/api/v1`` and the bearer token
    of the ``/ocpp`` gateway."""

    apiKey: str | None = None
    token: str | None = None


router = APIRouter(include_in_schema=False)


@router.get("/")
async def root() -> RedirectResponse:
    return RedirectResponse(f"{DASHBOARD_PATH}/")


@router.get(DASHBOARD_PATH)
async def dashboard_without_slash() -> RedirectResponse:
    # Relative URLs in index.html resolve against the directory, so it needs the slash.
    return RedirectResponse(f"{DASHBOARD_PATH}/")


@router.get(f"{DASHBOARD_PATH}/config.json")
async def dashboard_config(request: Request) -> JSONResponse:
    credentials: DashboardCredentials | None = request.app.state.dashboard_credentials
    body: dict[str, Any] = {} if credentials is None else credentials.model_dump(exclude_none=True)
    # Credentials must not linger in shared caches (RFC 9111 section 5.2.2.5).
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def install(app: FastAPI, credentials: DashboardCredentials | None = None) -> None:
    """Serve the dashboard from ``app``; ``credentials`` pre-fill its settings (None: the
    user types them)."""
    app.state.dashboard_credentials = credentials
    # The routes come before the mount: a mount catches every path under its prefix.
    app.include_router(router)
    app.mount(
        DASHBOARD_PATH,
        StaticFiles(packages=[("chargeyard", "web")], html=True),
        name="dashboard",
    )
