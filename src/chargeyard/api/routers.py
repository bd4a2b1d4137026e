"""How the API's routers join an app: their routes as they are, built once per process.

A FastAPI (0.16x) ``APIRouter`` builds each route when its decorator runs, at import: it
analyses the endpoint's parameters and dependencies into pydantic fields. An app that
``include_router``-s it builds every route's state again, on the app's first request (its
"effective route contexts", with the include's prefix and dependencies): as much CPU again,
about a fifth of a second for this API, in every process that serves it and for every app a
process makes. Each router of the API carries its whole path prefix and its dependencies
itself, so the include would add nothing: :func:`serve_router` hands the app the routes
already built. Routes hold no state of an app (each request reads ``request.app.state``), so
every app of a process serves the same ones.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI


def serve_router(app: FastAPI, router: APIRouter) -> None:
    """Serve ``router``'s routes from ``app``, after those it has, as they were built."""
    app.router.routes.extend(router.routes)
