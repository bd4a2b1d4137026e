"""A process's own metrics port (``--metrics-port``): ``GET /metrics`` and nothing else.

Every kind of chargeyard process serves one, with or without the REST API, so that a scraper
reaches each process itself and never a balancer's pick of them. It is a bare Starlette app,
not a FastAPI one: a CSMS node without the API (``--api-port 0``), a worker and a fleet would
otherwise import FastAPI for this one route, about a sixth of their start-up CPU. The REST
API's own ``/metrics`` (``api/metrics.py``) serves the same text.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chargeyard.metrics import Metrics


def metrics_app(metrics: Metrics) -> Starlette:
    """An app serving only ``metrics`` at ``GET /metrics`` (Prometheus text, or OpenMetrics
    when the scraper's ``Accept`` asks for it); any other path is 404."""

    async def scrape(request: Request) -> Response:
        body, content_type = await metrics.render(request.headers.get("accept"))
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/metrics", scrape, methods=["GET"])])
