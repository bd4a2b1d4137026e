"""The dashboard: plain ES modules and CSS from ``chargeyard/web`` (shipped in the package, no
build step), served under ``/dashboard/``; ``/`` leads there.

Nothing secret is served to a request that does not prove it may have it. A local start
(``chargeyard up``) prints a sign-in link with a one-time secret in its fragment
(``api/signin.py``); the page POSTs that secret to ``/dashboard/sign-in`` and gets the
credentials in exchange. ``/dashboard/config.json`` only says whether such a link exists, so
that the page can tell a user without credentials where to get them, and whether a recording
proxy is relayed (``proxy``: the Proxy view is shown then). Without a link (a
deployment, ``--no-demo``) the user types the key and token in the page's Settings. The
browser keeps them in ``localStorage``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.routers import serve_router
from chargeyard.api.signin import SignIn

DASHBOARD_PATH = "/dashboard"
# Credentials must not linger in shared caches (RFC 9111 section 5.2.2.5).
_NO_STORE = {"Cache-Control": "no-store"}
_NO_LINK = (
    "this server offers no sign-in link: type the API key and the gateway token in the"
    " dashboard's Settings"
)
_NOT_VALID = (
    "the sign-in link is not valid: it was used already, or it is from an earlier start;"
    " open the newest link chargeyard up printed, or type the API key and token in Settings"
)


class SignInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: str = Field(min_length=1, max_length=256, description="The link's #signin= value")


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
    """What the page needs to know before it is signed in; never a secret."""
    sign_in: SignIn | None = request.app.state.dashboard_sign_in
    # Whether /api/v1/proxy relays a recording proxy: the Proxy view is offered then only.
    proxy = request.app.state.proxy_relay is not None
    return JSONResponse({"signIn": sign_in is not None, "proxy": proxy}, headers=_NO_STORE)


@router.post(f"{DASHBOARD_PATH}/sign-in")
async def dashboard_sign_in(body: SignInRequest, request: Request) -> JSONResponse:
    """The credentials for the secret of the sign-in link, which is then used up."""
    sign_in: SignIn | None = request.app.state.dashboard_sign_in
    if sign_in is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _NO_LINK)
    credentials = sign_in.redeem(body.secret)
    if credentials is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, _NOT_VALID)
    return JSONResponse(credentials.model_dump(exclude_none=True), headers=_NO_STORE)


def install(app: FastAPI, sign_in: SignIn | None = None) -> None:
    """Serve the dashboard from ``app``; ``sign_in`` hands its credentials to a browser that
    brings the link's secret (None: the user types them)."""
    app.state.dashboard_sign_in = sign_in
    # The routes come before the mount: a mount catches every path under its prefix.
    serve_router(app, router)
    app.mount(
        DASHBOARD_PATH,
        StaticFiles(packages=[("chargeyard", "web")], html=True),
        name="dashboard",
    )
