"""The API's documentation page, ``/docs`` (Swagger UI), served with no request leaving the
server: a lab runs on laptops and closed networks, where FastAPI's default pages (scripts and
styles from a CDN) stay blank.

Swagger UI 5 (which reads the OpenAPI 3.1 document FastAPI writes) comes from the
``fastapi-offline`` package and is served under :data:`ASSETS_PATH`; its online validator is
switched off (it would send the document to validator.swagger.io). There is no ``/redoc``:
ReDoc's bundle always loads its logo from Redocly's CDN.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from chargeyard.api.routers import serve_router

DOCS_PATH = "/docs"
OAUTH2_REDIRECT_PATH = f"{DOCS_PATH}/oauth2-redirect"
ASSETS_PATH = f"{DOCS_PATH}/assets"
_ASSETS_PACKAGE = ("fastapi_offline", "static")

# Added to FastAPI's defaults (deep links, syntax highlighting...): no online validator, and
# the key and token typed under "Authorize" kept across reloads (in the browser only).
_SWAGGER_UI_PARAMETERS: dict[str, Any] = {"validatorUrl": None, "persistAuthorization": True}

router = APIRouter(include_in_schema=False)


def _asset(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{ASSETS_PATH}/{name}"


def _openapi_url(request: Request) -> str:
    openapi_url = request.app.openapi_url
    assert openapi_url is not None  # install() refuses an app without a document
    return f"{request.scope.get('root_path', '')}{openapi_url}"


@router.get(DOCS_PATH)
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
        swagger_css_url=_asset(request, "swagger-ui.css"),
        swagger_favicon_url=_asset(request, "favicon.png"),
        oauth2_redirect_url=f"{request.scope.get('root_path', '')}{OAUTH2_REDIRECT_PATH}",
        swagger_ui_parameters=_SWAGGER_UI_PARAMETERS,
    )


@router.get(OAUTH2_REDIRECT_PATH)
async def swagger_ui_oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


def install(app: FastAPI) -> None:
    """Serve ``/docs`` from ``app`` with the packaged assets. The app must be created with
    ``docs_url=None, redoc_url=None`` (FastAPI's own pages load from a CDN).

    Raises:
        ValueError: the app still serves FastAPI's pages, or has no OpenAPI document.
    """
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("create the app with docs_url=None and redoc_url=None")
    if app.openapi_url is None:
        raise ValueError("the documentation page needs the app's OpenAPI document")
    serve_router(app, router)
    app.mount(ASSETS_PATH, StaticFiles(packages=[_ASSETS_PACKAGE]), name="docs-assets")
